"""Escalation to portfolio management: a new card in the portfolio channel, linked to the first."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.botkit import ALEX, CHANNEL_ID, PATTI
from tests.support.cards import text, verbs
from tests.support.decision_kit import (
    PORTFOLIO_CHANNEL,
    card_of,
    decisions_of,
    link_channels,
    make_basis,
    need_of,
    plan_2026,
    post_basis,
)

NOW = datetime(2026, 11, 21, 13, 5, tzinfo=UTC)


async def _posted(bot, basis_id, *, escalate=False):
    bot.services.clock = lambda: NOW
    await bot.query(link_channels, bot.connector.url)
    basis_id = await bot.query(lambda s: make_basis(s, escalate=escalate))
    await post_basis(bot, basis_id)
    return basis_id


def _posts(bot, conversation_id):
    return [s for s in bot.connector.sent if s.method == "POST" and s.conversation_id == conversation_id]


async def test_the_chair_escalates_and_the_portfolio_chair_decides(any_bot):
    bot = any_bot
    basis_id = await _posted(bot, None)
    status, body = await bot.invoke({"verb": "decision.escalate", "basis_id": basis_id, "comment": "Berör alla."}, user=ALEX)
    assert status == 200
    shown = text(card_of(body))
    assert "Styrgruppen: Lyft till portföljledningen" in shown and "Väntar på portföljledningens beslut." in shown
    assert (await bot.query(need_of, basis_id)).status.value == "awaiting_decision"
    await bot.services.outbox.drain()

    portfolio = _posts(bot, PORTFOLIO_CHANNEL)
    assert len(portfolio) == 1
    card = portfolio[0].card
    assert "Beslutsunderlag för portföljledningen" in portfolio[0].all_text()
    assert verbs(card) == []
    assert card["refresh"]["userIds"] == ["user-id-4"]  # Patti, the portfolio chair
    assert card["refresh"]["action"]["data"]["level"] == "portfolio"

    status, body = await bot.invoke({"verb": "decision.view", "basis_id": basis_id, "level": "portfolio"}, user=PATTI)
    assert verbs(card_of(body)) == ["decision.approve", "decision.reject", "decision.defer", "decision.send_back"]
    # the steering chair may not decide for portfolio management
    status, body = await bot.invoke({"verb": "decision.approve", "basis_id": basis_id, "level": "portfolio"}, user=ALEX)
    assert status == 200
    assert "Bara portföljledningens ordförande kan besluta om det här underlaget. Fråga Patti Fernandez." in text(card_of(body))

    status, body = await bot.invoke({"verb": "decision.approve", "basis_id": basis_id, "level": "portfolio",
                                     "registry_number": "IT 2026/7"}, user=PATTI)
    assert status == 200 and "Portföljledningen: Godkänt" in text(card_of(body))
    rows = await bot.query(decisions_of, basis_id)
    assert [(d.level, d.outcome.value) for d in rows] == [("steering", "escalated"), ("portfolio", "approved")]
    assert rows[1].parent_id == rows[0].id and rows[1].registry_number == "IT 2026/7"
    assert (await bot.query(need_of, basis_id)).status.value == "approved"
    assert (await bot.query(plan_2026)).committed_sek == 150_000

    await bot.services.outbox.drain()
    puts = {s.conversation_id: s.all_text() for s in bot.connector.sent if s.method == "PUT"}
    assert "Portföljledningen: Godkänt" in puts[PORTFOLIO_CHANNEL]
    # the steering copy now shows both decisions
    assert "Styrgruppen: Lyft till portföljledningen" in puts[CHANNEL_ID]
    assert "Portföljledningen: Godkänt" in puts[CHANNEL_ID]


async def test_a_basis_that_affects_the_whole_portfolio_goes_on_after_approval(any_bot):
    bot = any_bot
    basis_id = await _posted(bot, None, escalate=True)
    status, body = await bot.invoke({"verb": "decision.approve", "basis_id": basis_id}, user=ALEX)
    assert status == 200 and "Väntar på portföljledningens beslut." in text(card_of(body))
    # the steering group's approval does not yet change the plan
    assert (await bot.query(need_of, basis_id)).status.value == "awaiting_decision"
    assert (await bot.query(plan_2026)).committed_sek == 0
    await bot.services.outbox.drain()
    assert len(_posts(bot, PORTFOLIO_CHANNEL)) == 1

    status, body = await bot.invoke({"verb": "decision.reject", "basis_id": basis_id, "level": "portfolio",
                                     "comment": "Inte nu."}, user=PATTI)
    assert status == 200
    assert (await bot.query(need_of, basis_id)).status.value == "declined"
    assert (await bot.query(plan_2026)).committed_sek == 0
    await bot.services.outbox.drain()


async def test_portfolio_level_is_closed_without_an_escalation(bot):
    basis_id = await _posted(bot, None)
    status, body = await bot.invoke({"verb": "decision.approve", "basis_id": basis_id, "level": "portfolio"}, user=PATTI)
    assert status == 200
    assert "Beslutsunderlaget har inte lyfts till portföljledningen." in text(card_of(body))
    assert await bot.query(decisions_of, basis_id) == []
