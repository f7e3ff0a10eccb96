"""The door's first checks, through the real HTTP route: media type, size, JSON shape, fields,
service URL and tenant allow-lists. Each refusal leaves the database as it was."""

from __future__ import annotations

import json

import pytest

from tests.support.botkit import STRANGER, TENANT
from tests.support.keyserver import KeyServer, bearer, valid_token
from tests.teams.doorkit import TEAMS_URL, counts, post_raw, production_env, start


@pytest.fixture
async def small(db_url, connector):
    """Development bot (no auth) with a 4 KB body limit."""
    harness = await start(db_url, connector, STYRA_MAX_BODY_BYTES="4096")
    yield harness
    await harness.close(connector_too=False)


async def refused(bot, status: int, response, caplog=None, reason: str | None = None) -> None:
    assert response.status == status, await response.text()
    assert bot.connector.sent == []
    if reason is not None:
        assert any(reason in r.getMessage() for r in caplog.records if r.name == "styra.door"), \
            [r.getMessage() for r in caplog.records]


async def test_a_good_message_passes_the_door(small):
    replies = await small.say("help", user=STRANGER)
    assert replies, "a valid activity reaches the bot and is answered"


async def test_wrong_content_type_is_415(small, caplog):
    before = await counts(small)
    body = small.activity(STRANGER, text="help")
    response = await post_raw(small, json.dumps(body), content_type="text/plain")
    await refused(small, 415, response, caplog, "content type 'text/plain'")
    assert await counts(small) == before


async def test_missing_content_type_is_415(small, caplog):
    before = await counts(small)
    response = await post_raw(small, json.dumps(small.activity(STRANGER, text="help")).encode(), content_type=None)
    await refused(small, 415, response, caplog, "content type")
    assert await counts(small) == before


async def test_body_over_the_limit_is_413(small, caplog):
    body = small.activity(STRANGER, text="x" * 5000)
    response = await post_raw(small, body)
    await refused(small, 413, response, caplog, "bytes")


async def test_chunked_body_over_the_limit_is_413(small, caplog):
    # No Content-Length: the door counts while it reads.
    payload = json.dumps(small.activity(STRANGER, text="x" * 5000)).encode()

    async def chunks():
        for at in range(0, len(payload), 1000):
            yield payload[at:at + 1000]

    response = await post_raw(small, chunks())
    await refused(small, 413, response, caplog, "body over the limit")


async def test_chunked_body_under_the_limit_is_read_whole(small):
    payload = json.dumps(small.activity(STRANGER, text="help")).encode()

    async def chunks():
        for at in range(0, len(payload), 100):
            yield payload[at:at + 100]

    response = await post_raw(small, chunks())
    assert response.status in (200, 201)
    assert small.connector.sent, "the reassembled activity is answered"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'{"type": "message", "text": ', "not valid JSON"),
        (b'[{"type": "message"}]', "not a JSON object"),
        (b"null", "not a JSON object"),
        (b'"message"', "not a JSON object"),
        (b'{"type": "message", "text": "h\xe4lp"}', "not UTF-8"),
        (b'{"type": "message", "x": NaN}', "not valid JSON"),
        (b'{"type": 7}', "no type"),
        (b'{"text": "no type"}', "no type"),
        (b'{"type": "message", "x": ' + b"[" * 40 + b"]" * 40 + b"}", "nested too deeply"),
        (b'{"type": "message", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}", "bytes"),
        # Deeper than json's recursion limit on every supported Python (3.13 allows ~10000)
        (b'{"type": "message", "x": ' + b"[" * 20000 + b"]" * 20000 + b"}", "not valid JSON"),
    ],
    ids=["malformed", "array", "null", "string", "latin-1", "nan", "type-number", "no-type",
         "deep", "deep-and-large", "deeper-than-python"],
)
async def test_a_body_that_is_not_an_activity_is_400(db_url, connector, caplog, raw, reason):
    limit = 8192 if len(raw) < 16384 else 65536
    bot = await start(db_url, connector, STYRA_MAX_BODY_BYTES=str(limit))
    try:
        before = await counts(bot)
        response = await post_raw(bot, raw)
        expected = 413 if reason == "bytes" else 400
        await refused(bot, expected, response, caplog, reason)
        assert await counts(bot) == before
    finally:
        await bot.close(connector_too=False)


