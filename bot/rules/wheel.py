"""The annual wheel (årshjul) as data, and the rules that say when each reminder is due.

bot/rules/wheel_file.py reads the TOML file into a `Wheel`. Here is the calendar arithmetic on
top of it: `occurrences_for_year` and `due_between` (the scheduler keys each occurrence by
(activity_key, period) so it is delivered once), this week's digest and when an unanswered
reminder goes to the chair. Every local time is read in the zone the caller passes
(STYRA_TIMEZONE); working days are Swedish.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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

AUDIENCES = ("coordinators", "steering_group")
ACTIONS = ("status_report", "needs_inventory", "show_plan", "needs_list")
STEERING_MONTHS = (3, 6, 9, 12)
DEFAULT_DUE_WORKING_DAYS = 10


# What a quarter's status report adds to the fixed template (DOMAIN.md §5). The status-report
# feature reads these ids; the wheel only says which quarter a report belongs to.
QUARTER_REPORT_EXTRAS: dict[str, tuple[str, ...]] = {
    "q1": (),
    "q2": ("security_review", "agreements_and_service_levels", "needs_next_year"),
    "q3": ("annual_commission", "time_estimates", "draft_plan"),
    "q4": ("completed_plan",),
}


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


# --- day rules -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FirstWorkingDay:
    def __str__(self) -> str:
        return "first_working_day"


@dataclass(frozen=True)
class LastWorkingDay:
    def __str__(self) -> str:
        return "last_working_day"


@dataclass(frozen=True)
class WorkingDay:
    """The n-th working day of the month."""

    n: int

    def __str__(self) -> str:
        return f"working_day = {self.n}"


@dataclass(frozen=True)
class NthWeekday:
    """The n-th given weekday of the month (0 = Monday); the next working day if that is closed."""

    n: int
    weekday: int

    def __str__(self) -> str:
        return f"nth_weekday = {self.n} {WEEKDAYS[self.weekday]}"


@dataclass(frozen=True)
class BeforeSteeringMeeting:
    """n working days before the steering-group meeting held in the same month."""

    n: int

    def __str__(self) -> str:
        return f"before_steering_meeting = {self.n}"


DayRule = FirstWorkingDay | LastWorkingDay | WorkingDay | NthWeekday | BeforeSteeringMeeting
MeetingRule = FirstWorkingDay | LastWorkingDay | WorkingDay | NthWeekday


# --- the wheel -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    key: str
    month: int
    when: DayRule
    audience: str
    title: dict[str, str]  # language -> text; "en" falls back to the Swedish text
    body: dict[str, str]
    action: str | None
    quarter_report: str | None
    due_working_days: int


@dataclass(frozen=True)
class Wheel:
    activities: tuple[Activity, ...]
    reminder_time: dt.time
    steering_meetings: dict[int, MeetingRule]

    def activity(self, key: str) -> Activity:
        for item in self.activities:
            if item.key == key:
                return item
        raise KeyError(key)


@dataclass(frozen=True)
class Occurrence:
    activity_key: str
    period: str  # "YYYY-MM": with activity_key, the identity of one delivery
    due_at: dt.datetime  # aware, local time of the wheel's reminder_time
    answer_by: dt.date



# --- when things happen --------------------------------------------------------------------


def _nth_weekday(year: int, month: int, rule: NthWeekday) -> dt.date:
    first = dt.date(year, month, 1)
    day = first + dt.timedelta(days=(rule.weekday - first.weekday()) % 7 + 7 * (rule.n - 1))
    if is_working_day(day):
        return day
    # Closed that day (e.g. långfredag): the next working day in the month, else the previous.
    later = [d for d in working_days_in_month(year, month) if d > day]
    return later[0] if later else last_working_day(year, month)


def _resolve(rule: DayRule, year: int, month: int, wheel: Wheel) -> dt.date:
    if isinstance(rule, FirstWorkingDay):
        return first_working_day(year, month)
    if isinstance(rule, LastWorkingDay):
        return last_working_day(year, month)
    if isinstance(rule, WorkingDay):
        return nth_working_day(year, month, rule.n)
    if isinstance(rule, NthWeekday):
        return _nth_weekday(year, month, rule)
    # Never earlier than the month's first working day, so the reminder stays in its month
    # even when the meeting is early and n is large.
    meeting = steering_meeting_date(wheel, year, month)
    return max(working_days_before(meeting, rule.n), first_working_day(year, month))


def steering_meeting_date(wheel: Wheel, year: int, month: int) -> dt.date:
    """The day of the steering-group meeting in `month` (3, 6, 9 or 12)."""
    if month not in wheel.steering_meetings:
        raise ValueError(f"no steering-group meeting in month {month}")
    return _resolve(wheel.steering_meetings[month], year, month, wheel)


def activity_date(wheel: Wheel, activity: Activity, year: int) -> dt.date:
    """The working day in `year` on which the activity's reminder goes out."""
    return _resolve(activity.when, year, activity.month, wheel)


