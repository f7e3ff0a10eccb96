"""Styra's own inbound authentication (bot/auth.py) against a local key server."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from bot.teams.auth import (
    Authenticator,
    AuthError,
    AuthSettings,
    KeyCache,
    KeysUnavailable,
    parse_jwks,
)
from tests.support.keyserver import (
    APP_ID,
    CHANNEL_ID,
    FOREIGN_TENANT_ID,
    SERVICE_URL,
    KeyServer,
    TestKey,
    alg_none_token,
    bearer,
    expired_token,
    foreign_tenant_token,
    garbage_token,
    hs256_token,
    mint,
    missing_kid_token,
    missing_service_url_token,
    not_yet_valid_token,
    unknown_key_token,
    unknown_kid_token,
    valid_token,
    wrong_audience_token,
    wrong_issuer_token,
    wrong_service_url_token,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
async def ks():
    async with KeyServer() as server:
        yield server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def keys(ks: KeyServer, clock: FakeClock):
    cache = KeyCache(ks.settings(), clock=clock)
    yield cache
    await cache.close()


@pytest.fixture
def auth(ks: KeyServer, keys: KeyCache) -> Authenticator:
    return Authenticator(ks.settings(), keys)


async def refused(
    auth: Authenticator,
    header: str | None,
    service_url: str | None = SERVICE_URL,
    channel_id: str | None = CHANNEL_ID,
) -> str:
    with pytest.raises(AuthError) as info:
        await auth.authenticate(header, service_url, channel_id)
    return info.value.reason


# -- accepted --


async def test_valid_token_returns_its_claims(ks: KeyServer, auth: Authenticator) -> None:
    claims = await auth.authenticate(bearer(valid_token(ks.key)), SERVICE_URL, CHANNEL_ID)
    assert claims["aud"] == APP_ID
    assert claims["iss"] == "https://api.botframework.com"
    assert claims["serviceurl"] == SERVICE_URL


async def test_foreign_tenant_is_left_to_the_door_with_tid_in_the_claims(
    ks: KeyServer, auth: Authenticator
) -> None:
    claims = await auth.authenticate(bearer(foreign_tenant_token(ks.key)), SERVICE_URL, CHANNEL_ID)
    assert claims["tid"] == FOREIGN_TENANT_ID


@pytest.mark.parametrize(
    "activity_service_url",
    [
        "https://smba.trafficmanager.net/emea",
        "https://SMBA.TrafficManager.net/emea/",
        "HTTPS://smba.trafficmanager.net:443/emea/",
    ],
)
async def test_service_url_matches_without_trailing_slash_and_host_case(
    ks: KeyServer, auth: Authenticator, activity_service_url: str
) -> None:
    claims = await auth.authenticate(bearer(valid_token(ks.key)), activity_service_url, CHANNEL_ID)
    assert claims["serviceurl"] == SERVICE_URL


async def test_clock_skew_within_leeway_is_accepted(ks: KeyServer, auth: Authenticator) -> None:
    # Expired 100 s ago; the leeway is 300 s.
    token = mint(ks.key, now=time.time() - 3700, lifetime_s=3600)
    claims = await auth.authenticate(bearer(token), SERVICE_URL, CHANNEL_ID)
    assert claims["aud"] == APP_ID


async def test_bearer_scheme_is_case_insensitive(ks: KeyServer, auth: Authenticator) -> None:
    claims = await auth.authenticate("bearer " + valid_token(ks.key), SERVICE_URL, CHANNEL_ID)
    assert claims["aud"] == APP_ID


# -- refused: the header --


@pytest.mark.parametrize("header", [None, "", "   "])
async def test_missing_header_is_refused(auth: Authenticator, header: str | None) -> None:
    assert await refused(auth, header) == "missing Authorization header"


@pytest.mark.parametrize(
    "header", ["Basic dXNlcjpwdw==", "Bearer", "Bearer   ", "Bearer a b", "token"]
)
async def test_header_that_is_not_bearer_is_refused(auth: Authenticator, header: str) -> None:
    assert await refused(auth, header) == "Authorization header is not 'Bearer <token>'"


async def test_garbage_token_is_refused(auth: Authenticator) -> None:
    assert await refused(auth, bearer(garbage_token())) == "token is not a JWT"


# -- refused: algorithm and key --


async def test_alg_none_is_refused_without_fetching_keys(
    ks: KeyServer, auth: Authenticator
) -> None:
    assert await refused(auth, bearer(alg_none_token(ks.key))) == "algorithm 'none' not allowed"
    assert ks.requests["jwks"] == 0


async def test_hs256_forgery_with_public_key_as_secret_is_refused(
    ks: KeyServer, auth: Authenticator
) -> None:
    assert await refused(auth, bearer(hs256_token(ks.key))) == "algorithm 'HS256' not allowed"


async def test_self_minted_hs256_token_is_refused(ks: KeyServer, auth: Authenticator) -> None:
    # What a bot could mint with its own app password.
    token = hs256_token(ks.key, secret=b"the-bot-app-password-0123456789abcdef")
    assert await refused(auth, bearer(token)) == "algorithm 'HS256' not allowed"


async def test_token_without_kid_is_refused(ks: KeyServer, auth: Authenticator) -> None:
    assert await refused(auth, bearer(missing_kid_token(ks.key))) == "token has no key id"


async def test_unknown_kid_refreshes_once_then_is_refused(
    ks: KeyServer, keys: KeyCache, auth: Authenticator, clock: FakeClock
) -> None:
    await keys.prewarm()
    clock.tick(31)
    assert await refused(auth, bearer(unknown_kid_token(ks.key))) == "unknown key id"
    assert ks.requests["jwks"] == 2  # prewarm + the one refresh


async def test_unknown_kid_storm_does_not_refetch_within_30_s(
    ks: KeyServer, keys: KeyCache, auth: Authenticator, clock: FakeClock
) -> None:
    await keys.prewarm()
    clock.tick(31)
    for _ in range(5):
        assert await refused(auth, bearer(unknown_kid_token(ks.key))) == "unknown key id"
        clock.tick(1)
    assert ks.requests["jwks"] == 2
    clock.tick(30)
    assert await refused(auth, bearer(unknown_kid_token(ks.key))) == "unknown key id"
    assert ks.requests["jwks"] == 3


async def test_token_signed_by_unknown_key_is_refused(ks: KeyServer, auth: Authenticator) -> None:
    assert await refused(auth, bearer(unknown_key_token(ks.key))) == "bad signature"


async def test_channel_not_endorsed_by_key_is_refused(ks: KeyServer, auth: Authenticator) -> None:
    token = bearer(valid_token(ks.key))
    assert (
        await refused(auth, token, channel_id="webchat")
        == "channel 'webchat' not endorsed by the signing key"
    )
    # Without a channel id the activity makes no claim the endorsements could contradict.
    claims = await auth.authenticate(token, SERVICE_URL, None)
    assert claims["aud"] == APP_ID


async def test_key_without_endorsements_serves_any_channel(auth: Authenticator) -> None:
    async with KeyServer(keys=[TestKey.generate(endorsements=None)]) as server:
        cache = KeyCache(server.settings())
        try:
            open_auth = Authenticator(server.settings(), cache)
            claims = await open_auth.authenticate(
                bearer(valid_token(server.key)), SERVICE_URL, "webchat"
            )
        finally:
            await cache.close()
    assert claims["aud"] == APP_ID


# -- refused: claims --


async def test_expired_token_is_refused(ks: KeyServer, auth: Authenticator) -> None:
    assert await refused(auth, bearer(expired_token(ks.key))) == "token expired"


async def test_not_yet_valid_token_is_refused(ks: KeyServer, auth: Authenticator) -> None:
    assert await refused(auth, bearer(not_yet_valid_token(ks.key))) == "token not yet valid"


async def test_token_without_exp_is_refused(ks: KeyServer, auth: Authenticator) -> None:
    assert await refused(auth, bearer(mint(ks.key, exp=None))) == "claim 'exp' missing"


async def test_wrong_issuer_is_refused(ks: KeyServer, auth: Authenticator) -> None:
    # The emulator/skill issuer botbuilder would accept with any serviceUrl.
    assert await refused(auth, bearer(wrong_issuer_token(ks.key))) == "wrong issuer"


async def test_wrong_audience_is_refused(ks: KeyServer, auth: Authenticator) -> None:
    assert await refused(auth, bearer(wrong_audience_token(ks.key))) == "wrong audience"


async def test_wrong_service_url_is_refused(ks: KeyServer, auth: Authenticator) -> None:
    reason = await refused(auth, bearer(wrong_service_url_token(ks.key)))
    assert reason == "serviceurl claim does not match the activity's serviceUrl"


@pytest.mark.parametrize(
    "activity_service_url",
    [
        "https://smba.trafficmanager.net/EMEA/",  # paths are case-sensitive
        "http://smba.trafficmanager.net/emea/",
        "https://smba.trafficmanager.net:8443/emea/",
        "https://smba.trafficmanager.net/emea/../amer/",
        "not a url",
    ],
)
async def test_service_url_near_misses_are_refused(
    ks: KeyServer, auth: Authenticator, activity_service_url: str
) -> None:
    reason = await refused(auth, bearer(valid_token(ks.key)), service_url=activity_service_url)
    assert reason == "serviceurl claim does not match the activity's serviceUrl"


async def test_missing_service_url_claim_is_refused(ks: KeyServer, auth: Authenticator) -> None:
    reason = await refused(auth, bearer(missing_service_url_token(ks.key)))
    assert reason == "serviceurl claim missing"


@pytest.mark.parametrize("activity_service_url", [None, ""])
async def test_activity_without_service_url_is_refused(
    ks: KeyServer, auth: Authenticator, activity_service_url: str | None
) -> None:
    reason = await refused(auth, bearer(valid_token(ks.key)), service_url=activity_service_url)
    assert reason == "activity has no serviceUrl"


def test_settings_refuse_an_empty_app_id() -> None:
    with pytest.raises(ValueError):
        AuthSettings(app_id=" ")


# -- key fetching --


async def test_prewarm_failure_is_logged_not_raised(
    ks: KeyServer, keys: KeyCache, auth: Authenticator, clock: FakeClock, caplog
) -> None:
    ks.fail(500)
    with caplog.at_level(logging.WARNING, logger="bot.teams.auth"):
        await keys.prewarm()
    assert "signing key fetch failed" in caplog.text

    # Right after a failure callers get 503 at once, without another fetch.
    with pytest.raises(KeysUnavailable):
        await auth.authenticate(bearer(valid_token(ks.key)), SERVICE_URL, CHANNEL_ID)
    assert ks.requests["metadata"] == 1

    ks.serve_normally()
    clock.tick(5)
    claims = await auth.authenticate(bearer(valid_token(ks.key)), SERVICE_URL, CHANNEL_ID)
    assert claims["aud"] == APP_ID


async def test_stalled_key_server_gives_keys_unavailable_within_timeout(
    ks: KeyServer, clock: FakeClock
) -> None:
    settings = ks.settings(fetch_timeout_s=0.5)
    cache = KeyCache(settings, clock=clock)
    auth = Authenticator(settings, cache)
    ks.stall()
    try:
        started = time.monotonic()
        pending = asyncio.create_task(
            auth.authenticate(bearer(valid_token(ks.key)), SERVICE_URL, CHANNEL_ID)
        )
        # The loop keeps serving other work while the key fetch hangs.
        await ks.wait_stalled()
        assert not pending.done()
        with pytest.raises(KeysUnavailable):
            await pending
        assert time.monotonic() - started < 3.0
    finally:
        await cache.close()


async def test_stale_keys_still_serve_while_refresh_hangs(
    ks: KeyServer, keys: KeyCache, auth: Authenticator, clock: FakeClock
) -> None:
    await keys.prewarm()
    clock.tick(24 * 3600 + 1)
    ks.stall()
    claims = await auth.authenticate(bearer(valid_token(ks.key)), SERVICE_URL, CHANNEL_ID)
    assert claims["aud"] == APP_ID
    await ks.wait_stalled()  # the refresh did start, in the background
    assert ks.requests["metadata"] == 2


async def test_key_rotation_is_picked_up_by_refresh(
    ks: KeyServer, keys: KeyCache, auth: Authenticator, clock: FakeClock
) -> None:
    await keys.prewarm()
    new_key = ks.rotate()
    clock.tick(31)
    claims = await auth.authenticate(bearer(valid_token(new_key)), SERVICE_URL, CHANNEL_ID)
    assert claims["aud"] == APP_ID
    assert ks.requests["jwks"] == 2


async def test_concurrent_callers_share_one_refresh(
    ks: KeyServer, keys: KeyCache, auth: Authenticator, clock: FakeClock
) -> None:
    await keys.prewarm()
    new_key = ks.rotate()
    clock.tick(31)
    ks.stall()
    header = bearer(valid_token(new_key))
    callers = [
        asyncio.create_task(auth.authenticate(header, SERVICE_URL, CHANNEL_ID)) for _ in range(10)
    ]
    await ks.wait_stalled()
    ks.release()
    results = await asyncio.gather(*callers)
    assert [claims["aud"] for claims in results] == [APP_ID] * 10
    assert ks.requests["metadata"] == 2
    assert ks.requests["jwks"] == 2


def test_jwks_parsing_keeps_only_usable_rsa_signing_keys() -> None:
    good = TestKey.generate(kid="good")
    encryption = TestKey.generate(kid="enc").public_jwk() | {"use": "enc"}
    broken = good.public_jwk() | {"kid": "broken", "n": "!!"}
    document = {
        "keys": [
            good.public_jwk(),
            encryption,
            broken,
            {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
            {"kty": "RSA"},
            "not a key",
        ]
    }
    keys = parse_jwks(document)
    assert list(keys) == ["good"]
    assert keys["good"].endorsements == frozenset({CHANNEL_ID})
    with pytest.raises(ValueError):
        parse_jwks({"no": "keys"})
