"""Swedish working days and local time: the arithmetic under the annual wheel.

Pure functions. The only data source is the `holidays` package (Swedish public holidays),
read once per year and cached. The time zone is the caller's (STYRA_TIMEZONE, passed in as a
`tzinfo`): no rule here assumes one.
"""

from __future__ import annotations

import calendar as _stdcal
import datetime as dt
from functools import lru_cache

import holidays


def _midsummer_eve(year: int) -> dt.date:
    # Midsommarafton is the Friday between 19 and 25 June.
    june19 = dt.date(year, 6, 19)
    return june19 + dt.timedelta(days=(4 - june19.weekday()) % 7)


@lru_cache(maxsize=64)
def non_working_weekdays(year: int) -> frozenset[dt.date]:
    """Monday-to-Friday dates in `year` when Swedish offices are closed.

    Public holidays come from `holidays` for Sweden. Some versions of that package list every
    Sunday as a holiday; keeping only Monday-Friday dates makes the result the same whatever the
    version does. Midsommarafton, julafton and nyårsafton are not public holidays by law, but
    universities (like most employers) close on them, so a reminder must never land there.
    """
    public = holidays.country_holidays("SE", years=year)
    days = {d for d in public if d.year == year}
    days |= {_midsummer_eve(year), dt.date(year, 12, 24), dt.date(year, 12, 31)}
    return frozenset(d for d in days if d.weekday() < 5)


def is_working_day(d: dt.date) -> bool:
    """Monday-Friday and neither a Swedish public holiday nor one of the eves above."""
    return d.weekday() < 5 and d not in non_working_weekdays(d.year)


def add_working_days(d: dt.date, n: int) -> dt.date:
    """The date `n` working days after `d` (before it when `n` is negative).

    `d` itself is never counted, so `add_working_days(friday, 1)` is the next working day
    and `n == 0` returns `d` unchanged.
    """
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    current = d
    while remaining:
        current += dt.timedelta(days=step)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_before(d: dt.date, n: int) -> dt.date:
    """The date `n` working days before `d` (`d` itself not counted)."""
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    return add_working_days(d, -n)


@lru_cache(maxsize=256)
def working_days_in_month(year: int, month: int) -> tuple[dt.date, ...]:
    # Cached: the scheduler asks for the same months every minute.
    last = _stdcal.monthrange(year, month)[1]
    return tuple(
        day for day in (dt.date(year, month, i) for i in range(1, last + 1)) if is_working_day(day)
    )


def nth_working_day(year: int, month: int, n: int) -> dt.date:
    """The `n`th working day (1-based) of the month; ValueError if the month has fewer."""
    days = working_days_in_month(year, month)
    if not 1 <= n <= len(days):
        raise ValueError(f"{year}-{month:02d} has {len(days)} working days, asked for number {n}")
    return days[n - 1]


def first_working_day(year: int, month: int) -> dt.date:
    return working_days_in_month(year, month)[0]


def last_working_day(year: int, month: int) -> dt.date:
    return working_days_in_month(year, month)[-1]


def to_local(value: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """The same instant in `tz`. Naive datetimes are refused: their instant is unknown."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: pass an aware datetime (e.g. UTC)")
    return value.astimezone(tz)


def local_datetime(day: dt.date, at: dt.time, tz: dt.tzinfo) -> dt.datetime:
    """`day` at wall-clock time `at` in `tz`, aware.

    Callers keep `at` inside working hours, where the wall clock neither skips nor repeats.
    """
    return dt.datetime.combine(day, at.replace(tzinfo=None), tzinfo=tz)
