"""A whole year of the annual wheel, tick by tick on a frozen clock: every activity is posted
once, in its month, on a Stockholm working day, in each e-area with a linked channel.

Styra reads time from the injected clock; time-machine freezes the wall clock at the same moment
for every tick, so any code that read `datetime.now()` instead would see the same time."""

import datetime as dt

import time_machine

from bot.rules.calendar import is_working_day, non_working_weekdays
from bot.rules.wheel_file import load_wheel
from dialogs import wheel as reminders
from storage import reminders as repo
from storage.reminder_tables import ReminderOccurrence
from tests.scenarios.wheel_kit import (
    STOCKHOLM,
    WallClock,
    channel_posts,
    link,
    local,
    make_services,
)

YEAR = 2026
LINKED = {"utbildning": "19:utbildning-styrgrupp@thread.tacv2", "ekonomi": "19:ekonomi-styrgrupp@thread.tacv2"}


def _rows(session):
    from sqlmodel import select

    return list(session.exec(select(ReminderOccurrence)))


async def test_a_year_of_ticks_posts_every_activity_once_on_working_days(db_url, connector):
    clock = WallClock(local(YEAR, 1, 1, 0, 0))
    services = make_services(db_url, clock)
    for slug, conversation in LINKED.items():
        link(services.db, slug, conversation, connector.url, linked_at=local(YEAR - 1, 12, 20))
    wheel = load_wheel(None)
    try:
        day = dt.date(YEAR, 1, 1)
        while day.year == YEAR:
            # Three ticks a day, including the reminder minute itself and a second tick in the
            # same minute (as a second instance or a repeated DST hour would fire it).
            for hour, minute in ((8, 59), (9, 0), (9, 0), (16, 30)):
                clock.now = local(day.year, day.month, day.day, hour, minute)
                with time_machine.travel(clock.now, tick=False):
                    await reminders.tick(services, clock.now)
            day += dt.timedelta(days=1)
        rows = await services.db.run(_rows)
    finally:
        services.db.dispose()

    wheel_rows = [r for r in rows if r.activity_key != repo.DIGEST_KEY]
    for slug, conversation in LINKED.items():
        mine = [r for r in wheel_rows if r.scope == slug]
        assert sorted(r.activity_key for r in mine) == sorted(a.key for a in wheel.activities)
        for row in mine:
            activity = wheel.activity(row.activity_key)
            sent = row.sent_at.astimezone(STOCKHOLM)
            assert row.status == "sent" and row.sent_count == 1, (row.activity_key, row.status)
            assert sent.month == activity.month, (row.activity_key, sent)
            assert is_working_day(sent.date()), (row.activity_key, sent)
            assert sent.date() not in non_working_weekdays(YEAR)
            assert (sent.hour, sent.minute) == (9, 0)  # the wheel's reminder time, DST or not
        # What the channel received: each reminder card exactly once, nothing else twice.
        posts = channel_posts(connector, conversation)
        titles = [p.card["fallbackText"] for p in posts]
        for activity in wheel.activities:
            assert titles.count(activity.title["sv"]) == 1, activity.key
        digests = [r for r in rows if r.scope == slug and r.activity_key == repo.DIGEST_KEY]
        assert len(posts) == len(wheel.activities) + len(digests)
        assert len({d.period for d in digests}) == len(digests)  # at most one digest a week
        for digest in digests:
            assert is_working_day(digest.sent_at.astimezone(STOCKHOLM).date())
    # The e-area without a linked channel got nothing.
    assert not [r for r in rows if r.scope == "forskning"]
