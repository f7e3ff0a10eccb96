"""Teams SSO for the portfolio tab: the Entra ID access token that TeamsJS
`authentication.getAuthToken()` gives the page, checked before anything is read.

- The tenant's signing keys come from its OpenID metadata (STYRA_ENTRA_METADATA_URL, by default
  login.microsoftonline.com/<tenant>/v2.0), fetched with aiohttp off the event loop under a hard
  timeout and cached: the same `KeyCache` as the Bot Framework door (bot/teams/auth.py).
- Accepted: RS256 only; issuer of our tenant (v1 `sts.windows.net/<tenant>/` or v2
  `login.microsoftonline.com/<tenant>/v2.0`); audience the Application ID URI
  (`api://<host>/<app id>`, v1 tokens) or the app id (v2 tokens); within its validity (2 minutes
  of clock skew); `tid` our tenant; an `oid`; the delegated scope `access_as_user`.
- Any failure raises `AuthError` with a reason for the log (the page answers 401, no data); key
  trouble raises `KeysUnavailable` (503).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import jwt

from bot.teams.auth import (
    ALGORITHM,
    AuthError,
    AuthSettings,
    KeyCache,
    KeysUnavailable,
    _bearer_token,
    _short,
    decode_token,
)

SCOPE = "access_as_user"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")

__all__ = ["AuthError", "Identity", "KeysUnavailable", "TabAuth", "TabAuthSettings", "issuers_of"]


def issuers_of(tenant_id: str) -> tuple[str, ...]:
    return (f"https://login.microsoftonline.com/{tenant_id}/v2.0", f"https://sts.windows.net/{tenant_id}/")


@dataclass(frozen=True)
class TabAuthSettings:
    tenant_id: str
    audiences: tuple[str, ...]
    metadata_url: str
    fetch_timeout_s: float = 3.0
    leeway_s: float = 120

    def __post_init__(self) -> None:
        if not _GUID.match(self.tenant_id or ""):
            raise ValueError("TabAuthSettings.tenant_id must be the tenant's GUID")
        if not self.audiences or not all(a.strip() for a in self.audiences):
            raise ValueError("TabAuthSettings.audiences must not be empty")

    def key_settings(self) -> AuthSettings:
        return AuthSettings(app_id=self.audiences[0], openid_metadata_url=self.metadata_url,
                            issuer=issuers_of(self.tenant_id)[0], fetch_timeout_s=self.fetch_timeout_s)


@dataclass(frozen=True)
class Identity:
    aad_id: str
    name: str
    expires: int


class TabAuth:
    """Checks a tab's SSO token; `keys` is the tenant's key cache (close it on shutdown)."""

    def __init__(self, settings: TabAuthSettings, keys: KeyCache | None = None) -> None:
        self._settings = settings
        self.keys = keys or KeyCache(settings.key_settings())

    async def identify(self, auth_header: str | None) -> Identity:
        token = _bearer_token(auth_header)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise AuthError("token is not a JWT") from exc
        if header.get("alg") != ALGORITHM:
            raise AuthError(f"algorithm {_short(header.get('alg'))} not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthError("token has no key id")
        key = await self.keys.key_for(kid)
        claims = self._decode(token, key.jwk)
        if claims.get("tid") != self._settings.tenant_id:
            raise AuthError("token of another tenant")
        oid = claims.get("oid")
        if not isinstance(oid, str) or not _GUID.match(oid):
            raise AuthError("token has no object id")
        scopes = claims.get("scp")
        if not isinstance(scopes, str) or SCOPE not in scopes.split():
            raise AuthError(f"token lacks the {SCOPE} scope")
        name = claims.get("name")
        return Identity(oid.lower(), name if isinstance(name, str) else "", int(claims["exp"]))

    def _decode(self, token: str, key: Any) -> dict[str, Any]:
        return decode_token(token, key, audience=list(self._settings.audiences),
                            issuer=list(issuers_of(self._settings.tenant_id)), leeway_s=self._settings.leeway_s,
                            require=("exp", "iss", "aud", "tid", "oid"))
