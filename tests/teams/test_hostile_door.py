"""Hostile requests at the door: ids with control characters, shapes the SDK cannot read, 90 KB
strings, foreign tenants with an app id in development. Each gets a 4xx and one bounded WARNING
line, never a traceback (issue "Who may see and do what")."""

from __future__ import annotations

import logging

import pytest

from bot.logs import safe
from tests.support.botkit import STRANGER, TENANT
from tests.support.keyserver import KeyServer, bearer, valid_token
from tests.teams.doorkit import auth_env, counts, post_raw, settings_for, start


def lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("styra")]


def no_traceback(caplog) -> None:
    bad = [f"{r.name} {r.levelname}: {r.getMessage()[:200]}" for r in caplog.records
           if r.levelno >= logging.ERROR or r.exc_info]
    assert bad == []


@pytest.mark.parametrize("path", [("id",), ("replyToId",), ("from", "id"), ("from", "aadObjectId"),
                                  ("conversation", "id"), ("recipient", "id"), ("channelData", "tenant", "id")])
async def test_an_id_with_a_newline_is_refused_and_forges_no_log_line(bot, caplog, path):
    body = bot.activity(STRANGER, text="hjälp")
    holder = body
    for name in path[:-1]:
        holder = holder[name]
    holder[path[-1]] = f"{holder.get(path[-1], 'x')}\nWARNING forged"
    before = await counts(bot)
    with caplog.at_level(logging.INFO):
        response = await post_raw(bot, body)
    assert response.status == 400 and bot.connector.sent == []
    refused = [r.getMessage() for r in lines(caplog) if r.levelno == logging.WARNING]
    assert len(refused) == 1 and "control character" in refused[0] and "\n" not in refused[0]
    assert await counts(bot) == before
    no_traceback(caplog)


@pytest.mark.parametrize("extra", [
    {"entities": "x"}, {"entities": ["x"]}, {"attachments": 5}, {"recipient": "bot"}, {"timestamp": "not a time"},
    {"channelData": [1]}, {"channelData": {"tenant": {"id": TENANT}, "team": "x"}}, {"text": 5},
    {"type": "conversationUpdate", "membersAdded": ["x"]}, {"type": "invoke", "name": ["adaptiveCard/action"]},
])
async def test_a_shape_the_sdk_cannot_read_is_a_400_with_one_warning(bot, caplog, extra):
    body = bot.activity(STRANGER, text="hjälp")
    body.update(extra)
    with caplog.at_level(logging.INFO):
        response = await post_raw(bot, body)
    assert response.status == 400
    assert len([r for r in lines(caplog) if r.levelno == logging.WARNING]) == 1
    no_traceback(caplog)


async def test_90_kb_strings_give_bounded_single_lines(bot, caplog):
    big = "A" * 45_000 + "\n" + "B" * 45_000
    bodies = []
    for path in (("id",), ("replyToId",), ("from", "name"), ("conversation", "name"), ("locale",),
                 ("channelData", "tenant", "id"), ("serviceUrl",)):
        body = bot.activity(STRANGER, text="hjälp")
        holder = body
        for name in path[:-1]:
            holder = holder[name]
        holder[path[-1]] = big
        bodies.append(body)
    bodies.append(bot.activity(STRANGER, text=big))
    bodies.append(bot.activity(STRANGER, value={"verb": big, "need_id": 1}))
    bodies.append(bot.activity(STRANGER, value={"verb": "need.show", "need_id": big}))
    bodies.append(bot.activity(STRANGER, type_="invoke", name=big, value={}))
    bodies.append(bot.activity(STRANGER, type_="invoke", name="adaptiveCard/action",
                               value={"action": {"verb": "need.show", "data": {"need_id": 1, "level": big}}}))
    with caplog.at_level(logging.DEBUG):
        for body in bodies:
            response = await post_raw(bot, body)
            assert response.status < 500
    for record in lines(caplog):
        message = record.getMessage()
        assert len(message) <= 1_000 and "\n" not in message, message[:300]
    no_traceback(caplog)


def test_every_styra_log_line_cuts_and_escapes_its_arguments(caplog):
    from bot import logs

    logs.install()
    with caplog.at_level(logging.INFO):
        logging.getLogger("styra.test").warning("got %s from %s (%d)", "x\n" * 45_000, ["a\r\nb"], 7)
    [record] = caplog.records
    message = record.getMessage()
    assert "\n" not in message and "\r" not in message and len(message) < 500
    assert message.startswith("got x\\nx\\n") and message.endswith("(7)") and "…(+" in message
    assert safe("å\u2028\x1b") == "å\\u2028\\x1b" and safe("x" * 300) == "x" * 200 + "…(+100)"


# --- tenants whenever an app id is set -------------------------------------------------------


@pytest.fixture
async def ks():
    async with KeyServer() as server:
        yield server


async def test_development_with_an_app_id_refuses_a_foreign_tenant(db_url, connector, ks, caplog):
    bot = await start(db_url, connector, STYRA_DEMO="0", **auth_env(ks))
    try:
        assert not bot.services.settings.production
        for tenant, status in (("99999999-8888-4777-8666-555555555555", 403), (TENANT, 201)):
            body = bot.activity(STRANGER, type_="conversationUpdate", membersAdded=[{"id": "29:someone"}],
                                serviceUrl=connector.url)
            body["channelData"]["tenant"]["id"] = body["conversation"]["tenantId"] = tenant
            token = valid_token(ks.key, service_url=body["serviceUrl"])
            with caplog.at_level(logging.INFO):
                response = await post_raw(bot, body, headers={"Authorization": bearer(token)})
            assert response.status == status, await response.text()
        assert any("tenant not allowed" in r.getMessage() for r in lines(caplog))
    finally:
        await bot.close(connector_too=False)


def test_an_app_id_without_any_tenant_refuses_to_start(db_url):
    from app import build_app

    settings = settings_for(db_url, MicrosoftAppId="5f0c7b1e-0000-4000-8000-00000000a11d")
    assert "MicrosoftAppTenantId or STYRA_ALLOWED_TENANTS is required when MicrosoftAppId is set" in settings.problems()
    with pytest.raises(SystemExit, match="MicrosoftAppTenantId or STYRA_ALLOWED_TENANTS"):
        build_app(settings)


async def test_a_request_that_never_authenticates_logs_one_warning(db_url, connector, ks, caplog):
    bot = await start(db_url, connector, STYRA_DEMO="0", **auth_env(ks))
    try:
        body = bot.activity(STRANGER, text="hjälp", serviceUrl=connector.url)
        for headers in ({}, {"Authorization": "Bearer not.a.token"}, {"Authorization": "Basic x"}):
            caplog.clear()
            with caplog.at_level(logging.INFO):
                response = await post_raw(bot, body, headers=headers)
            assert response.status == 401
            warnings = [r.getMessage() for r in lines(caplog) if r.levelno == logging.WARNING]
            assert len(warnings) == 1 and "\n" not in warnings[0]
            no_traceback(caplog)
    finally:
        await bot.close(connector_too=False)