@pytest.mark.parametrize(
    ("remove", "named"),
    [
        (lambda b: b.pop("channelId"), "channelId"),
        (lambda b: b["conversation"].pop("id"), "conversation.id"),
        (lambda b: b.pop("conversation"), "conversation.id"),
        (lambda b: b["from"].pop("id"), "from.id"),
        (lambda b: b.pop("from"), "from.id"),
        (lambda b: b.pop("serviceUrl"), "serviceUrl"),
        (lambda b: b.update(serviceUrl="   "), "serviceUrl"),
    ],
    ids=["channelId", "conversation.id", "conversation", "from.id", "from", "serviceUrl", "blank-serviceUrl"],
)
async def test_an_activity_without_what_a_reply_needs_is_400(small, caplog, remove, named):
    before = await counts(small)
    body = small.activity(STRANGER, text="help")
    remove(body)
    response = await post_raw(small, body)
    await refused(small, 400, response, caplog, named)
    assert await counts(small) == before


@pytest.mark.parametrize(
    ("path", "size"),
    [(("conversation", "id"), 301), (("from", "aadObjectId"), 65), (("from", "id"), 201)],
    ids=["conversation.id", "from.aadObjectId", "from.id"],
)
async def test_identifiers_longer_than_storage_holds_are_400(small, caplog, path, size):
    before = await counts(small)
    body = small.activity(STRANGER, text="help")
    body[path[0]][path[1]] = "a" * size
    response = await post_raw(small, body)
    await refused(small, 400, response, caplog, ".".join(path))
    assert await counts(small) == before


async def test_development_refuses_a_service_url_that_is_neither_loopback_nor_teams(small, caplog):
    before = await counts(small)
    body = small.activity(STRANGER, text="help", serviceUrl="https://evil.example.net/")
    response = await post_raw(small, body)
    await refused(small, 403, response, caplog, "service URL not allowed")
    assert await counts(small) == before


# --- production: the allow-lists ----------------------------------------------------------


@pytest.fixture
async def ks():
    async with KeyServer() as server:
        yield server


@pytest.fixture
async def prod(db_url, connector, ks):
    harness = await start(db_url, connector, **production_env(ks))
    assert harness.services.settings.problems() == []
    yield harness
    await harness.close(connector_too=False)


def _installed(bot, service_url: str = TEAMS_URL, tenant: str = TENANT) -> dict:
    """A conversationUpdate that adds someone else: stored, but Styra sends nothing back."""
    body = bot.activity(STRANGER, type_="conversationUpdate", membersAdded=[{"id": "29:someone"}],
                        serviceUrl=service_url)
    body["channelData"]["tenant"]["id"] = tenant
    body["conversation"]["tenantId"] = tenant
    return body


async def _post_signed(bot, ks, body):
    token = valid_token(ks.key, service_url=body["serviceUrl"])
    return await post_raw(bot, body, headers={"Authorization": bearer(token)})


async def test_production_admits_a_signed_teams_activity(prod, ks):
    response = await _post_signed(prod, ks, _installed(prod))
    assert response.status in (200, 201), await response.text()
    stored = await counts(prod)
    assert stored["person"] == 1 and stored["conversation_ref"] == 1


@pytest.mark.parametrize(
    "service_url",
    ["http://smba.trafficmanager.net/emea/", "https://evil.example.net/emea/",
     "https://smba.trafficmanager.net.evil.example/", "http://127.0.0.1:1/"],
    ids=["http", "foreign-host", "suffix-trick", "loopback"],
)
async def test_production_refuses_a_service_url_off_the_allow_list(prod, ks, caplog, service_url):
    response = await _post_signed(prod, ks, _installed(prod, service_url=service_url))
    await refused(prod, 403, response, caplog, "service URL not allowed")
    assert await counts(prod) == {"processed_activity": 0, "person": 0, "conversation_ref": 0, "bot_state": 0}


async def test_production_refuses_a_foreign_tenant(prod, ks, caplog):
    response = await _post_signed(prod, ks, _installed(prod, tenant="99999999-8888-4777-8666-555555555555"))
    await refused(prod, 403, response, caplog, "tenant not allowed")
    assert (await counts(prod))["person"] == 0


async def test_production_refuses_mixed_tenants_and_no_tenant(prod, ks, caplog):
    mixed = _installed(prod)
    mixed["conversation"]["tenantId"] = "99999999-8888-4777-8666-555555555555"
    response = await _post_signed(prod, ks, mixed)
    await refused(prod, 403, response, caplog, "tenant not allowed")
    none = _installed(prod)
    del none["channelData"]["tenant"]
    del none["conversation"]["tenantId"]
    response = await _post_signed(prod, ks, none)
    await refused(prod, 403, response, caplog, "tenant not allowed")
    assert (await counts(prod))["person"] == 0


async def test_allowed_tenants_can_name_several(db_url, connector, ks):
    other = "22222222-3333-4444-5555-666666666666"
    bot = await start(db_url, connector, **production_env(ks, STYRA_ALLOWED_TENANTS=f"{TENANT}, {other}"))
    try:
        response = await _post_signed(bot, ks, _installed(bot, tenant=other))
        assert response.status in (200, 201), await response.text()
    finally:
        await bot.close(connector_too=False)

