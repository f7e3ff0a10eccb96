"""Proactive sends through the real connector transport against the fake connector, with a
virtual pacer clock (nothing sleeps): 429/503 are retried after Retry-After, 403 is permanent and
recorded on the conversation, and a stored reference off the allow-list never gets a request."""

from __future__ import annotations

import time

import pytest

from bot.teams.delivery import Outcome
from bot.teams.pacing import FakeClock
from cards.common import card, heading
from storage import org
from storage.models import ConversationRef
from tests.support.keyserver import KeyServer
from tests.teams.doorkit import TEAMS_URL, production_env, start

CONVERSATION = "19:outbound-test@thread.tacv2"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=1000.0)


@pytest.fixture
async def sender(db_url, connector, clock):
    harness = await start(db_url, connector, pacer_clock=clock)
    yield harness
    await harness.close(connector_too=False)


async def _stored_ref(bot, service_url: str) -> ConversationRef:
    ref = ConversationRef(conversation_id=CONVERSATION, kind="channel", service_url=service_url,
                          tenant_id="11111111-2222-3333-4444-555555555555", name="Styrgrupp")
    await bot.query(org.save_conversation, ref)
    return await bot.query(org.conversation, CONVERSATION)


async def _failure(bot):
    ref = await bot.query(org.conversation, CONVERSATION)
    return ref.failed_at, ref.failure


def _card(text: str = "Beslut fattat") -> dict:
    return card([heading(text)])


async def test_429_with_retry_after_then_success(sender, clock):
    ref = await _stored_ref(sender, sender.connector.url)
    sender.connector.fail_next(429, times=1, retry_after=3)
    started_real, started_virtual = time.monotonic(), clock.now()

    result = await sender.services.outbound.send_card(ref, _card(), subject="decision:1")

    assert result.outcome is Outcome.SENT and result.attempts == 2
    assert [s.card["body"][0]["text"] for s in sender.connector.sent] == ["Beslut fattat"]
    assert clock.now() - started_virtual >= 3.0, "Retry-After was honoured (virtually)"
    assert time.monotonic() - started_real < 2.0, "nothing really slept"
    assert await _failure(sender) == (None, None)


async def test_503_then_success(sender, clock):
    ref = await _stored_ref(sender, sender.connector.url)
    sender.connector.fail_next(503, times=2, retry_after=1)
    result = await sender.services.outbound.send_card(ref, _card())
    assert result.outcome is Outcome.SENT and result.attempts == 3
    assert len(sender.connector.sent) == 1
    assert len(sender.connector.requests) == 3


async def test_503_for_ever_gives_up_without_marking_the_conversation(sender, clock):
    ref = await _stored_ref(sender, sender.connector.url)
    sender.connector.fail_next(503, times=10)
    result = await sender.services.outbound.send_card(ref, _card())
    assert result.outcome is Outcome.GAVE_UP and result.attempts == 5
    assert sender.connector.sent == []
    assert await _failure(sender) == (None, None), "a temporary failure is not a broken conversation"


async def test_403_is_permanent_and_recorded_on_the_conversation(sender, clock):
    ref = await _stored_ref(sender, sender.connector.url)
    sender.connector.fail_next(403, times=3)
    result = await sender.services.outbound.send_card(ref, _card())
    assert result.outcome is Outcome.PERMANENT_FAILURE and result.status == 403
    assert result.attempts == 1, "a 403 is not retried"
    assert len(sender.connector.requests) == 1
    failed_at, failure = await _failure(sender)
    assert failed_at is not None and failure.startswith("403")


async def test_a_stored_reference_to_a_foreign_host_gets_no_request(sender):
    ref = await _stored_ref(sender, "https://evil.example.net/emea/")
    result = await sender.services.outbound.send_card(ref, _card())
    assert result.outcome is Outcome.PERMANENT_FAILURE and result.attempts == 0
    assert sender.connector.requests == [] and sender.connector.sent == []
    failed_at, failure = await _failure(sender)
    assert failed_at is not None and "service url not allowed" in failure


async def test_production_refuses_to_send_to_a_non_teams_reference(db_url, connector, clock):
    # The fake connector is plain http on loopback: fine in development, never in production.
    async with KeyServer() as ks:
        bot = await start(db_url, connector, pacer_clock=clock, **production_env(ks))
        try:
            assert bot.services.settings.problems() == []
            ref = await _stored_ref(bot, connector.url)
            result = await bot.services.outbound.send_card(ref, _card())
            assert result.outcome is Outcome.PERMANENT_FAILURE and result.attempts == 0
            assert connector.requests == []
            assert bot.services.outbound.deliverer.allows(TEAMS_URL)
            assert not bot.services.outbound.deliverer.allows("http://smba.trafficmanager.net/emea/")
        finally:
            await bot.close(connector_too=False)
