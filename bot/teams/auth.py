"""Inbound authentication of Bot Framework requests.

Replaces botbuilder's own check, which fetches keys with a blocking `requests.get` inside the event
loop, answers most failures with HTTP 500 and accepts tokens the bot could mint itself. Here:

- keys come from the configured OpenID metadata document with aiohttp, under a hard timeout, cached
  (`KeyCache`); key trouble raises `KeysUnavailable` (the door answers 503);
- every other failure raises `AuthError` with a fixed, precise reason for the log (the door answers
  401 and never shows the reason to the caller);
- only RS256 tokens from issuer `https://api.botframework.com` for our app id, whose `serviceurl`
  claim names the activity's serviceUrl, are accepted.

The tenant is not checked here: Bot Framework channel tokens do not carry it. The door checks the
activity's tenant (and the serviceUrl host allow-list) after `Authenticator.authenticate`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import jwt

log = logging.getLogger(__name__)

ALGORITHM = "RS256"
# Bot Framework names the claim in lower case (botframework-connector: SERVICE_URL_CLAIM).
SERVICE_URL_CLAIM = "serviceurl"
# The key documents are a few kilobytes; refuse to buffer anything absurd.
MAX_DOCUMENT_BYTES = 1024 * 1024
_DEFAULT_PORTS = {"https": 443, "http": 80}


class AuthError(Exception):
    """The request is not authenticated (HTTP 401). `reason` is for the log only."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeysUnavailable(Exception):
    """The signing keys cannot be had in time (HTTP 503)."""


@dataclass(frozen=True)
class AuthSettings:
    app_id: str
    openid_metadata_url: str = "https://login.botframework.com/v1/.well-known/openidconfiguration"
    issuer: str = "https://api.botframework.com"
    fetch_timeout_s: float = 3.0
    cache_ttl_s: float = 24 * 3600
    leeway_s: float = 300  # clock skew allowed on exp/nbf
    # An unknown key id refreshes the key set at most this often (a storm of made-up kids
    # must not turn into a storm of fetches).
    refresh_min_interval_s: float = 30.0
    # After a failed fetch, callers get KeysUnavailable at once for this long instead of each
    # waiting out another timeout.
    retry_after_failure_s: float = 5.0

    def __post_init__(self) -> None:
        # An empty app id would make every audience check meaningless.
        if not self.app_id or not self.app_id.strip():
            raise ValueError("AuthSettings.app_id must not be empty")
        if self.fetch_timeout_s <= 0:
            raise ValueError("AuthSettings.fetch_timeout_s must be positive")


@dataclass(frozen=True)
class SigningKey:
    kid: str
    jwk: jwt.PyJWK
    # None when the key document lists no endorsements (then any channel may use it).
    endorsements: frozenset[str] | None


