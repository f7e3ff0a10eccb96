"""Exactly one decision per basis when the chair and the deputy chair click at the same moment
(SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from tests.support.botkit import ALEX, MEGAN
from tests.support.cards import text
from tests.support.decision_kit import (
    card_of,
    decisions_of,
    events_of,
    grant_deputy,
    link_channels,
    make_basis,
    need_of,
    plan_2026,
    post_basis,
)

NOW = datetime(2026, 11, 21, 13, 5, tzinfo=UTC)


async def _setup(bot) -> int:
    bot.services.clock = lambda: NOW
    await bot.query(link_channels, bot.connector.url)
    await bot.query(grant_deputy, MEGAN)
    basis_id = await bot.query(make_basis)
    await post_basis(bot, basis_id)
    return basis_id


async def test_chair_and_deputy_at_once_make_one_decision(any_bot):
    basis_id = await _setup(any_bot)
    approve = {"verb": "decision.approve", "basis_id": basis_id, "level": "steering", "comment": "Ja"}
    reject = {"verb": "decision.reject", "basis_id": basis_id, "level": "steering", "comment": "Nej"}
    (s1, b1), (s2, b2) = await asyncio.gather(any_bot.invoke(approve, user=ALEX), any_bot.invoke(reject, user=MEGAN))
    assert s1 == s2 == 200
    rows = await any_bot.query(decisions_of, basis_id)
    assert len(rows) == 1
    winner = rows[0]
    shown = [text(card_of(b1)), text(card_of(b2))]
    winner_name = "Alex Wilber" if winner.decided_by == ALEX.aad_id else "Megan Bowen"
    # the winner sees "decided", the loser "already decided by <winner>"
    assert sum(f"Beslutat av {winner_name}" in s for s in shown) == 1
    assert sum(f"Redan beslutat av {winner_name}" in s for s in shown) == 1
    need = await any_bot.query(need_of, basis_id)
    assert need.status.value == ("approved" if winner.outcome.value == "approved" else "declined")
    assert [e.kind for e in await any_bot.query(events_of, basis_id)].count("decided") == 1
    plan = await any_bot.query(plan_2026)
    assert plan.committed_sek == (150_000 if winner.outcome.value == "approved" else 0)
    await any_bot.services.outbox.drain()
    assert len([s for s in any_bot.connector.sent if s.method == "PUT"]) == 1


async def test_many_identical_clicks_at_once_make_one_decision(any_bot):
    basis_id = await _setup(any_bot)
    data = {"verb": "decision.approve", "basis_id": basis_id}
    results = await asyncio.gather(*[any_bot.invoke(data, user=ALEX if i % 2 else MEGAN) for i in range(6)])
    assert all(status == 200 for status, _ in results)
    rows = await any_bot.query(decisions_of, basis_id)
    assert len(rows) == 1 and rows[0].number == "D-2026-0001"
    plan = await any_bot.query(plan_2026)
    assert plan.committed_sek == 150_000 and plan.frame_sek == 2_600_000
    assert sum("Redan beslutat av" in text(card_of(body)) for _, body in results) == 5
    await any_bot.services.outbox.drain()
