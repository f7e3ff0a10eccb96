"""Fenced outbox claims: only the holder records, leases are renewed, a lost claim still keeps
the ids of what it posted, and nothing new is posted while the database cannot be reached."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from storage import outbox as repo
from storage.models import SentCard
from storage.outbox import Recipient
from tests.reliability.kit import (
    enqueue_posts,
    expected_texts,
    outbox_rows,
    posts_per_key,
    seed_channels,
    until,
)
from tests.support.botkit import BotHarness

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=20)


def _one_row(session):
    seed_channels(session, "https://smba.trafficmanager.net/emea/", 1)
    enqueue_posts(session, ["19:fanout-0000@thread.tacv2"], prefix="fence", now=NOW)


async def test_only_the_current_holder_records_but_every_copy_is_kept(any_db):
    await any_db.run(_one_row)
    [first] = await any_db.run(repo.claim, "a", NOW, LEASE, 10)
    assert first.token == "a:1"
    assert await any_db.run(repo.claim, "b", NOW + timedelta(seconds=5), LEASE, 10) == []  # held

    later = NOW + LEASE + timedelta(seconds=1)  # a's lease ran out: b takes the row over
    [second] = await any_db.run(repo.claim, "b", later, LEASE, 10)
    assert second.token == "b:2"

    # a's post went out after all: it may not record "sent", but its copy is kept
    assert not await any_db.run(repo.mark_sent, first.id, first.token, ["act-1"], later,
                                conversation_id="19:c", subject="basis:1")
    assert not await any_db.run(repo.retry_later, first.id, first.token, later, "late")
    assert await any_db.run(repo.mark_sent, second.id, second.token, ["act-2"], later,
                            conversation_id="19:c", subject="basis:1")
    [row] = await any_db.run(outbox_rows, "fence")
    assert (row.status, row.claim_token, json.loads(row.activity_ids)) == ("sent", "b:2", ["act-1", "act-2"])
    copies = await any_db.run(lambda s: sorted(s.execute(
        select(SentCard.activity_id).where(SentCard.subject == "basis:1")).scalars()))
    assert copies == ["act-1", "act-2"]


async def test_renewal_keeps_a_claim_and_tells_which_were_lost(any_db):
    await any_db.run(_one_row)
    [row] = await any_db.run(repo.claim, "a", NOW, LEASE, 10)
    renewed = await any_db.run(repo.renew, [(row.id, row.token)], NOW + timedelta(seconds=15) + LEASE)
    assert renewed == {row.id}
    # past the first lease but within the renewed one: nobody can take it
    assert await any_db.run(repo.claim, "b", NOW + LEASE + timedelta(seconds=5), LEASE, 10) == []
    # handed back at a shutdown: anyone takes it at once
    assert await any_db.run(repo.release, [(row.id, row.token)], "a") == 1
    [again] = await any_db.run(repo.claim, "b", NOW + timedelta(seconds=16), LEASE, 10)
    assert again.token == "b:2"
    assert await any_db.run(repo.renew, [(row.id, row.token)], NOW + LEASE) == set()


class Outage:
    """Make every database call of one app fail while `down` is set, like a lost connection."""

    def __init__(self, db) -> None:
        self.down = False
        self.refused = 0
        real = db.run

        async def run(work, *args, **kwargs):
            if self.down:
                self.refused += 1
                raise OperationalError("SELECT 1", {}, ConnectionRefusedError("database is away"))
            return await real(work, *args, **kwargs)

        db.run = run


async def test_a_three_second_database_outage_mid_fanout_doubles_nothing(any_db_url, connector):
    connector.delay_s = 0.02  # a post takes a little while, so the outage hits sends in flight
    bot = await BotHarness.start(any_db_url, connector=connector, STYRA_OUTBOX_LEASE_SECONDS="6")
    try:
        ids = await bot.query(seed_channels, connector.url, 120)
        outage = Outage(bot.services.db)
        await bot.services.db.run(enqueue_posts, ids, prefix="outage")
        bot.services.outbox.nudge()
        await until(lambda: len(connector.sent) >= 30)
        outage.down, began = True, time.monotonic()
        await asyncio.sleep(3.0)
        outage.down, ended = False, time.monotonic()
        await bot.services.outbox.drain(timeout=30)

        counts = posts_per_key(connector, "outage")
        assert set(counts) == expected_texts(ids, "outage")  # nothing lost
        assert max(counts.values()) == 1  # nothing doubled
        # posts that arrived during the outage were at most those already in flight when it began
        during = [t for t, _ in connector.arrivals if began + 0.5 < t < ended]
        assert during == []
        assert outage.refused > 0
        rows = await bot.query(outbox_rows, "outage")
        assert {r.status for r in rows} == {"sent"} and all(len(json.loads(r.activity_ids)) == 1 for r in rows)
    finally:
        await bot.close(connector_too=False)


async def test_updates_reach_every_posted_copy(any_db_url, connector):
    bot = await BotHarness.start(any_db_url, connector=connector)
    try:
        [cid] = await bot.query(seed_channels, connector.url, 1)

        def twice_posted_and_an_update(session):
            repo.remember_copy(session, "basis:9", cid, "act-old", NOW)
            repo.remember_copy(session, "basis:9", cid, "act-new", NOW)
            repo.enqueue(session, key="basis:9:decided", to=Recipient.updates("basis:9"), kind="update",
                         activity={"type": "message", "text": "beslutat"}, now=NOW)

        await bot.query(twice_posted_and_an_update)
        await bot.services.outbox.drain()
        puts = sorted(s.activity_id for s in connector.sent if s.method == "PUT")
        assert puts == ["act-new", "act-old"]
    finally:
        await bot.close(connector_too=False)