def occurrences_for_year(wheel: Wheel, year: int, tz: dt.tzinfo) -> list[Occurrence]:
    """Every activity's occurrence in `year` (the reminder time read in `tz`), sorted by due time."""
    result = []
    for activity in wheel.activities:
        day = activity_date(wheel, activity, year)
        answer_by = add_working_days(day, activity.due_working_days)
        if isinstance(activity.when, BeforeSteeringMeeting):
            answer_by = min(answer_by, steering_meeting_date(wheel, year, activity.month))
        result.append(
            Occurrence(
                activity_key=activity.key,
                period=f"{year:04d}-{activity.month:02d}",
                due_at=local_datetime(day, wheel.reminder_time, tz),
                answer_by=answer_by,
            )
        )
    result.sort(key=lambda o: (o.due_at, o.activity_key))
    return result


def due_between(wheel: Wheel, start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> list[Occurrence]:
    """Occurrences with start < due_at <= end (aware datetimes), across year boundaries.

    Half-open windows let a scheduler tick from one watermark to the next without ever
    returning the same occurrence twice.
    """
    local_start, local_end = to_local(start, tz), to_local(end, tz)
    if local_end <= local_start:
        return []
    found = []
    for year in range(local_start.year, local_end.year + 1):
        found.extend(o for o in occurrences_for_year(wheel, year, tz) if start < o.due_at <= end)
    return found


# --- the weekly digest and the chair's nudge ------------------------------------------------


def digest_moment(wheel: Wheel, now: dt.datetime, weekday: int, tz: dt.tzinfo) -> dt.datetime | None:
    """This week's digest time in UTC (the configured weekday, or the next working day that
    week, at the wheel's reminder time), once it has passed; None before it, and in a week with
    no working day from `weekday` to Friday."""
    local = to_local(now, tz)
    monday = local.date() - dt.timedelta(days=local.weekday())
    for offset in range(weekday, 5):
        day = monday + dt.timedelta(days=offset)
        if is_working_day(day):
            moment = local_datetime(day, wheel.reminder_time, tz)
            return moment.astimezone(dt.UTC) if moment <= local else None
    return None


def digest_period(moment: dt.datetime, tz: dt.tzinfo) -> str:
    """The digest's identity with the e-area: its ISO week, e.g. "2026-W12"."""
    iso = to_local(moment, tz).isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def escalation_due(sent_at: dt.datetime, working_days: int, now: dt.datetime, tz: dt.tzinfo) -> bool:
    """An unanswered reminder goes to the chair once `working_days` working days have passed
    since it was posted (counted in local dates)."""
    return add_working_days(to_local(sent_at, tz).date(), working_days) <= to_local(now, tz).date()


__all__ = [
    "ACTIONS",
    "AUDIENCES",
    "Activity",
    "BeforeSteeringMeeting",
    "DayRule",
    "FirstWorkingDay",
    "LastWorkingDay",
    "MeetingRule",
    "NthWeekday",
    "Occurrence",
    "QUARTER_REPORT_EXTRAS",
    "Wheel",
    "WorkingDay",
    "activity_date",
    "digest_moment",
    "digest_period",
    "due_between",
    "escalation_due",
    "occurrences_for_year",
    "steering_meeting_date",
]
