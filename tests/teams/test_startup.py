"""Start-up: production refuses to run without credentials; development is explicit, bound to
loopback and loud about authentication being off."""

from __future__ import annotations

import logging

import pytest

from bot.config import Settings
from tests.teams.doorkit import settings_for

PRODUCTION = {"STYRA_ENV": "production", "MicrosoftAppId": "5f0c7b1e-0000-4000-8000-00000000a11d",
              "MicrosoftAppPassword": "secret", "MicrosoftAppTenantId": "11111111-2222-3333-4444-555555555555",
              "STYRA_DEMO": "0"}


def _build(db_url: str, **env):
    from app import build_app

    return build_app(settings_for(db_url, **env))


@pytest.mark.parametrize("missing", ["MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppTenantId"])
def test_production_refuses_to_start_without_credentials(db_url, missing):
    env = dict(PRODUCTION, **{missing: ""})
    with pytest.raises(SystemExit) as stopped:
        _build(db_url, **env)
    message = str(stopped.value)
    assert f"{missing} is required when STYRA_ENV=production" in message
    assert "STYRA_ENV=development" in message, "the message says how to run locally instead"


def test_production_refuses_multi_tenant_registration(db_url):
    with pytest.raises(SystemExit, match="MicrosoftAppType must be SingleTenant or UserAssignedMSI"):
        _build(db_url, **dict(PRODUCTION, MicrosoftAppType="MultiTenant"))


def test_production_refuses_a_plain_http_key_endpoint(db_url):
    with pytest.raises(SystemExit, match="STYRA_OPENID_METADATA_URL must be an https URL"):
        _build(db_url, **dict(PRODUCTION, STYRA_OPENID_METADATA_URL="http://keys.example.net/openid"))


def test_production_with_credentials_starts_and_binds_to_all_interfaces(db_url):
    settings = settings_for(db_url, **PRODUCTION)
    assert settings.problems() == []
    assert settings.bind_host == "0.0.0.0"
    _build(db_url, **PRODUCTION)


def test_a_managed_identity_needs_no_password(db_url):
    env = dict(PRODUCTION, MicrosoftAppType="UserAssignedMSI", MicrosoftAppPassword="")
    assert settings_for(db_url, **env).problems() == []


def test_production_is_the_default(monkeypatch):
    monkeypatch.delenv("STYRA_ENV", raising=False)
    settings = Settings(_env_file=None)
    assert settings.production
    assert "MicrosoftAppId is required when STYRA_ENV=production" in settings.problems()


def test_development_binds_to_loopback_and_says_loudly_that_auth_is_off(db_url, caplog):
    settings = settings_for(db_url)
    assert settings.bind_host == "127.0.0.1"
    assert not settings.auth_enabled
    with caplog.at_level(logging.WARNING, logger="styra"):
        _build(db_url)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and r.name == "styra"]
    assert any("INBOUND AUTHENTICATION IS OFF" in w for w in warnings), warnings
    assert any("127.0.0.1:3978" in w for w in warnings), warnings


def test_styra_host_overrides_the_bind_address(db_url):
    assert settings_for(db_url, STYRA_HOST="0.0.0.0").bind_host == "0.0.0.0"
    assert settings_for(db_url, **dict(PRODUCTION, STYRA_HOST="10.0.0.5")).bind_host == "10.0.0.5"


def test_development_with_an_app_id_authenticates(db_url):
    settings = settings_for(db_url, MicrosoftAppId="5f0c7b1e-0000-4000-8000-00000000a11d")
    assert settings.auth_enabled and not settings.production
