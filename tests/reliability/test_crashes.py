"""Delivery under crashes, outages and two instances, with real processes: `python app.py` on a
SQLite file or a PostgreSQL schema, SIGKILL and SIGTERM, a fake Teams with its rate limits in
this process, outbox rows written straight into the database.

Targets: 0 lost; duplicates only for posts in flight at a SIGKILL (at most the send
concurrency); 0 duplicates after a database outage, with a slow Teams, with two instances or
after SIGTERM; the rest of an interrupted fan-out sent within 60 s of a restart.
`make soak` repeats the scenarios marked `soak` 10 times each."""

from __future__ import annotations

import asyncio
import logging
import sys
import time

import pytest
import sqlalchemy as sa

from storage.db import Database
from tests.reliability.kit import (
    enqueue_posts,
    expected_texts,
    message,
    outbox_rows,
    posts_per_key,
    recorded,
    seed_channels,
    summary,
    until,
)
from tests.reliability.pgproxy import OutageProxy
from tests.reliability.processes import Styra

CONCURRENCY = 8
log = logging.getLogger("styra.tests.reliability")


def report(name: str, **figures) -> None:
    """One line per run, for the soak's figures (visible with -s)."""
    sys.stderr.write(f"\nRELIABILITY {name} " + " ".join(f"{k}={v}" for k, v in figures.items()) + "\n")


@pytest.fixture
async def database(any_db_url):
    db = Database.from_url(any_db_url)
    yield db
    db.dispose()


@pytest.fixture
def instances(tmp_path):
    started: list[Styra] = []

    def make(url: str, name: str, **env) -> Styra:
        styra = Styra(url, tmp_path, name, STYRA_SEND_CONCURRENCY=str(CONCURRENCY), **env)
        started.append(styra)
        return styra

    yield make
    for styra in started:
        styra.close()


@pytest.mark.soak
async def test_sigkill_mid_fanout_and_mid_turn_loses_nothing(any_db_url, database, instances, connector):
    connector.delay_s = 0.1  # each post takes a while, so some are in flight at the kill
    connector.teams_limits = True
    ids = await database.run(seed_channels, connector.url, 150)
    expected = expected_texts(ids, "kill")
    env = {"STYRA_TURN_CLAIM_SECONDS": "2"}
    first = await instances(any_db_url, "first", **env).start()
    await database.run(enqueue_posts, ids, prefix="kill")
    await until(lambda: len(connector.sent) >= 40)
    # a person writes; the answer hangs in Teams, so the turn is mid-way when the process dies
    turn_message = message(connector.url, "hjälp", "resend-1")
    connector.slow[turn_message["conversation"]["id"]] = 30.0
    turn = asyncio.ensure_future(first.post(turn_message))
    await until(lambda: any(c == turn_message["conversation"]["id"] for _, c in connector.arrivals))
    first.kill()
    turn.cancel()
    connector.slow.clear()
    at_kill = len(connector.sent)

    second = await instances(any_db_url, "second", **env).start()
    restarted = time.monotonic()
    assert await second.post(turn_message) in (200, 201, 202)  # Teams resends the activity
    await until(lambda: expected <= set(posts_per_key(connector, "kill")), timeout=60)
    took = time.monotonic() - restarted
    duplicates, lost = summary(posts_per_key(connector, "kill"), expected)
    answers = [s for s in connector.sent if s.activity.get("replyToId") == "resend-1"]
    report("sigkill", backend=database.engine.dialect.name, sent_before_kill=at_kill, duplicates=duplicates,
           lost=lost, rest_sent_after_restart_s=round(took, 1), throttled=connector.throttled,
           resend_answered=bool(answers))
    assert lost == 0 and duplicates <= CONCURRENCY and took < 60
    assert await recorded(database, "kill") == {"sent"}
    # the turn that died is run again for Teams' resend (its claim expired), without an apology
    assert any("hjälp" in a.all_text().lower() for a in answers)
    assert all("Förlåt" not in a.all_text() for a in answers)


