"""Authentication through the real HTTP route, with tokens minted by a local key server.

Every hostile token is a 401 with its reason in the log and nothing stored; key trouble is a
503 within seconds while /healthz keeps answering."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.support.botkit import STRANGER
from tests.support.keyserver import (
    KeyServer,
    alg_none_token,
    bearer,
    expired_token,
    garbage_token,
    hs256_token,
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
from tests.teams.doorkit import auth_env, counts, post_raw, start

NOTHING = {"processed_activity": 0, "person": 0, "conversation_ref": 0, "bot_state": 0}


@pytest.fixture
def outbound_token(monkeypatch):
    """Styra's own outbound token would come from Entra ID; here the connector is fake anyway."""
    from botframework.connector.auth import MicrosoftAppCredentials

    monkeypatch.setattr(MicrosoftAppCredentials, "get_access_token", lambda self, force_refresh=False: "test-token")


@pytest.fixture
async def ks():
    async with KeyServer() as server:
        yield server


@pytest.fixture
async def authbot(db_url, connector, ks, outbound_token):
    # No demo org: "nothing stored" then means every table is empty.
    harness = await start(db_url, connector, STYRA_DEMO="0", **auth_env(ks))
    yield harness
    await harness.close(connector_too=False)


def _message(bot, text: str = "help") -> dict:
    return bot.activity(STRANGER, text=text)


async def _post(bot, body: dict, authorization: str | None):
    headers = {} if authorization is None else {"Authorization": authorization}
    return await post_raw(bot, body, headers=headers)


def _logged(caplog, reason: str) -> bool:
    return any(reason in r.getMessage() for r in caplog.records if r.name == "styra.door")


async def test_a_valid_token_is_admitted_and_answered(authbot, ks):
    body = _message(authbot)
    response = await _post(authbot, body, bearer(valid_token(ks.key, service_url=body["serviceUrl"])))
    assert response.status in (200, 201), await response.text()
    assert any("What can I help you with?" in s.all_text() for s in authbot.connector.sent)
    stored = await counts(authbot)
    assert stored["person"] == 1 and stored["processed_activity"] == 1


HOSTILE = [
    ("missing-header", lambda ks, url: None, "missing Authorization header"),
    ("empty-header", lambda ks, url: "", "missing Authorization header"),
    ("not-bearer", lambda ks, url: "Basic dXNlcjpwYXNz", "not 'Bearer <token>'"),
    ("bearer-no-token", lambda ks, url: "Bearer ", "not 'Bearer <token>'"),
    ("garbage", lambda ks, url: bearer(garbage_token()), "not a JWT"),
    ("wrong-signature", lambda ks, url: bearer(unknown_key_token(ks.key)), "bad signature"),
    ("alg-none", lambda ks, url: bearer(alg_none_token(ks.key)), "algorithm 'none' not allowed"),
    ("hs256-confusion", lambda ks, url: bearer(hs256_token(ks.key)), "algorithm 'HS256' not allowed"),
    ("unknown-kid", lambda ks, url: bearer(unknown_kid_token(ks.key)), "unknown key id"),
    ("missing-kid", lambda ks, url: bearer(missing_kid_token(ks.key)), "no key id"),
    ("expired", lambda ks, url: bearer(expired_token(ks.key)), "token expired"),
    ("not-yet-valid", lambda ks, url: bearer(not_yet_valid_token(ks.key)), "not yet valid"),
    ("wrong-issuer", lambda ks, url: bearer(wrong_issuer_token(ks.key)), "wrong issuer"),
    ("wrong-audience", lambda ks, url: bearer(wrong_audience_token(ks.key)), "wrong audience"),
    ("other-service-url", lambda ks, url: bearer(wrong_service_url_token(ks.key)), "does not match"),
    ("no-service-url-claim", lambda ks, url: bearer(missing_service_url_token(ks.key)), "serviceurl claim missing"),
]


