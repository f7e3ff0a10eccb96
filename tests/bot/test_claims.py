"""Finished turns' claims are marked completed together (bot/claims.py): every one is written,
a resend in between is still dropped, and a database that is away loses none of them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import event, select

from bot import claims as completions_module
from bot.claims import Completions, Starts
from storage import activities
from storage.models import ProcessedActivity
from tests.support.botkit import User

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _key(body: dict) -> str:
    return f"msteams|{body['conversation']['id']}|{body['id']}"


async def _completed(bot, keys: list[str]) -> list[bool]:
    def read(session):
        rows = dict(session.execute(select(ProcessedActivity.key, ProcessedActivity.completed_at)).all())
        return [rows.get(key) is not None for key in keys]
    return await bot.query(read)


async def test_turns_ending_together_share_one_write_and_every_claim_is_completed(any_bot, monkeypatch):
    users = [User(f"66666666-0000-0000-0000-{n:012d}", f"Person {n}", f"user-batch-{n}") for n in range(12)]
    for user in users:  # first contact (the welcome) out of the way
        await any_bot.say("hjälp", user)
    await any_bot.services.completions.idle()
    monkeypatch.setattr(completions_module, "FLUSH_AFTER_S", 60.0)  # the batch is written when the test says
    bodies = [any_bot.activity(user, text="hjälp") for user in users]
    writes: list[str] = []

    def count(_conn, _cursor, statement, *_rest) -> None:
        if statement.lstrip().upper().startswith("UPDATE PROCESSED_ACTIVITY"):
            writes.append(statement)

    event.listen(any_bot.services.db.engine, "before_cursor_execute", count)
    try:
        replies = await asyncio.gather(*(any_bot.send(body) for body in bodies))
        assert await _completed(any_bot, [_key(b) for b in bodies]) == [False] * 12
        assert all(any_bot.services.completions.finished(_key(b)) for b in bodies)
        assert await any_bot.services.completions.flush()
    finally:
        event.remove(any_bot.services.db.engine, "before_cursor_execute", count)
    assert all(replies)
    assert await _completed(any_bot, [_key(b) for b in bodies]) == [True] * 12
    # twelve turns that ended before the write: their claims in one statement, not twelve
    assert len(writes) == 1


async def test_a_resend_before_the_batch_is_written_is_dropped(any_bot):
    body = any_bot.activity(text="hjälp")
    assert await any_bot.send(body)
    assert any_bot.services.completions.finished(_key(body))
    assert await any_bot.send(body) == []  # the turn ended here: never run twice
    await any_bot.services.completions.idle()
    assert await _completed(any_bot, [_key(body)]) == [True]
    assert await any_bot.send(body) == []  # and from the database from now on


class _AwayThenBack:
    """A database that refuses the first write, then takes them."""

    def __init__(self, db) -> None:
        self.db, self.refusals = db, 1

    async def run(self, work, *args):
        if self.refusals:
            self.refusals -= 1
            raise ConnectionError("database away")
        return await self.db.run(work, *args)


async def test_claims_wait_in_memory_while_the_database_is_away(any_db):
    for key in ("k1", "k2"):
        assert await any_db.run(activities.claim, key, NOW)
    completions = Completions(_AwayThenBack(any_db))
    completions.add("k1", NOW)
    completions.add("k2", NOW)
    assert await completions.flush() is False
    assert completions.finished("k1") and completions.finished("k2")  # still dropped from memory
    assert await completions.flush() is True
    assert not completions.finished("k1")
    # written: a resend is dropped from the database too, however late
    assert not await any_db.run(activities.claim, "k1", NOW.replace(year=2027))


async def test_what_waits_at_shutdown_is_written(any_db):
    assert await any_db.run(activities.claim, "k3", NOW)
    completions = Completions(any_db)
    completions.add("k3", NOW)
    await completions.close()
    assert not completions.finished("k3")
    assert not await any_db.run(activities.claim, "k3", NOW.replace(year=2027))


async def test_turn_starts_that_arrive_together_share_a_transaction_and_one_fault_fails_alone(any_db):
    starts = Starts(any_db)
    commits: list[int] = []

    def count(_conn) -> None:
        commits.append(1)

    def claim(session, key):
        return activities.claim(session, key, NOW)

    def broken(session, key):
        activities.claim(session, key, NOW)
        raise ValueError("this turn's own fault")

    event.listen(any_db.engine, "commit", count)
    try:
        first = await starts.run(claim, "s0")  # alone: its own batch, waiting for nothing
        together = await asyncio.gather(*(starts.run(claim, f"s{n}") for n in range(1, 5)))
        assert first is True and together == [True] * 4
        assert len(commits) == 1 + 1
        results = await asyncio.gather(starts.run(claim, "s5"), starts.run(broken, "s6"), starts.run(claim, "s7"),
                                       return_exceptions=True)
    finally:
        event.remove(any_db.engine, "commit", count)
    assert results[0] is True and isinstance(results[1], ValueError) and results[2] is True
    # the failed batch left nothing; run one by one, the good turns' claims are written and the bad one's not
    assert not await any_db.run(activities.claim, "s5", NOW) and not await any_db.run(activities.claim, "s7", NOW)
    assert await any_db.run(activities.claim, "s6", NOW)
