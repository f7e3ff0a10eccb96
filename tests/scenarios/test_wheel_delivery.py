"""Exactly once under trouble: a fan-out cancelled in the middle and restarted, and two
scheduler instances ticking at the same moment against the same database (SQLite, and
PostgreSQL when TEST_DATABASE_URL is set)."""

import asyncio
import datetime as dt

import pytest

from dialogs import wheel as reminders
from storage.models import EArea
from storage.reminder_tables import ReminderOccurrence
from tests.scenarios.wheel_kit import WallClock, channel_posts, link, local, make_services

AREAS = 12
NOW = local(2026, 3, 10, 9, 0)  # "mar-steering-material" is due in every e-area


def _add_areas(session):
    for i in range(AREAS):
        session.add(EArea(slug=f"omrade-{i:02d}", name=f"Område {i:02d}"))


def _rows(session):
    from sqlmodel import select

    return list(session.exec(select(ReminderOccurrence).where(ReminderOccurrence.period == "2026-03",
                                                              ReminderOccurrence.status != "missed")))


def conversation(i: int) -> str:
    return f"19:omrade-{i:02d}@thread.tacv2"


def prepare(url, connector, clock, **env):
    services = make_services(url, clock, **env)
    services.db.call(_add_areas)
    for i in range(AREAS):
        link(services.db, f"omrade-{i:02d}", conversation(i), connector.url, linked_at=local(2026, 3, 9))
    return services


def assert_each_posted_once(connector, rows):
    for i in range(AREAS):
        posts = channel_posts(connector, conversation(i))
        assert len(posts) == 1, (conversation(i), len(posts))
    assert len(rows) == AREAS
    assert all(r.status == "sent" and r.sent_count == 1 and r.activity_id for r in rows)


@pytest.mark.parametrize("k", [1, 5])
async def test_fan_out_cancelled_after_k_sends_then_restart_posts_each_once(any_db_url, connector, k):
    clock = WallClock(NOW)
    # One send at a time, so "after k sends" is a precise point in the fan-out.
    first = prepare(any_db_url, connector, clock, STYRA_REMINDER_CONCURRENCY=1)
    deliverer = first.outbound.deliverer
    real_transport = deliverer._transport
    sends = 0
    task: asyncio.Task | None = None

    async def crashing_transport(target, activity):
        nonlocal sends
        result = await real_transport(target, activity)
        sends += 1
        if sends == k:
            task.cancel()  # the process stops right after Teams accepted the k-th post
        return result

    deliverer._transport = crashing_transport
    task = asyncio.create_task(reminders.tick(first, NOW))
    with pytest.raises(asyncio.CancelledError):
        await task
    # The cancelled tick ended only after recording every post it made: nothing left to wait for.
    first.db.dispose()
    assert sends == k
    assert sum(len(channel_posts(connector, conversation(i))) for i in range(AREAS)) == k

    # A restart (a new instance) before the claims expire sends nothing twice ...
    clock.now = NOW + dt.timedelta(minutes=1)
    second = make_services(any_db_url, clock, demo=False)
    try:
        early = await reminders.tick(second)
        assert early.sent == 0
        # ... and once the dead instance's claims have expired, it delivers the rest.
        clock.now = NOW + dt.timedelta(minutes=20)
        late = await reminders.tick(second)
        again = await reminders.tick(second)
        rows = await second.db.run(_rows)
    finally:
        second.db.dispose()
    assert late.sent == AREAS - k and again.sent == 0
    assert_each_posted_once(connector, rows)


async def test_two_instances_ticking_together_post_each_reminder_once(any_db_url, connector):
    clock = WallClock(NOW)
    one = prepare(any_db_url, connector, clock)
    two = make_services(any_db_url, clock, demo=False)
    try:
        reports = await asyncio.gather(reminders.tick(one, NOW), reminders.tick(two, NOW),
                                       reminders.tick(one, NOW), reminders.tick(two, NOW))
        # A minute later, both again: nothing new.
        later = NOW + dt.timedelta(minutes=1)
        more = await asyncio.gather(reminders.tick(one, later), reminders.tick(two, later))
        rows = await one.db.run(_rows)
    finally:
        one.db.dispose()
        two.db.dispose()
    assert sum(r.sent for r in reports) == AREAS
    assert sum(r.sent for r in more) == 0
    assert_each_posted_once(connector, rows)
    assert len({r.claimed_by for r in rows}) == 1 and rows[0].claimed_by is None  # cleared on send