@pytest.mark.soak
async def test_two_instances_double_nothing_under_teams_limits_or_with_a_slow_teams(
        any_db_url, database, instances, connector):
    connector.teams_limits = True
    ids = await database.run(seed_channels, connector.url, 12)
    expected = expected_texts(ids, "pair", 12)
    env = {"STYRA_OUTBOX_LEASE_SECONDS": "3"}
    one, two = instances(any_db_url, "one", **env), instances(any_db_url, "two", **env)
    await asyncio.gather(one.start(), two.start())
    began = time.monotonic()
    await database.run(enqueue_posts, ids, prefix="pair", per_conversation=12)
    await until(lambda: expected <= set(posts_per_key(connector, "pair")), timeout=60)
    took = time.monotonic() - began
    duplicates, lost = summary(posts_per_key(connector, "pair"), expected)
    assert (duplicates, lost) == (0, 0)
    assert connector.throttled == 0
    assert await recorded(database, "pair") == {"sent"}

    # Teams slows down: every post answers after 4.5 s, longer than a claim's lease (3 s)
    connector.delay_s = 4.5
    slow = expected_texts(ids, "slow")
    await database.run(enqueue_posts, ids, prefix="slow")
    await until(lambda: slow <= set(posts_per_key(connector, "slow")), timeout=40)
    await asyncio.sleep(1.0)  # a second copy would be on its way by now
    slow_duplicates, slow_lost = summary(posts_per_key(connector, "slow"), slow)
    report("two-instances", backend=database.engine.dialect.name, posts=len(expected), duplicates=duplicates,
           lost=lost, throttled=connector.throttled, took_s=round(took, 1),
           slow_teams_duplicates=slow_duplicates, slow_teams_lost=slow_lost)
    assert (slow_duplicates, slow_lost) == (0, 0)


@pytest.mark.soak
async def test_sigterm_drains_for_a_bounded_time_and_the_rest_follows_the_restart(
        any_db_url, database, instances, connector):
    connector.teams_limits = True
    ids = await database.run(seed_channels, connector.url, 6)
    expected = expected_texts(ids, "term", 20)  # 20 posts to each of 6 chats: paced, ~10 s
    first = await instances(any_db_url, "first", STYRA_DRAIN_SECONDS="1").start()
    await database.run(enqueue_posts, ids, prefix="term", per_conversation=20)
    await until(lambda: len(connector.sent) >= 20)
    stopped_in = await first.stop()
    before = sum(posts_per_key(connector, "term").values())
    rows = await database.run(outbox_rows, "term")
    waiting = [r for r in rows if r.status == "pending"]
    assert waiting, "the drain was meant to be cut short"
    assert all(r.lease_until is None for r in waiting)  # handed back: the next start takes them at once

    await instances(any_db_url, "second").start()
    restarted = time.monotonic()
    await until(lambda: expected <= set(posts_per_key(connector, "term")), timeout=60)
    took = time.monotonic() - restarted
    duplicates, lost = summary(posts_per_key(connector, "term"), expected)
    report("sigterm", backend=database.engine.dialect.name, stopped_in_s=round(stopped_in, 1),
           sent_before_stop=before, duplicates=duplicates, lost=lost, rest_after_restart_s=round(took, 1),
           throttled=connector.throttled)
    assert stopped_in < 1 + 3 + 4  # drain + the grace for posts in flight + the process's own exit
    assert (duplicates, lost) == (0, 0) and took < 60


@pytest.mark.soak
async def test_a_three_second_postgresql_outage_mid_fanout_doubles_nothing(
        any_db_url, database, instances, connector):
    if database.engine.dialect.name != "postgresql":
        pytest.skip("a network outage needs a database on the network")
    url = sa.engine.make_url(any_db_url)
    proxy = await OutageProxy(url.host or "127.0.0.1", url.port or 5432).start()
    try:
        via_proxy = url.set(host="127.0.0.1", port=proxy.listen_port).render_as_string(hide_password=False)
        connector.delay_s = 0.05
        connector.teams_limits = True
        ids = await database.run(seed_channels, connector.url, 150)
        expected = expected_texts(ids, "outage")
        styra = await instances(via_proxy, "styra").start()
        await database.run(enqueue_posts, ids, prefix="outage")
        await until(lambda: len(connector.sent) >= 40)
        began = time.monotonic()
        await proxy.outage(3.0)
        ended = time.monotonic()
        await until(lambda: expected <= set(posts_per_key(connector, "outage")), timeout=60)
        await asyncio.sleep(1.0)
        duplicates, lost = summary(posts_per_key(connector, "outage"), expected)
        during = [t for t, _ in connector.arrivals if began + 0.3 < t < ended]
        report("pg-outage", duplicates=duplicates, lost=lost, posts_during_outage=len(during))
        assert (duplicates, lost) == (0, 0)
        assert during == []  # nothing new was posted while the database could not record it
        assert styra.proc.poll() is None  # and Styra recovered without a restart
    finally:
        await proxy.close()
