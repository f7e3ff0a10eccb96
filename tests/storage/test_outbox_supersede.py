"""A newer card for the same recipient supersedes older ones not yet sent; one being sent stays."""

from datetime import UTC, datetime, timedelta

from storage import outbox
from storage.outbox import Recipient

NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
CARD = Recipient.updates("commission:1:v1:aad-maja")


def _write(session):
    for key in ("old-1", "old-2"):
        outbox.enqueue(session, key=key, to=CARD, activity={"type": "message", "text": key}, now=NOW)
    outbox.enqueue(session, key="other", to=Recipient.updates("commission:1:v1:aad-per"), activity={}, now=NOW)


async def test_older_pending_updates_are_superseded_and_in_flight_ones_kept(any_db):
    await any_db.run(_write)
    [claimed] = await any_db.run(outbox.claim, "i1", NOW, timedelta(seconds=60), 1)  # old-1 is being sent
    assert claimed.key == "old-1"
    assert await any_db.run(lambda s: outbox.supersede(s, CARD, now=NOW)) == 1
    rows = {r.key: r.status for r in await any_db.run(outbox.rows_for, "")}
    assert rows == {"old-1": "pending", "old-2": "superseded", "other": "pending"}
    assert [r.key for r in await any_db.run(outbox.claim, "i1", NOW, timedelta(seconds=60))] == ["other"]


async def test_a_key_is_written_once_even_by_concurrent_replays(any_db):
    import asyncio

    def add(session):
        return outbox.enqueue(session, key="replayed", to=CARD, activity={"n": 1}, now=NOW)

    results = await asyncio.gather(*(any_db.run(add) for _ in range(6)))
    assert sorted(results) == [False] * 5 + [True]
    assert [r.key for r in await any_db.run(outbox.rows_for, "replayed")] == ["replayed"]
