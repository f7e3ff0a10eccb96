"""The tab's SSO token check and its signed links: every defect is refused with a reason."""

from __future__ import annotations

import time

import pytest

from bot import tab_link
from bot.teams.tab_auth import AuthError, KeysUnavailable, TabAuth, TabAuthSettings, issuers_of
from tests.support.keyserver import KeyServer, TestKey, alg_none_token, hs256_token, mint

TENANT = "11111111-2222-4333-8444-555555555555"
OTHER_TENANT = "99999999-8888-4777-8666-555555555555"
APP_ID = "5f0c7b1e-0000-4000-8000-00000000a11d"
URI = f"api://styra.example.se/{APP_ID}"
OID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"


def sso_claims(**overrides):
    now = int(time.time())
    claims = {"iss": issuers_of(TENANT)[1], "aud": URI, "tid": TENANT, "oid": OID, "scp": "access_as_user",
              "name": "Alex Wilber", "nbf": now - 60, "iat": now - 60, "exp": now + 3600}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.fixture
async def ks():
    async with KeyServer(keys=[TestKey.generate(endorsements=None)]) as server:
        yield server


@pytest.fixture
async def auth(ks):
    checker = TabAuth(TabAuthSettings(TENANT, (URI, APP_ID), ks.metadata_url, fetch_timeout_s=1.0))
    yield checker
    await checker.keys.close()


async def test_a_v1_token_for_the_application_id_uri_names_the_person(ks, auth):
    who = await auth.identify("Bearer " + mint(ks.key, sso_claims()))
    assert (who.aad_id, who.name) == (OID, "Alex Wilber")


async def test_a_v2_token_for_the_app_id_is_accepted_too(ks, auth):
    token = mint(ks.key, sso_claims(iss=issuers_of(TENANT)[0], aud=APP_ID))
    assert (await auth.identify(f"Bearer {token}")).aad_id == OID


def _defects(key):
    now = int(time.time())
    return {
        "no header": None,
        "empty": "",
        "basic scheme": "Basic abc",
        "not a JWT": "Bearer not.a.jwt",
        "alg none": "Bearer " + alg_none_token(key),
        "HS256 with the public key": "Bearer " + hs256_token(key),
        "no kid": "Bearer " + mint(key, sso_claims(), kid=None),
        "unknown kid": "Bearer " + mint(key, sso_claims(), kid="nobody"),
        "forged (other key, same kid)": "Bearer " + mint(TestKey(key.kid, TestKey.generate().private_key),
                                                         sso_claims()),
        "expired": "Bearer " + mint(key, sso_claims(iat=now - 7200, nbf=now - 7200, exp=now - 3600)),
        "not yet valid": "Bearer " + mint(key, sso_claims(nbf=now + 3600, exp=now + 7200)),
        "other tenant's issuer": "Bearer " + mint(key, sso_claims(iss=issuers_of(OTHER_TENANT)[1])),
        "other tenant's tid": "Bearer " + mint(key, sso_claims(tid=OTHER_TENANT)),
        "Bot Framework issuer": "Bearer " + mint(key, sso_claims(iss="https://api.botframework.com")),
        "another app's audience": "Bearer " + mint(key, sso_claims(aud="api://evil.example/other")),
        "Graph audience": "Bearer " + mint(key, sso_claims(aud="00000003-0000-0000-c000-000000000000")),
        "no exp": "Bearer " + mint(key, sso_claims(exp=None)),
        "no oid": "Bearer " + mint(key, sso_claims(oid=None)),
        "oid not a GUID": "Bearer " + mint(key, sso_claims(oid="../admin")),
        "no tid": "Bearer " + mint(key, sso_claims(tid=None)),
        "no scope (an app token)": "Bearer " + mint(key, sso_claims(scp=None, roles=["x"])),
        "another scope": "Bearer " + mint(key, sso_claims(scp="User.Read")),
    }


async def test_every_defect_is_refused_with_a_reason(ks, auth):
    reasons = {}
    for name, header in _defects(ks.key).items():
        with pytest.raises(AuthError) as failure:
            await auth.identify(header)
        reasons[name] = failure.value.reason
    assert all(reasons.values()), reasons
    assert reasons["expired"] == "token expired"
    assert reasons["other tenant's tid"] == "token of another tenant"
    assert reasons["another app's audience"] == "wrong audience"


async def test_keys_that_cannot_be_had_are_unavailable_not_a_pass(ks, auth):
    ks.fail(500)
    with pytest.raises(KeysUnavailable):
        await auth.identify("Bearer " + mint(ks.key, sso_claims()))


def test_settings_refuse_an_empty_tenant_or_audience():
    with pytest.raises(ValueError):
        TabAuthSettings("", (URI,), "https://login.example/")
    with pytest.raises(ValueError):
        TabAuthSettings(TENANT, (), "https://login.example/")


# --- signed links ---------------------------------------------------------------------------------

KEY = b"k" * 32


def test_a_link_names_its_person_until_it_expires():
    token = tab_link.mint(KEY, OID, 1000.0, 900)
    assert tab_link.verify(KEY, token, 1899.0) == (OID, 1900)
    with pytest.raises(tab_link.LinkError, match="expired"):
        tab_link.verify(KEY, token, 1900.0)


def test_an_altered_or_foreign_link_is_refused():
    token = tab_link.mint(KEY, OID, 1000.0, 900)
    head, tail = token.split(".")
    other = tab_link.mint(KEY, "bbbbbbbb-bbbb-4ccc-8ddd-eeeeeeeeeeee", 1000.0, 900)
    forged = {
        "other key": tab_link.mint(b"x" * 32, OID, 1000.0, 900),
        "payload swapped": other.split(".")[0] + "." + tail,
        "signature cut": head + "." + tail[:-2],
        "one character": head + "." + ("A" if tail[0] != "A" else "B") + tail[1:],
        "no dot": head + tail,
        "two dots": token + ".x",
        "not base64": head + ".!!!!",
        "huge": "a" * 5000 + "." + tail,
        "empty": "",
        "none": None,
    }
    for name, value in forged.items():
        with pytest.raises(tab_link.LinkError):
            tab_link.verify(KEY, value, 1000.0)
        assert name


def test_a_link_is_only_minted_for_an_object_id():
    with pytest.raises(ValueError):
        tab_link.mint(KEY, "x.y", 0, 10)
