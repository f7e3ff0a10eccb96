"""One pace across instances: a conversation's rows are claimed by one instance at a time (its
lane), and the instances sending at once share the app-wide limit."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from storage import outbox as repo
from tests.reliability.kit import enqueue_posts, expected_texts, posts_per_key, seed_channels
from tests.support.botkit import BotHarness

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=20)


def _two_lanes(session):
    ids = seed_channels(session, "https://smba.trafficmanager.net/emea/", 2)
    enqueue_posts(session, ids, prefix="lane", per_conversation=3, now=NOW)
    return ids


async def test_a_lane_is_claimed_by_one_instance_at_a_time(any_db):
    x, y = await any_db.run(_two_lanes)
    a = await any_db.run(repo.claim_batch, "a", NOW, LEASE, 3)
    assert {r.lane for r in a.rows} == {x} and a.senders == 1
    b = await any_db.run(repo.claim_batch, "b", NOW, LEASE, 10)
    assert {r.lane for r in b.rows} == {y} and b.senders == 2  # not x: a holds it
    # a posts x's rows: the lane stays a's for a moment after its last post, then is free
    done = [repo.Outcome(r.id, r.token, "sent", NOW, (f"act-{r.id}",), x) for r in a.rows]
    assert await any_db.run(repo.record, done, "a") == {r.id for r in a.rows}

    def more_in_x(session):
        enqueue_posts(session, [x], prefix="later", now=NOW)

    await any_db.run(more_in_x)
    assert (await any_db.run(repo.claim_batch, "b", NOW + timedelta(seconds=1), LEASE, 10)).rows == []
    late = await any_db.run(repo.claim_batch, "b", NOW + repo.LANE_REST + timedelta(seconds=1), LEASE, 10)
    assert [r.lane for r in late.rows] == [x]


async def test_at_most_a_burst_per_lane_is_in_hand(any_db):
    def busy_lane(session):
        [cid] = seed_channels(session, "https://smba.trafficmanager.net/emea/", 1)
        enqueue_posts(session, [cid], prefix="busy", per_conversation=30, now=NOW)

    await any_db.run(busy_lane)
    first = await any_db.run(repo.claim, "a", NOW, LEASE, 50)
    assert len(first) == repo.PER_LANE
    assert await any_db.run(repo.claim, "a", NOW, LEASE, 50) == []  # the lane's burst is in hand


async def test_two_instances_share_teams_limits_and_double_nothing(any_db_url, connector):
    connector.teams_limits = True
    one = await BotHarness.start(any_db_url, connector=connector)
    two = await BotHarness.start(any_db_url, connector=connector)
    try:
        ids = await one.query(seed_channels, connector.url, 12)
        await one.services.db.run(enqueue_posts, ids, prefix="pace", per_conversation=9)
        await asyncio.gather(one.services.outbox.drain(60), two.services.outbox.drain(60))
        await asyncio.gather(one.services.outbox.drain(60), two.services.outbox.drain(60))
        counts = posts_per_key(connector, "pace")
        assert set(counts) == expected_texts(ids, "pace", 9) and max(counts.values()) == 1
        assert connector.throttled == 0
    finally:
        await one.close(connector_too=False)
        await two.close(connector_too=False)


async def test_a_smaller_share_starts_after_the_grace_and_a_larger_one_at_once():
    from bot.teams.pacing import FakeClock, Pacer

    clock = FakeClock()
    pacer = Pacer(clock)
    assert pacer.app_share == 50
    pacer.share(2, grace=0.4)  # a newcomer: this window is still ours
    assert pacer.app_share == 50
    for n in range(30):
        await pacer.acquire(f"19:c{n}")
    assert clock.now() == 0.0  # 30 posts in the first window, none held back
    clock.advance(0.5)
    await pacer.acquire("19:late")
    assert pacer.app_share == 25  # from the grace's end, the smaller share
    pacer.share(1)
    assert pacer.app_share == 50  # the other stopped: at once


async def test_a_threads_send_counts_from_when_it_finished():
    from bot.teams.pacing import FakeClock, Pacer

    clock = FakeClock()
    pacer = Pacer(clock, thread_limits=((1, 1.0),))
    await pacer.acquire("19:t")
    clock.advance(0.3)  # the post took 0.3 s to be answered
    pacer.sent("19:t")
    began = clock.now()
    await pacer.acquire("19:t")
    assert clock.now() - began == 1.0  # a window after the answer, not after the start
