"""An approve is two transactions: the turn's start and the decision, whose follow-up rows (card
updates, notices) are written in the decision's own transaction, numbered before its commit."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import event, select

from storage.models import NeedEvent
from storage.outbox_tables import OutboxMessage
from tests.support.botkit import ALEX
from tests.support.decision_kit import decisions_of, link_channels, make_basis, need_of, post_basis

NOW = datetime(2026, 11, 21, 13, 5, tzinfo=UTC)


def _followups(session, decision_id: int) -> list[OutboxMessage]:
    rows = session.execute(select(OutboxMessage).where(OutboxMessage.key.startswith(f"decision:{decision_id}:")))
    return list(rows.scalars())


def _events(session, basis_id: int) -> list[NeedEvent]:
    need = need_of(session, basis_id)
    return list(session.execute(select(NeedEvent).where(NeedEvent.need_id == need.id)).scalars())


async def test_the_decision_and_its_follow_ups_are_one_transaction(any_bot):
    bot = any_bot
    bot.services.clock = lambda: NOW
    await bot.query(link_channels, bot.connector.url)
    basis_id = await bot.query(make_basis)
    await post_basis(bot, basis_id)
    await bot.services.outbox.stop(0)  # only the turn's own transactions are counted below
    commits = []

    def committed(connection):
        commits.append(connection)

    engine = bot.services.db.engine
    event.listen(engine, "commit", committed)
    try:
        status, body = await bot.invoke({"verb": "decision.approve", "basis_id": basis_id}, user=ALEX)
    finally:
        event.remove(engine, "commit", committed)
    assert status == 200 and "Godkänt" in json.dumps(body, ensure_ascii=False)
    assert len(commits) == 2  # the turn's start, and the decision with every follow-up row

    [decision] = await bot.query(decisions_of, basis_id)
    assert decision.number == "D-2026-0001"
    rows = await bot.query(_followups, decision.id)
    assert {r.kind for r in rows} == {"update", "notice"} and all(r.status == "pending" for r in rows)
    # numbered last, the number reached every follow-up and every event of the need's history
    assert all(decision.number in r.activity and "pending:" not in r.activity for r in rows)
    details = [e.detail for e in await bot.query(_events, basis_id)]
    assert any(decision.number in d for d in details) and not any("pending:" in d for d in details)


async def test_decisions_in_a_row_get_consecutive_numbers(any_bot):
    bot = any_bot
    bot.services.clock = lambda: NOW
    await bot.query(link_channels, bot.connector.url)
    numbers = []
    for _ in range(3):
        basis_id = await bot.query(make_basis)
        status, _body = await bot.invoke({"verb": "decision.approve", "basis_id": basis_id}, user=ALEX)
        assert status == 200
        numbers += [d.number for d in await bot.query(decisions_of, basis_id)]
    assert numbers == ["D-2026-0001", "D-2026-0002", "D-2026-0003"]