def parse_jwks(document: Any) -> dict[str, SigningKey]:
    """The usable RS256 signing keys of a JWKS document, by key id. Unusable keys are skipped."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("JWKS document has no 'keys' list")
    keys: dict[str, SigningKey] = {}
    for entry in document["keys"]:
        if not isinstance(entry, dict):
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str) or not kid:
            continue
        if entry.get("use", "sig") != "sig" or entry.get("kty") != "RSA":
            continue
        try:
            jwk = jwt.PyJWK(entry, algorithm=ALGORITHM)
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError) as exc:
            log.warning("skipping unusable signing key %r: %s", kid[:64], exc)
            continue
        endorsements = entry.get("endorsements")
        if isinstance(endorsements, list):
            endorsed = frozenset(e for e in endorsements if isinstance(e, str))
        else:
            endorsed = None
        keys[kid] = SigningKey(kid=kid, jwk=jwk, endorsements=endorsed)
    return keys


class KeyCache:
    """Bot Framework signing keys, fetched with aiohttp and cached.

    Concurrent callers share one in-flight fetch. Stale keys are still served while a background
    refresh runs, so a slow key endpoint never holds up requests whose key we already know.
    """

    def __init__(
        self,
        settings: AuthSettings,
        session_factory: Callable[[], aiohttp.ClientSession] = aiohttp.ClientSession,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._session_factory = session_factory
        self._clock = clock
        self._session: aiohttp.ClientSession | None = None
        self._keys: dict[str, SigningKey] | None = None
        self._fetched_at = 0.0
        self._last_attempt_at: float | None = None
        self._last_attempt_ok = False
        self._inflight: asyncio.Task[None] | None = None

    async def prewarm(self) -> None:
        """Fetch the keys once at start. A failure is logged, never raised: start must not hang."""
        try:
            await asyncio.shield(self._refresh())
        except KeysUnavailable:
            pass  # already logged by the fetch

    async def key_for(self, kid: str) -> SigningKey:
        if (
            self._keys is not None
            and self._stale()
            and self._may_fetch(self._settings.retry_after_failure_s)
        ):
            self._refresh()  # background; the stale key below still serves
        if self._keys is not None and kid in self._keys:
            return self._keys[kid]

        if not self._fetching():
            if self._keys is None:
                if not self._may_fetch(self._settings.retry_after_failure_s):
                    raise KeysUnavailable("signing keys could not be fetched recently")
            elif not self._may_fetch(self._settings.refresh_min_interval_s):
                # The key set was (tried to be) refreshed moments ago: do not fetch again.
                if not self._last_attempt_ok:
                    raise KeysUnavailable("signing keys could not be refreshed recently")
                raise AuthError("unknown key id")
        await asyncio.shield(self._refresh())
        keys = self._keys or {}
        if kid not in keys:
            raise AuthError("unknown key id")
        return keys[kid]

    async def close(self) -> None:
        task, self._inflight = self._inflight, None
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, KeysUnavailable):
                pass
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    # -- internals --

    def _stale(self) -> bool:
        return self._clock() - self._fetched_at >= self._settings.cache_ttl_s

    def _may_fetch(self, min_gap_s: float) -> bool:
        return self._last_attempt_at is None or self._clock() - self._last_attempt_at >= min_gap_s

    def _fetching(self) -> bool:
        return self._inflight is not None and not self._inflight.done()

    def _refresh(self) -> asyncio.Task[None]:
        """The in-flight refresh, started if none is running."""
        if not self._fetching():
            self._last_attempt_at = self._clock()
            self._inflight = asyncio.create_task(self._run_refresh())
            # Background refreshes may have no awaiter; their failure is already logged.
            self._inflight.add_done_callback(_ignore_result)
        assert self._inflight is not None
        return self._inflight

    async def _run_refresh(self) -> None:
        started = self._clock()
        try:
            async with asyncio.timeout(self._settings.fetch_timeout_s):
                keys = await self._fetch()
            if not keys:
                raise ValueError("JWKS document holds no usable RS256 keys")
        except TimeoutError as exc:
            self._last_attempt_ok = False
            log.warning(
                "signing key fetch timed out after %.1f s (%s)",
                self._settings.fetch_timeout_s,
                self._settings.openid_metadata_url,
            )
            raise KeysUnavailable("signing key fetch timed out") from exc
        except Exception as exc:  # any failure of the remote side is "keys unavailable"
            self._last_attempt_ok = False
            log.warning(
                "signing key fetch failed (%s): %s: %s",
                self._settings.openid_metadata_url,
                type(exc).__name__,
                exc,
            )
            raise KeysUnavailable(f"signing key fetch failed: {type(exc).__name__}") from exc
        self._keys = keys
        self._fetched_at = started
        self._last_attempt_ok = True
        log.info("signing keys refreshed: %d keys", len(keys))

    async def _fetch(self) -> dict[str, SigningKey]:
        if self._session is None or self._session.closed:
            self._session = self._session_factory()
        metadata = await self._get_json(self._settings.openid_metadata_url)
        jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
        if not isinstance(jwks_uri, str) or urlsplit(jwks_uri).scheme not in ("https", "http"):
            raise ValueError("OpenID metadata has no usable jwks_uri")
        return parse_jwks(await self._get_json(jwks_uri))

    async def _get_json(self, url: str) -> Any:
        assert self._session is not None
        async with self._session.get(url, headers={"Accept": "application/json"}) as response:
            response.raise_for_status()
            body = await response.content.read(MAX_DOCUMENT_BYTES + 1)
        if len(body) > MAX_DOCUMENT_BYTES:
            raise ValueError(f"key document larger than {MAX_DOCUMENT_BYTES} bytes")
        return json.loads(body)


def _ignore_result(task: asyncio.Task[None]) -> None:
    if not task.cancelled():
        task.exception()


class Authenticator:
    """Validates the Authorization header of an inbound Bot Framework request."""

    def __init__(self, settings: AuthSettings, keys: KeyCache) -> None:
        self._settings = settings
        self._keys = keys

    @property
    def keys(self) -> KeyCache:
        return self._keys

    @property
    def issuer(self) -> str:
        return self._settings.issuer

    async def authenticate(
        self,
        auth_header: str | None,
        service_url: str | None,
        channel_id: str | None = None,
    ) -> dict[str, Any]:
        """The validated claims, or AuthError / KeysUnavailable."""
        claims = await self.verify(auth_header, channel_id)
        check_service_url(claims, service_url)
        return claims

    async def verify(self, auth_header: str | None, channel_id: str | None = None) -> dict[str, Any]:
        """The token's claims after every check except the serviceUrl match (`check_service_url`).

        The door uses the two halves so that a validly signed request without a serviceUrl is a
        400 (bad activity) rather than a 401, while every token defect stays a 401."""
        token = _bearer_token(auth_header)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise AuthError("token is not a JWT") from exc
        alg = header.get("alg")
        if alg != ALGORITHM:
            raise AuthError(f"algorithm {_short(alg)} not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthError("token has no key id")

        key = await self._keys.key_for(kid)
        if channel_id and key.endorsements is not None and channel_id not in key.endorsements:
            raise AuthError(f"channel {_short(channel_id)} not endorsed by the signing key")

        return _decode(token, key, self._settings)


def _bearer_token(auth_header: str | None) -> str:
    if auth_header is None or not auth_header.strip():
        raise AuthError("missing Authorization header")
    scheme, _, token = auth_header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise AuthError("Authorization header is not 'Bearer <token>'")
    return token


def _decode(token: str, key: SigningKey, settings: AuthSettings) -> dict[str, Any]:
    return decode_token(token, key.jwk, audience=settings.app_id, issuer=settings.issuer,
                        leeway_s=settings.leeway_s, require=("exp", "iss", "aud"))


def decode_token(token: str, key: Any, *, audience: str | list[str], issuer: str | list[str],
                 leeway_s: float, require: tuple[str, ...]) -> dict[str, Any]:
    """The token's claims, checked (signature, expiry, issuer, audience, required claims); each
    way of failing is one short AuthError reason, for the bot's tokens and the tab's alike."""
    try:
        return jwt.decode(token, key, algorithms=[ALGORITHM], audience=audience, issuer=issuer,
                          leeway=leeway_s, options={"require": list(require)})
    except jwt.InvalidSignatureError as exc:
        raise AuthError("bad signature") from exc
    except jwt.ExpiredSignatureError as exc:
        raise AuthError("token expired") from exc
    except jwt.ImmatureSignatureError as exc:
        raise AuthError("token not yet valid") from exc
    except jwt.InvalidIssuerError as exc:
        raise AuthError("wrong issuer") from exc
    except jwt.InvalidAudienceError as exc:
        raise AuthError("wrong audience") from exc
    except jwt.MissingRequiredClaimError as exc:
        raise AuthError(f"claim {exc.claim!r} missing") from exc
    except jwt.InvalidAlgorithmError as exc:
        raise AuthError("algorithm not allowed") from exc
    except jwt.DecodeError as exc:
        raise AuthError("token is not a JWT") from exc
    except jwt.InvalidTokenError as exc:
        raise AuthError(f"invalid token: {type(exc).__name__}") from exc


def check_service_url(claims: dict[str, Any], service_url: str | None) -> None:
    if not service_url:
        raise AuthError("activity has no serviceUrl")
    claimed = claims.get(SERVICE_URL_CLAIM)
    if not isinstance(claimed, str) or not claimed:
        raise AuthError(f"{SERVICE_URL_CLAIM} claim missing")
    expected = _url_key(service_url)
    if expected is None or _url_key(claimed) != expected:
        raise AuthError(f"{SERVICE_URL_CLAIM} claim does not match the activity's serviceUrl")


def _url_key(url: str) -> tuple[object, ...] | None:
    """A URL reduced to what makes it the same endpoint: case-insensitive scheme and host, default
    port dropped, trailing '/' ignored. None when it is not an absolute URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if not scheme or not parts.hostname:
        return None
    if port == _DEFAULT_PORTS.get(scheme):
        port = None
    return (
        scheme,
        parts.username,
        parts.password,
        parts.hostname,  # urlsplit lower-cases it
        port,
        parts.path.rstrip("/"),
        parts.query,
        parts.fragment,
    )


def _short(value: object) -> str:
    """An attacker-supplied value, safe and short enough for a log line."""
    return repr(value)[:40]
