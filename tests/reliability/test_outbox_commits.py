"""How often the outbox writes: an idle poll only reads (no write lock, no commit), rows written
in this process are claimed at once (a nudge), several due rows go in one claim, and a claim
tells whether rows were left, so a finished send claims again only then."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from storage import outbox as repo
from tests.reliability.kit import enqueue_posts, outbox_rows, seed_channels, until

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=20)


class _Counts:
    """Commits, and the statements that look for due rows (a claim's or a poll's), on an engine."""

    def __init__(self, engine) -> None:
        self.engine, self.commits, self.looks = engine, 0, 0
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "before_cursor_execute", self._statement)

    def _commit(self, _connection) -> None:
        self.commits += 1

    def _statement(self, _conn, _cursor, statement, *_args) -> None:
        if "row_number() OVER" in statement and "FROM outbox" in statement:
            self.looks += 1

    def close(self) -> None:
        event.remove(self.engine, "commit", self._commit)
        event.remove(self.engine, "before_cursor_execute", self._statement)


async def test_a_claim_tells_whether_due_rows_were_left(any_db):
    def rows(session):
        ids = seed_channels(session, "https://smba.trafficmanager.net/emea/", 3)
        enqueue_posts(session, ids, prefix="left", now=NOW)
        enqueue_posts(session, [ids[0]], prefix="busy", per_conversation=repo.PER_LANE + 1, now=NOW)

    await any_db.run(rows)
    first = await any_db.run(repo.claim_batch, "a", NOW, LEASE, 2)
    assert len(first.rows) == 2 and first.more  # the limit left rows
    second = await any_db.run(repo.claim_batch, "a", NOW, LEASE, 50, exclude=[r.id for r in first.rows])
    # the busy lane's burst is in hand and one of its rows waits: a claim after a send finds it
    assert len(first.rows) + len(second.rows) == 2 + repo.PER_LANE and second.more
    held = [r.id for r in first.rows + second.rows]
    assert not await any_db.read(repo.due, "a", NOW, held)
    empty = await any_db.run(repo.claim_batch, "b", NOW, LEASE, 50)
    assert empty.rows == [] and not empty.more


async def test_an_idle_outbox_polls_by_reading_and_commits_nothing(bot):
    outbox = bot.services.outbox
    await outbox.stop(0)
    outbox.poll_s = 0.01
    counts = _Counts(bot.services.db.engine)
    try:
        outbox.start()  # a start claims at once (rows handed back by a stop go out now)
        await until(lambda: counts.commits == 1)
        counts.looks = 0
        await until(lambda: counts.looks >= 5)
        assert counts.commits == 1  # five polls later: nothing more was committed
        # A row written elsewhere (no nudge here) is found by the next poll and sent.
        ids = await bot.query(seed_channels, bot.connector.url, 1)
        await bot.services.db.run(enqueue_posts, ids, prefix="elsewhere")
        await until(lambda: any("elsewhere" in s.text for s in bot.connector.sent))
    finally:
        counts.close()
        await outbox.stop(0)


async def test_rows_written_together_are_claimed_once_and_sent_without_another_claim(bot):
    outbox = bot.services.outbox
    await outbox.stop(0)
    outbox.poll_s = 3600  # no poll in this test: every claim below follows a nudge or a send
    ids = await bot.query(seed_channels, bot.connector.url, 3)
    await bot.services.db.run(enqueue_posts, ids, prefix="together")
    counts = _Counts(bot.services.db.engine)
    try:
        outbox.start()  # a start claims at once
        await until(lambda: len([s for s in bot.connector.sent if "together" in s.text]) == 3)
        await until(lambda: outbox.in_flight == 0 and not outbox._held)  # recorded
        assert counts.looks == 1  # one claim took the three rows; no claim after each send
    finally:
        counts.close()
        await outbox.stop(0)
    assert {r.status for r in await bot.query(outbox_rows, "together")} == {"sent"}
