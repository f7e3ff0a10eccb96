"""The weekly digest's moment and week, and when an unanswered reminder goes to the chair:
pure rules, read in the zone they are given."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.rules.wheel import digest_moment, digest_period, escalation_due
from bot.rules.wheel_file import load_wheel

STOCKHOLM = ZoneInfo("Europe/Stockholm")
HELSINKI = ZoneInfo("Europe/Helsinki")
UTC = dt.UTC
WHEEL = load_wheel(None)  # reminders at 09:00


def at(zone, *parts) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=zone)


@pytest.mark.parametrize("now,weekday,zone,expected", [
    (at(STOCKHOLM, 2026, 3, 16, 8, 59), 0, STOCKHOLM, None),  # Monday, before nine
    (at(STOCKHOLM, 2026, 3, 16, 9, 0), 0, STOCKHOLM, at(UTC, 2026, 3, 16, 8, 0)),
    (at(STOCKHOLM, 2026, 3, 12, 15, 0), 0, STOCKHOLM, at(UTC, 2026, 3, 9, 8, 0)),  # Thursday: this week's Monday
    (at(STOCKHOLM, 2026, 4, 6, 12, 0), 0, STOCKHOLM, None),  # annandag påsk: moves to Tuesday
    (at(STOCKHOLM, 2026, 4, 7, 9, 0), 0, STOCKHOLM, at(UTC, 2026, 4, 7, 7, 0)),
    (at(STOCKHOLM, 2026, 4, 3, 12, 0), 4, STOCKHOLM, None),  # långfredag: no working day left that week
    (at(STOCKHOLM, 2026, 3, 18, 9, 0), 2, STOCKHOLM, at(UTC, 2026, 3, 18, 8, 0)),  # Wednesday digests
    (at(HELSINKI, 2026, 3, 16, 9, 0), 0, HELSINKI, at(UTC, 2026, 3, 16, 7, 0)),  # nine in Helsinki
    (at(STOCKHOLM, 2026, 3, 16, 8, 30), 0, HELSINKI, at(UTC, 2026, 3, 16, 7, 0)),  # 09:30 there: passed
])
def test_digest_moment(now, weekday, zone, expected):
    assert digest_moment(WHEEL, now, weekday, zone) == expected


@pytest.mark.parametrize("moment,zone,expected", [
    (at(UTC, 2026, 3, 16, 8, 0), STOCKHOLM, "2026-W12"),
    (at(UTC, 2026, 3, 15, 23, 30), STOCKHOLM, "2026-W12"),  # already Monday in Stockholm
    (at(UTC, 2026, 3, 15, 22, 30), STOCKHOLM, "2026-W11"),  # still Sunday there
    (at(UTC, 2026, 3, 15, 22, 30), HELSINKI, "2026-W12"),  # but Monday in Helsinki
    (at(UTC, 2027, 1, 1, 8, 0), STOCKHOLM, "2026-W53"),  # ISO weeks cross the new year
])
def test_digest_period_is_the_local_iso_week(moment, zone, expected):
    assert digest_period(moment, zone) == expected


@pytest.mark.parametrize("sent_at,days,now,zone,expected", [
    (at(STOCKHOLM, 2026, 3, 10, 9, 0), 3, at(STOCKHOLM, 2026, 3, 12, 10, 0), STOCKHOLM, False),
    (at(STOCKHOLM, 2026, 3, 10, 9, 0), 3, at(STOCKHOLM, 2026, 3, 13, 0, 5), STOCKHOLM, True),
    (at(STOCKHOLM, 2026, 4, 2, 9, 0), 1, at(STOCKHOLM, 2026, 4, 6, 12, 0), STOCKHOLM, False),  # Easter
    (at(STOCKHOLM, 2026, 4, 2, 9, 0), 1, at(STOCKHOLM, 2026, 4, 7, 8, 0), STOCKHOLM, True),
    # Posted at 23:30 UTC: already the 11th in Stockholm, so the count starts a day later.
    (at(UTC, 2026, 3, 10, 23, 30), 1, at(STOCKHOLM, 2026, 3, 11, 12, 0), STOCKHOLM, False),
    (at(UTC, 2026, 3, 10, 23, 30), 1, at(STOCKHOLM, 2026, 3, 12, 9, 0), STOCKHOLM, True),
    (at(UTC, 2026, 3, 10, 22, 30), 1, at(UTC, 2026, 3, 11, 12, 0), STOCKHOLM, True),
    (at(UTC, 2026, 3, 10, 22, 30), 1, at(UTC, 2026, 3, 11, 12, 0), HELSINKI, False),
])
def test_escalation_is_due_after_the_working_days_counted_in_local_dates(sent_at, days, now, zone, expected):
    assert escalation_due(sent_at, days, now, zone) is expected