@pytest.mark.parametrize(("make", "reason"), [(m, r) for _, m, r in HOSTILE], ids=[i for i, _, _ in HOSTILE])
async def test_every_authentication_failure_is_401_and_stores_nothing(authbot, ks, caplog, make, reason):
    body = _message(authbot)
    response = await _post(authbot, body, make(ks, body["serviceUrl"]))
    assert response.status == 401, await response.text()
    assert await response.json() == {"error": "unauthorized"}, "the caller learns no detail"
    assert _logged(caplog, reason), [r.getMessage() for r in caplog.records]
    assert authbot.connector.sent == []
    assert await counts(authbot) == NOTHING


async def test_a_valid_token_for_an_activity_without_service_url_is_400(authbot, ks, caplog):
    body = _message(authbot)
    token = valid_token(ks.key, service_url=body.pop("serviceUrl"))
    response = await _post(authbot, body, bearer(token))
    assert response.status == 400
    assert _logged(caplog, "activity lacks serviceUrl")
    assert await counts(authbot) == NOTHING


async def test_a_bad_token_without_service_url_is_still_401(authbot, ks):
    body = _message(authbot)
    del body["serviceUrl"]
    response = await _post(authbot, body, bearer(expired_token(ks.key)))
    assert response.status == 401


async def test_a_key_endorsed_for_another_channel_is_401(db_url, connector, outbound_token):
    async with KeyServer() as other:
        other.rotate(endorsements=["webchat"])
        bot = await start(db_url, connector, STYRA_DEMO="0", **auth_env(other))
        try:
            body = _message(bot)
            response = await _post(bot, body, bearer(valid_token(other.key, service_url=body["serviceUrl"])))
            assert response.status == 401
            assert await counts(bot) == NOTHING
        finally:
            await bot.close(connector_too=False)


# --- key trouble ----------------------------------------------------------------------------


async def test_stalled_key_server_gives_503_fast_while_healthz_answers(db_url, connector, ks, caplog):
    ks.stall(seconds=30)
    bot = await start(db_url, connector, STYRA_DEMO="0", **auth_env(ks, STYRA_KEY_FETCH_TIMEOUT="1"))
    try:
        await ks.wait_stalled()  # the start-up pre-warm is now stuck on the key server
        body = _message(bot)
        token = bearer(valid_token(ks.key, service_url=body["serviceUrl"]))
        started = time.monotonic()
        message = asyncio.ensure_future(_post(bot, body, token))

        health_times = []
        # probed while the key server stalls (30 s), also when the 503 came before the second probe
        while not message.done() or len(health_times) < 2:
            probe_started = time.monotonic()
            health = await bot.client.get("/healthz")
            health_times.append(time.monotonic() - probe_started)
            assert health.status == 200
            assert (await health.json())["status"] == "ok"
            if len(health_times) >= 200:
                break
        response = await message
        elapsed = time.monotonic() - started

        assert response.status == 503
        assert await response.json() == {"error": "service unavailable"}
        assert elapsed < 3.0, elapsed
        assert len(health_times) >= 2 and max(health_times) < 0.5, health_times
        assert _logged(caplog, "signing keys unavailable")
        assert await counts(bot) == NOTHING
    finally:
        await bot.close(connector_too=False)


async def test_failing_key_server_gives_503(db_url, connector, ks):
    ks.fail(500)
    bot = await start(db_url, connector, STYRA_DEMO="0", **auth_env(ks))
    try:
        body = _message(bot)
        response = await _post(bot, body, bearer(valid_token(ks.key, service_url=body["serviceUrl"])))
        assert response.status == 503
        assert await counts(bot) == NOTHING
    finally:
        await bot.close(connector_too=False)


async def test_key_trouble_does_not_excuse_a_missing_header(db_url, connector, ks):
    ks.fail(500)
    bot = await start(db_url, connector, STYRA_DEMO="0", **auth_env(ks))
    try:
        response = await _post(bot, _message(bot), None)
        assert response.status == 401
    finally:
        await bot.close(connector_too=False)
