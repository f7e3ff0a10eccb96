import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.rules.calendar import (
    add_working_days,
    first_working_day,
    is_working_day,
    last_working_day,
    local_datetime,
    nth_working_day,
    to_local,
    working_days_before,
    working_days_in_month,
)

D = dt.date

# Every closed weekday of 2027 in Sweden, written out by hand (the eves included on purpose).
CLOSED_WEEKDAYS_2027 = {
    D(2027, 1, 1): "nyårsdagen",
    D(2027, 1, 6): "trettondedag jul",
    D(2027, 3, 26): "långfredagen",
    D(2027, 3, 29): "annandag påsk",
    D(2027, 5, 6): "Kristi himmelsfärdsdag",
    D(2027, 6, 25): "midsommarafton",
    D(2027, 12, 24): "julafton",
    D(2027, 12, 31): "nyårsafton",
}
# Holidays of 2027 that fall on a weekend: closed anyway.
WEEKEND_HOLIDAYS_2027 = {
    D(2027, 5, 1): "första maj",
    D(2027, 6, 6): "nationaldagen",
    D(2027, 6, 26): "midsommardagen",
    D(2027, 12, 25): "juldagen",
    D(2027, 12, 26): "annandag jul",
}


@pytest.mark.parametrize("day", sorted(CLOSED_WEEKDAYS_2027 | WEEKEND_HOLIDAYS_2027))
def test_swedish_holidays_and_eves_of_2027_are_not_working_days(day):
    assert not is_working_day(day)


def test_2027_has_exactly_the_listed_closed_weekdays():
    weekdays = [D(2027, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    closed = {d for d in weekdays if d.weekday() < 5 and not is_working_day(d)}
    assert closed == set(CLOSED_WEEKDAYS_2027)


def test_weekends_are_not_working_days_and_ordinary_weekdays_are():
    assert not is_working_day(D(2027, 3, 13))  # Saturday
    assert not is_working_day(D(2027, 3, 14))  # Sunday
    assert is_working_day(D(2027, 3, 15))  # Monday
    assert is_working_day(D(2027, 12, 23))  # the day before julafton
    assert is_working_day(D(2027, 12, 27))  # Monday after Christmas


def test_midsummer_eve_is_the_friday_between_19_and_25_june():
    assert not is_working_day(D(2026, 6, 19))
    assert is_working_day(D(2026, 6, 18))
    assert not is_working_day(D(2028, 6, 23))
    assert is_working_day(D(2028, 6, 16))


def test_add_working_days_skips_weekends_and_holidays():
    # Thursday before Easter 2027 + 1 -> Tuesday (Good Friday, weekend, Easter Monday closed)
    assert add_working_days(D(2027, 3, 25), 1) == D(2027, 3, 30)
    assert add_working_days(D(2027, 12, 23), 2) == D(2027, 12, 28)
    assert add_working_days(D(2027, 12, 30), 1) == D(2028, 1, 3)  # across the year
    assert add_working_days(D(2027, 3, 30), -1) == D(2027, 3, 25)
    assert add_working_days(D(2027, 3, 13), 0) == D(2027, 3, 13)


def test_working_days_before():
    assert working_days_before(D(2027, 3, 30), 2) == D(2027, 3, 24)
    assert working_days_before(D(2028, 1, 3), 1) == D(2027, 12, 30)
    with pytest.raises(ValueError):
        working_days_before(D(2027, 3, 30), -1)


def test_first_last_and_nth_working_day():
    assert first_working_day(2027, 1) == D(2027, 1, 4)  # 1 Jan Friday holiday, then weekend
    assert nth_working_day(2027, 1, 3) == D(2027, 1, 7)  # 6 Jan is trettondedag jul
    assert last_working_day(2027, 12) == D(2027, 12, 30)  # 31 Dec is nyårsafton
    assert last_working_day(2027, 4) == D(2027, 4, 30)
    assert nth_working_day(2027, 4, 1) == D(2027, 4, 1)


def test_nth_working_day_refuses_numbers_outside_the_month():
    count = len(working_days_in_month(2027, 12))
    assert nth_working_day(2027, 12, count) == D(2027, 12, 30)
    with pytest.raises(ValueError, match="2027-12"):
        nth_working_day(2027, 12, count + 1)
    with pytest.raises(ValueError):
        nth_working_day(2027, 12, 0)


def test_to_local_converts_aware_and_refuses_naive():
    stockholm = ZoneInfo("Europe/Stockholm")
    summer = to_local(dt.datetime(2027, 7, 1, 7, 0, tzinfo=dt.UTC), stockholm)
    winter = to_local(dt.datetime(2027, 1, 1, 8, 0, tzinfo=dt.UTC), stockholm)
    assert (summer.hour, summer.utcoffset()) == (9, dt.timedelta(hours=2))
    assert (winter.hour, winter.utcoffset()) == (9, dt.timedelta(hours=1))
    with pytest.raises(ValueError, match="naive"):
        to_local(dt.datetime(2027, 1, 1, 8, 0), stockholm)


def test_to_local_reads_the_same_instant_in_the_zone_it_is_given():
    helsinki = to_local(dt.datetime(2027, 1, 1, 8, 0, tzinfo=dt.UTC), ZoneInfo("Europe/Helsinki"))
    assert (helsinki.hour, helsinki.utcoffset()) == (10, dt.timedelta(hours=2))


def test_local_datetime_at_nine_on_the_dst_change_days():
    stockholm = ZoneInfo("Europe/Stockholm")
    spring = local_datetime(D(2027, 3, 28), dt.time(9, 0), stockholm)
    autumn = local_datetime(D(2027, 10, 31), dt.time(9, 0), stockholm)
    assert spring.astimezone(dt.UTC) == dt.datetime(2027, 3, 28, 7, 0, tzinfo=dt.UTC)
    assert autumn.astimezone(dt.UTC) == dt.datetime(2027, 10, 31, 8, 0, tzinfo=dt.UTC)
