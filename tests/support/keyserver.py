"""A local stand-in for the Bot Framework key endpoints, and tokens to send against it.

`KeyServer` is an aiohttp app on 127.0.0.1 (random port) serving

- the OpenID metadata document at `/v1/.well-known/openidconfiguration`, whose `jwks_uri` points to
- a JWKS at `/v1/.well-known/keys` with freshly generated RSA keys (with Bot Framework's
  `endorsements` field, `["msteams"]` unless told otherwise).

It counts requests (`requests["metadata"]`, `requests["jwks"]`), can stall (the server waits, the
client's timeout fires), fail with an HTTP status, and rotate keys::

    async with KeyServer() as ks:
        keys = KeyCache(ks.settings())
        auth = Authenticator(ks.settings(), keys)
        claims = await auth.authenticate(bearer(valid_token(ks.key)), SERVICE_URL, "msteams")

    ks.stall()            # requests wait until ks.release() or close (or `seconds`)
    await ks.wait_stalled()
    ks.fail(500)          # every request answers 500 until ks.serve_normally()
    new = ks.rotate()     # new signing key; keep_old=True keeps serving the old one too

Token helpers take the `TestKey` to sign with and produce one defect each: `valid_token`,
`expired_token`, `not_yet_valid_token`, `wrong_audience_token`, `wrong_issuer_token`,
`wrong_service_url_token`, `foreign_tenant_token`, `missing_service_url_token`, `alg_none_token`,
`hs256_token`, `missing_kid_token`, `unknown_kid_token`, `unknown_key_token`, `garbage_token`.
`mint(key, claims, kid=..., alg=...)` builds anything else. Real Bot Framework channel tokens carry
`iss`, `aud`, `serviceurl` (lower case), `nbf` and `exp`; they carry no tenant, so valid tokens
here have no `tid` unless one is passed.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot.teams.auth import AuthSettings

APP_ID = "5f0c7b1e-0000-4000-8000-00000000a11d"
SERVICE_URL = "https://smba.trafficmanager.net/emea/"
ISSUER = "https://api.botframework.com"
# Issuer of tokens the Bot Framework Emulator / skills use (the SDK accepts them; Styra must not).
EMULATOR_ISSUER = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"
TENANT_ID = "11111111-2222-4333-8444-555555555555"
FOREIGN_TENANT_ID = "99999999-8888-4777-8666-555555555555"
CHANNEL_ID = "msteams"

METADATA_PATH = "/v1/.well-known/openidconfiguration"
JWKS_PATH = "/v1/.well-known/keys"

_KEY_KID: Any = object()  # mint(): use the signing key's own kid


@dataclass
class TestKey:
    """An RSA signing key as the key server publishes it."""

    __test__ = False  # not a pytest test class

    kid: str
    private_key: rsa.RSAPrivateKey
    endorsements: tuple[str, ...] | None = (CHANNEL_ID,)

    @classmethod
    def generate(
        cls, kid: str | None = None, endorsements: Iterable[str] | None = (CHANNEL_ID,)
    ) -> TestKey:
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return cls(
            kid=kid or f"test-{secrets.token_hex(6)}",
            private_key=private_key,
            endorsements=None if endorsements is None else tuple(endorsements),
        )

    def public_jwk(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        jwk.update({"kid": self.kid, "use": "sig"})
        if self.endorsements is not None:
            jwk["endorsements"] = list(self.endorsements)
        return jwk

    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


@dataclass
class KeyServer:
    """OpenID metadata + JWKS on 127.0.0.1:<random port>. Use `async with` (or start()/close())."""

    keys: list[TestKey] = field(default_factory=lambda: [TestKey.generate()])
    requests: collections.Counter[str] = field(default_factory=collections.Counter)
    _fail_status: int | None = None
    _stall_s: float | None = None
    _release: asyncio.Event = field(default_factory=asyncio.Event)
    _stalled: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None
    _port: int | None = None

    async def __aenter__(self) -> KeyServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get(METADATA_PATH, self._metadata)
        app.router.add_get(JWKS_PATH, self._jwks)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def close(self) -> None:
        self._release.set()  # let stalled handlers finish so shutdown does not wait on them
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- where it is --

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("KeyServer is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def metadata_url(self) -> str:
        return self.base_url + METADATA_PATH

    @property
    def jwks_url(self) -> str:
        return self.base_url + JWKS_PATH

    def settings(self, app_id: str = APP_ID, **overrides: Any) -> AuthSettings:
        """AuthSettings pointing at this server; tests of a stalled server set their own short timeout."""
        values: dict[str, Any] = {"openid_metadata_url": self.metadata_url, "fetch_timeout_s": 5.0}
        values.update(overrides)
        return AuthSettings(app_id=app_id, **values)

    # -- what it serves --

    @property
    def key(self) -> TestKey:
        """The current signing key (the newest one served)."""
        return self.keys[0]

    def rotate(
        self, *, keep_old: bool = False, endorsements: Iterable[str] | None = (CHANNEL_ID,)
    ) -> TestKey:
        """Publish a new signing key (first in the set); drop the old ones unless keep_old."""
        new = TestKey.generate(endorsements=endorsements)
        self.keys = [new, *self.keys] if keep_old else [new]
        return new

    # -- how it behaves --

    def stall(self, seconds: float = 60.0) -> None:
        """Hold every request for `seconds` (or until release()/close()) before answering."""
        self._stall_s = seconds
        if self._release.is_set():
            self._release = asyncio.Event()
            self._stalled = asyncio.Event()

    def release(self) -> None:
        """End all stalls: held requests answer now, later ones at once."""
        self._stall_s = None
        self._release.set()

    async def wait_stalled(self, limit_s: float = 5.0) -> None:
        """Wait until a request is being held by stall() (fails after `limit_s`)."""
        async with asyncio.timeout(limit_s):
            await self._stalled.wait()

    def fail(self, status: int = 500) -> None:
        """Answer every request with `status` until serve_normally()."""
        self._fail_status = status

    def serve_normally(self) -> None:
        self._fail_status = None
        self.release()

    # -- handlers --

    async def _behave(self) -> web.Response | None:
        if self._stall_s is not None:
            self._stalled.set()
            try:
                await asyncio.wait_for(self._release.wait(), self._stall_s)
            except TimeoutError:
                pass
        if self._fail_status is not None:
            return web.json_response({"error": "unavailable"}, status=self._fail_status)
        return None

    async def _metadata(self, request: web.Request) -> web.Response:
        self.requests["metadata"] += 1
        failure = await self._behave()
        if failure is not None:
            return failure
        return web.json_response(
            {
                "issuer": ISSUER,
                "authorization_endpoint": "https://invalid.botframework.com",
                "jwks_uri": self.jwks_url,
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            }
        )

    async def _jwks(self, request: web.Request) -> web.Response:
        self.requests["jwks"] += 1
        failure = await self._behave()
        if failure is not None:
            return failure
        return web.json_response({"keys": [key.public_jwk() for key in self.keys]})


# -- tokens --


def claims(
    *,
    app_id: str = APP_ID,
    service_url: str | None = SERVICE_URL,
    issuer: str | None = ISSUER,
    now: float | None = None,
    lifetime_s: float = 3600,
    **extra: Any,
) -> dict[str, Any]:
    """Claims of a valid Bot Framework channel token; `extra` adds or overrides (None drops)."""
    now = time.time() if now is None else now
    result: dict[str, Any] = {
        "iss": issuer,
        "aud": app_id,
        "serviceurl": service_url,
        "nbf": int(now) - 60,
        "exp": int(now + lifetime_s),
    }
    result.update(extra)
    return {name: value for name, value in result.items() if value is not None}


def mint(
    key: TestKey,
    token_claims: dict[str, Any] | None = None,
    *,
    kid: str | None = _KEY_KID,
    alg: str = "RS256",
    secret: bytes | None = None,
    **claim_overrides: Any,
) -> str:
    """A JWT for `token_claims` (default: `claims(**claim_overrides)`).

    alg "RS256" signs with `key`; "none" leaves the signature empty; "HS256" signs with `secret`,
    by default `key`'s public PEM (the classic algorithm-confusion forgery, which PyJWT refuses to
    build, so those two are assembled by hand). kid=None leaves the kid out; a string names another.
    """
    payload = claims(**claim_overrides) if token_claims is None else dict(token_claims)
    headers: dict[str, Any] = {"alg": alg, "typ": "JWT"}
    if kid is _KEY_KID:
        headers["kid"] = key.kid
    elif kid is not None:
        headers["kid"] = kid
    if alg == "RS256":
        return jwt.encode(payload, key.private_key, algorithm="RS256", headers=headers)
    if alg == "none":
        return _raw_token(headers, payload, lambda _: b"")
    if alg == "HS256":
        hmac_key = key.public_pem() if secret is None else secret
        return _raw_token(
            headers, payload, lambda data: hmac.new(hmac_key, data, hashlib.sha256).digest()
        )
    raise ValueError(f"mint() cannot sign with {alg!r}")


def bearer(token: str) -> str:
    return f"Bearer {token}"


def valid_token(key: TestKey, **claim_overrides: Any) -> str:
    return mint(key, **claim_overrides)


def expired_token(key: TestKey) -> str:
    # Well past any leeway: issued two days ago, expired a day ago.
    return mint(key, now=time.time() - 2 * 86400, lifetime_s=86400)


def not_yet_valid_token(key: TestKey) -> str:
    now = time.time()
    return mint(key, nbf=int(now + 3600), exp=int(now + 7200))


def wrong_audience_token(key: TestKey) -> str:
    return mint(key, app_id="00000000-0000-0000-0000-00000000beef")


def wrong_issuer_token(key: TestKey, issuer: str = EMULATOR_ISSUER) -> str:
    return mint(key, issuer=issuer)


def wrong_service_url_token(key: TestKey) -> str:
    return mint(key, service_url="https://evil.example.net/emea/")


def missing_service_url_token(key: TestKey) -> str:
    return mint(key, service_url=None)


def foreign_tenant_token(key: TestKey, tid: str = FOREIGN_TENANT_ID) -> str:
    return mint(key, tid=tid)


def missing_kid_token(key: TestKey) -> str:
    return mint(key, kid=None)


def unknown_kid_token(key: TestKey) -> str:
    """Signed by `key` but naming a kid the server never published."""
    return mint(key, kid=f"unknown-{secrets.token_hex(4)}")


def unknown_key_token(key: TestKey) -> str:
    """Names `key`'s kid but is signed by a key nobody published (a forgery)."""
    forger = TestKey.generate(kid=key.kid)
    return mint(forger)


def alg_none_token(key: TestKey) -> str:
    """Unsigned (`alg: none`) token carrying `key`'s kid and valid claims."""
    return mint(key, alg="none")


def hs256_token(key: TestKey, secret: bytes | None = None) -> str:
    """HS256 token with `key`'s kid, HMAC'd with `secret` (default: the public key PEM)."""
    return mint(key, alg="HS256", secret=secret)


def garbage_token() -> str:
    return "not-a.jwt-at-all"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _raw_token(header: dict[str, Any], payload: dict[str, Any], sign: Any) -> str:
    signing_input = (
        _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(payload).encode())
    ).encode("ascii")
    return signing_input.decode("ascii") + "." + _b64(sign(signing_input))
