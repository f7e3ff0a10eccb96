"""Styra's configuration, read from the environment and an optional `.env` file."""

from __future__ import annotations

import hashlib
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TEAMS_SERVICE_HOSTS = (
    "smba.trafficmanager.net",
    "*.smba.trafficmanager.net",
    "smba.infra.gcc.teams.microsoft.com",
    "smba.infra.gov.teams.microsoft.us",
)


class Environment(StrEnum):
    development = "development"
    production = "production"


def _split(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _https_or_loopback(url: str) -> bool:
    """https, or plain http to this machine (a local key mirror or a test key server)."""
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # Production unless told otherwise: forgetting the variable must not open the door.
    env: Environment = Field(Environment.production, alias="STYRA_ENV")
    host: str | None = Field(None, alias="STYRA_HOST")
    port: int = Field(3978, alias="PORT")
    database_url: str = Field("sqlite:///styra.db", alias="DATABASE_URL")

    app_id: str = Field("", alias="MicrosoftAppId")
    app_password: str = Field("", alias="MicrosoftAppPassword")
    app_type: str = Field("SingleTenant", alias="MicrosoftAppType")
    app_tenant_id: str = Field("", alias="MicrosoftAppTenantId")

    allowed_tenants: Annotated[list[str], NoDecode] = Field(default_factory=list, alias="STYRA_ALLOWED_TENANTS")
    service_url_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(TEAMS_SERVICE_HOSTS), alias="STYRA_SERVICE_URL_HOSTS"
    )
    openid_metadata_url: str = Field(
        "https://login.botframework.com/v1/.well-known/openidconfiguration",
        alias="STYRA_OPENID_METADATA_URL",
    )
    # Seconds to wait for the OpenID metadata and keys before answering 503.
    key_fetch_timeout_s: float = Field(3.0, alias="STYRA_KEY_FETCH_TIMEOUT", gt=0, le=10)
    max_body_bytes: int = Field(256 * 1024, alias="STYRA_MAX_BODY_BYTES", gt=0)

    default_locale: str = Field("sv", alias="STYRA_DEFAULT_LOCALE")
    timezone: str = Field("Europe/Stockholm", alias="STYRA_TIMEZONE")
    admins: Annotated[list[str], NoDecode] = Field(default_factory=list, alias="STYRA_ADMINS")
    demo: bool = Field(True, alias="STYRA_DEMO")
    demo_user: str = Field("00000000-0000-0000-0000-0000000000020", alias="STYRA_DEMO_USER")
    wheel_file: str | None = Field(None, alias="STYRA_WHEEL_FILE")
    scheduler: bool = Field(True, alias="STYRA_SCHEDULER")
    notify_coordinators_in: str = Field("channel", alias="STYRA_NOTIFY_COORDINATORS_IN")
    # New-need notices where an e-area has not chosen: each need, a daily digest, or none.
    need_notices: Literal["each", "digest", "off"] = Field("digest", alias="STYRA_NEED_NOTICES")
    need_digest_hour: int = Field(8, ge=0, le=23, alias="STYRA_NEED_DIGEST_HOUR")  # local time
    # The organisation's own synonyms for similar needs (TOML, shaped like bot/rules/synonyms.toml).
    synonyms_file: str | None = Field(None, alias="STYRA_SYNONYMS_FILE")
    # Needs held by the similar-need index (the newest; about 4 KB each): bounds its memory.
    similar_max_needs: int = Field(20_000, ge=100, alias="STYRA_SIMILAR_MAX_NEEDS")
    # Annual wheel reminders (dialogs/wheel/).
    reminder_grace_hours: int = Field(72, ge=1, alias="STYRA_REMINDER_GRACE_HOURS")
    escalation_working_days: int = Field(5, ge=1, alias="STYRA_ESCALATION_WORKING_DAYS")
    digest_weekday: int = Field(0, ge=0, le=4, alias="STYRA_DIGEST_WEEKDAY")  # 0 = Monday
    reminder_claim_minutes: int = Field(15, ge=1, alias="STYRA_REMINDER_CLAIM_MINUTES")
    reminder_concurrency: int = Field(16, ge=1, alias="STYRA_REMINDER_CONCURRENCY")
    # Commissions: the number series of decided commissions (U-2026-0007).
    commission_prefix: str = Field("U", alias="STYRA_COMMISSION_PREFIX", pattern=r"^[A-ZÅÄÖ]{1,6}$")
    # Status reports: an e-area's report is due N working days before its steering-group meeting
    # (unsubmitted after that, the chair is told); the portfolio roll-up M working days later.
    report_due_working_days: int = Field(2, ge=0, le=20, alias="STYRA_REPORT_DUE_WORKING_DAYS")
    rollup_working_days: int = Field(2, ge=0, le=20, alias="STYRA_ROLLUP_WORKING_DAYS")
    # Where a browser reaches Styra, for links to documents (.docx); none when unset in production.
    public_url: str | None = Field(None, alias="STYRA_PUBLIC_URL")
    # The portfolio tab (/tab/...): the key that signs its short-lived links (at least 32
    # characters; required for the tab in production), how long such a link lives, the
    # Application ID URI its SSO tokens are issued for (default api://<host of
    # STYRA_PUBLIC_URL>/<MicrosoftAppId>) and where the tenant's signing keys are described.
    tab_secret: str = Field("", alias="STYRA_TAB_SECRET", repr=False)
    tab_link_minutes: int = Field(15, ge=1, le=240, alias="STYRA_TAB_LINK_MINUTES")
    tab_app_id_uri: str | None = Field(None, alias="STYRA_TAB_APP_ID_URI")
    entra_metadata_url: str | None = Field(None, alias="STYRA_ENTRA_METADATA_URL")
    # On SIGTERM: seconds to keep sending what is due; the rest waits in the outbox.
    drain_seconds: float = Field(10.0, ge=0, le=300, alias="STYRA_DRAIN_SECONDS")
    # Outbox claims: a short lease renewed while a send is in flight, so a crashed instance's
    # rows are taken over within this time; HTTP posts in flight per instance.
    outbox_lease_seconds: float = Field(20.0, ge=2, le=600, alias="STYRA_OUTBOX_LEASE_SECONDS")
    # A turn's claim on its activity id that was never completed (crash mid-turn) expires after
    # this long, so Teams' resend is processed.
    turn_claim_seconds: float = Field(30.0, ge=1, le=3600, alias="STYRA_TURN_CLAIM_SECONDS")
    send_concurrency: int = Field(8, ge=1, le=64, alias="STYRA_SEND_CONCURRENCY")
    # How long one outbox post may take before it counts as failed (a retry may double it).
    outbox_send_timeout: float = Field(30.0, ge=1, le=120, alias="STYRA_OUTBOX_SEND_TIMEOUT")

    @field_validator("allowed_tenants", "service_url_hosts", "admins", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        return _split(value)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"STYRA_TIMEZONE {value!r} is not a known time zone (e.g. Europe/Stockholm)") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        """STYRA_TIMEZONE: the one time zone of every calendar rule (the wheel, years, dates)."""
        return ZoneInfo(self.timezone)

    @property
    def production(self) -> bool:
        return self.env is Environment.production

    @property
    def auth_enabled(self) -> bool:
        # Development without an app id runs open (the Agents Playground sends no token).
        return self.production or bool(self.app_id)

    @cached_property
    def bind_host(self) -> str:
        if self.host:
            return self.host
        return "0.0.0.0" if self.production else "127.0.0.1"

    @property
    def admin_ids(self) -> frozenset[str]:
        """Configured admins; in development with the demo, the demo user administers too."""
        ids = set(self.admins)
        if self.demo and not self.production:
            ids.add(self.demo_user)
        return frozenset(ids)

    @property
    def document_base_url(self) -> str | None:
        """The base of document links: STYRA_PUBLIC_URL, or this machine in development."""
        if self.public_url:
            return self.public_url.rstrip("/")
        return None if self.production else f"http://{self.bind_host}:{self.port}"

    @property
    def tab_signing_key(self) -> bytes | None:
        """The key of the tab's signed links; None turns the tab off (production without a secret).

        Development without STYRA_TAB_SECRET derives one from the database URL, so a link the
        bot handed out still opens after `make run` restarts (development listens on loopback)."""
        if self.tab_secret:
            return self.tab_secret.encode("utf-8")
        if self.production:
            return None
        return hashlib.sha256(f"styra-development-tab|{self.database_url}".encode()).digest()

    @property
    def tab_audiences(self) -> tuple[str, ...]:
        """What an SSO token's `aud` may be: the Application ID URI (v1 tokens) or the app id (v2)."""
        uri = self.tab_app_id_uri
        if not uri and self.public_url and self.app_id:
            uri = f"api://{urlsplit(self.public_url).netloc}/{self.app_id}"
        return tuple(a for a in (uri, self.app_id) if a)

    @property
    def entra_openid_url(self) -> str | None:
        if self.entra_metadata_url:
            return self.entra_metadata_url
        if not self.app_tenant_id:
            return None
        return f"https://login.microsoftonline.com/{self.app_tenant_id}/v2.0/.well-known/openid-configuration"

    @property
    def tab_sso(self) -> bool:
        """SSO in the tab needs the app registration and its tenant."""
        return bool(self.app_id and self.app_tenant_id and self.entra_openid_url and self.tab_audiences)

    def problems(self) -> list[str]:
        """What stops a start; empty when the configuration may run."""
        if not self.production:
            # With an app id the door authenticates; it must also know whose tenant it serves.
            if self.app_id and not (self.allowed_tenants or self.app_tenant_id):
                return ["MicrosoftAppTenantId or STYRA_ALLOWED_TENANTS is required when MicrosoftAppId is set"]
            return []
        required = [("MicrosoftAppId", self.app_id), ("MicrosoftAppTenantId", self.app_tenant_id)]
        if self.app_type != "UserAssignedMSI":  # a managed identity has no secret
            required.append(("MicrosoftAppPassword", self.app_password))
        missing = [name for name, value in required if not value]
        problems = [f"{name} is required when STYRA_ENV=production" for name in missing]
        if self.app_type not in ("SingleTenant", "UserAssignedMSI"):
            problems.append("MicrosoftAppType must be SingleTenant or UserAssignedMSI in production")
        if not _https_or_loopback(self.openid_metadata_url):
            problems.append("STYRA_OPENID_METADATA_URL must be an https URL in production")
        if self.tab_secret and len(self.tab_secret) < 32:
            problems.append("STYRA_TAB_SECRET must be at least 32 characters")
        if self.entra_metadata_url and not _https_or_loopback(self.entra_metadata_url):
            problems.append("STYRA_ENTRA_METADATA_URL must be an https URL in production")
        if not self.service_url_hosts:
            problems.append("STYRA_SERVICE_URL_HOSTS must name at least one Teams service host")
        return problems
