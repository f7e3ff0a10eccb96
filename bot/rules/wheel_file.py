"""Reading the annual wheel's TOML file into a `Wheel` (bot/rules/wheel.py).

`parse_wheel` validates the text; every mistake is reported as a `WheelError` with the line it
sits on, so an administrator editing the file can fix it. `load_wheel` reads a file (None: the
packaged bot/wheel.toml).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any

from bot.rules.wheel import (
    ACTIONS,
    AUDIENCES,
    DEFAULT_DUE_WORKING_DAYS,
    QUARTER_REPORT_EXTRAS,
    STEERING_MONTHS,
    WEEKDAYS,
    Activity,
    BeforeSteeringMeeting,
    DayRule,
    FirstWorkingDay,
    LastWorkingDay,
    MeetingRule,
    NthWeekday,
    Wheel,
    WorkingDay,
)

DEFAULT_WHEEL_PATH = Path(__file__).resolve().parent.parent / "wheel.toml"
LANGUAGES = ("sv", "en")

# Reminders go out in office hours only: in European time zones a night hour is skipped in
# spring and repeated in autumn, and nobody reads a governance reminder at night.
EARLIEST_REMINDER = dt.time(7, 0)
LATEST_REMINDER = dt.time(18, 0)

# Bounds that keep every rule inside its month in every year (the shortest month still has
# more than 15 working days; the fourth weekday of a kind always exists).
MAX_WORKING_DAY = 15
MAX_BEFORE_MEETING = 10
MAX_NTH_WEEKDAY = 4
MAX_DUE_WORKING_DAYS = 60
MAX_TITLE = 120
MAX_BODY = 1000

_KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TIME_RE = re.compile(r"^(\d{2}):(\d{2})$")
_TOML_POS_RE = re.compile(r"\s*\(at line (\d+), column \d+\)\s*$")


class WheelError(ValueError):
    def __init__(self, reason: str, line: int | None = None, source: str = "wheel.toml"):
        self.reason = reason
        self.line = line
        self.source = source
        where = f"{source} line {line}" if line is not None else source
        super().__init__(f"{where}: {reason}")


# --- finding lines for semantic errors -----------------------------------------------------


class _Lines:
    """Where tables and keys sit in the text, so a semantic error can name its line.

    A light scan, not a TOML parser: it skips multi-line strings and comments, which is enough
    for the files we write and the ones an administrator edits.
    """

    def __init__(self, text: str):
        self.top: dict[str, int] = {}
        self.tables: dict[str, int] = {}
        self.table_keys: dict[str, dict[str, int]] = {}
        self.items: list[tuple[int, dict[str, int]]] = []  # one per [[activity]]
        section: dict[str, int] = self.top
        in_string: str | None = None
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if in_string is not None:
                if line.count(in_string) % 2 == 1:
                    in_string = None
                continue
            if line.startswith("[[") and line.split("]]")[0][2:].strip() == "activity":
                section = {}
                self.items.append((number, section))
                continue
            if line.startswith("[") and not line.startswith("[["):
                name = line[1:].split("]")[0].strip()
                self.tables[name] = number
                section = self.table_keys.setdefault(name, {})
                continue
            match = re.match(r"""^("?)([A-Za-z0-9_-]+)\1\s*=(.*)$""", line)
            if match:
                section.setdefault(match.group(2), number)
                rest = match.group(3)
                for quote in ('"""', "'''"):
                    if rest.count(quote) % 2 == 1:
                        in_string = quote

    def item(self, index: int, field: str | None = None) -> int | None:
        if index >= len(self.items):
            return None
        header, keys = self.items[index]
        if field is None:
            return header
        return keys.get(field, header)


# --- parsing -------------------------------------------------------------------------------


def _parse_rule(text: Any, *, allow_meeting_relative: bool) -> DayRule:
    """One rule from its text form, e.g. "working_day = 3". Raises ValueError with a reason."""
    forms = "first_working_day, last_working_day, working_day = N, nth_weekday = N <weekday>"
    if allow_meeting_relative:
        forms += ", before_steering_meeting = N"
    if not isinstance(text, str):
        raise ValueError(f"a day rule must be a string, one of: {forms}")
    name, _, arg = (part.strip() for part in text.strip().partition("="))
    if name == "first_working_day" and not arg:
        return FirstWorkingDay()
    if name == "last_working_day" and not arg:
        return LastWorkingDay()
    if name == "working_day":
        return WorkingDay(_bounded_int(arg, 1, MAX_WORKING_DAY, text))
    if name == "nth_weekday":
        count, _, day = arg.partition(" ")
        day = day.strip().lower()
        if day not in WEEKDAYS:
            raise ValueError(f"unknown weekday in {text!r}: use one of {', '.join(WEEKDAYS)}")
        return NthWeekday(_bounded_int(count, 1, MAX_NTH_WEEKDAY, text), WEEKDAYS.index(day))
    if name == "before_steering_meeting" and allow_meeting_relative:
        return BeforeSteeringMeeting(_bounded_int(arg, 1, MAX_BEFORE_MEETING, text))
    raise ValueError(f"unknown day rule {text!r}: use one of {forms}")


def _bounded_int(arg: str, low: int, high: int, text: str) -> int:
    if not arg.isdigit() or not low <= int(arg) <= high:
        raise ValueError(f"{text!r}: the number must be a whole number from {low} to {high}")
    return int(arg)


def _parse_time(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        parsed = value
    elif isinstance(value, str) and _TIME_RE.match(value):
        hour, minute = (int(part) for part in value.split(":"))
        if hour > 23 or minute > 59:
            raise ValueError(f"reminder_time {value!r} is not a time of day")
        parsed = dt.time(hour, minute)
    else:
        raise ValueError(f'reminder_time must be "HH:MM" (local time), got {value!r}')
    if parsed.tzinfo is not None:
        raise ValueError("reminder_time is local time (STYRA_TIMEZONE): leave out any UTC offset")
    if not EARLIEST_REMINDER <= parsed <= LATEST_REMINDER:
        raise ValueError(
            f"reminder_time {parsed:%H:%M} is outside working hours "
            f"({EARLIEST_REMINDER:%H:%M}-{LATEST_REMINDER:%H:%M}); night hours are skipped or "
            "repeated when daylight saving time changes, so reminders stay in office hours"
        )
    return parsed


def _text(value: Any, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{field} must be a non-empty text")
    if "\x00" in value:
        raise ValueError(f"{field} contains a NUL character")
    cleaned = " ".join(value.split())
    if len(cleaned) > limit:
        raise ValueError(f"{field} is longer than {limit} characters")
    return cleaned


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_ACTIVITY_FIELDS = {
    "key", "month", "when", "audience", "title_sv", "title_en", "body_sv", "body_en",
    "action", "quarter_report", "due_working_days",
}  # fmt: skip


def parse_wheel(text: str, source: str = "wheel.toml") -> Wheel:
    """Validate the wheel's TOML text and build a `Wheel`; `WheelError` names the first mistake."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_POS_RE.search(message)
        line = int(found.group(1)) if found else None
        reason = _TOML_POS_RE.sub("", message) if found else message
        raise WheelError(f"not valid TOML: {reason}", line, source) from None

    lines = _Lines(text)

    def fail(reason: str, line: int | None) -> WheelError:
        return WheelError(reason, line, source)

    for name in data:
        if name not in ("reminder_time", "steering_meetings", "activity"):
            raise fail(
                f"unknown setting '{name}' (expected reminder_time, [steering_meetings], "
                "[[activity]])",
                lines.top.get(name, lines.tables.get(name)),
            )

    if "reminder_time" not in data:
        raise fail('reminder_time is missing (e.g. reminder_time = "09:00")', None)
    try:
        reminder_time = _parse_time(data["reminder_time"])
    except ValueError as exc:
        raise fail(str(exc), lines.top.get("reminder_time")) from None

    meetings = _parse_meetings(data.get("steering_meetings"), lines, fail)

    raw_items = data.get("activity")
    if not isinstance(raw_items, list) or not raw_items:
        raise fail("the wheel has no activities: add [[activity]] tables", None)
    activities: list[Activity] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_items):
        activity = _parse_activity(index, raw, lines, fail)
        if activity.key in seen:
            raise fail(f"duplicate key '{activity.key}'", lines.item(index, "key"))
        seen.add(activity.key)
        activities.append(activity)

    return Wheel(tuple(activities), reminder_time, meetings)


def _parse_meetings(raw: Any, lines: _Lines, fail) -> dict[int, MeetingRule]:
    table_line = lines.tables.get("steering_meetings")
    keys = lines.table_keys.get("steering_meetings", {})
    if not isinstance(raw, dict):
        raise fail(
            "[steering_meetings] is missing: give the day rule of the meeting in months "
            "3, 6, 9 and 12",
            table_line,
        )
    meetings: dict[int, MeetingRule] = {}
    for name, value in raw.items():
        line = keys.get(name, table_line)
        if not name.isdigit() or int(name) not in STEERING_MONTHS:
            raise fail(
                f"steering-group meetings are quarterly: month '{name}' must be 3, 6, 9 or 12",
                line,
            )
        try:
            meetings[int(name)] = _parse_rule(value, allow_meeting_relative=False)
        except ValueError as exc:
            raise fail(f"steering meeting in month {name}: {exc}", line) from None
    missing = [str(m) for m in STEERING_MONTHS if m not in meetings]
    if missing:
        raise fail(f"[steering_meetings] has no rule for month {', '.join(missing)}", table_line)
    return dict(sorted(meetings.items()))


def _parse_activity(index: int, raw: Any, lines: _Lines, fail) -> Activity:
    def at(field: str | None = None) -> int | None:
        return lines.item(index, field)

    if not isinstance(raw, dict):
        raise fail("each activity must be a [[activity]] table", at())
    for name in raw:
        if name not in _ACTIVITY_FIELDS:
            raise fail(f"unknown field '{name}' in activity", at(name))
    for name in ("key", "month", "when", "audience", "title_sv", "body_sv"):
        if name not in raw:
            what = {"title_sv": "Swedish title", "body_sv": "Swedish body"}.get(name, name)
            raise fail(f"activity is missing {what} ({name})", at())

    key = raw["key"]
    if not isinstance(key, str) or not _KEY_RE.match(key) or len(key) > 64:
        raise fail(
            f"key {key!r} must be lower-case letters, digits and dashes (e.g. 'mar-steering-material')",
            at("key"),
        )
    label = f"activity '{key}'"

    month = raw["month"]
    if not _is_int(month) or not 1 <= month <= 12:
        raise fail(f"{label}: month must be a number from 1 to 12, got {month!r}", at("month"))

    try:
        when = _parse_rule(raw["when"], allow_meeting_relative=True)
    except ValueError as exc:
        raise fail(f"{label}: {exc}", at("when")) from None
    if isinstance(when, BeforeSteeringMeeting) and month not in STEERING_MONTHS:
        raise fail(
            f"{label}: before_steering_meeting needs a month with a steering-group meeting "
            "(3, 6, 9 or 12)",
            at("when"),
        )

    audience = raw["audience"]
    if audience not in AUDIENCES:
        raise fail(f"unknown audience {audience!r} (use {' or '.join(AUDIENCES)})", at("audience"))

    title: dict[str, str] = {}
    body: dict[str, str] = {}
    for lang in LANGUAGES:
        for field, target, limit in (("title", title, MAX_TITLE), ("body", body, MAX_BODY)):
            name = f"{field}_{lang}"
            if name in raw:
                try:
                    target[lang] = _text(raw[name], name, limit)
                except ValueError as exc:
                    raise fail(f"{label}: {exc}", at(name)) from None
    title.setdefault("en", title["sv"])
    body.setdefault("en", body["sv"])

    action = raw.get("action")
    if action is not None and action not in ACTIONS:
        raise fail(f"unknown action {action!r} (use one of {', '.join(ACTIONS)})", at("action"))

    quarter_report = raw.get("quarter_report")
    if quarter_report is not None:
        if quarter_report not in QUARTER_REPORT_EXTRAS:
            raise fail(
                f"{label}: quarter_report must be one of {', '.join(QUARTER_REPORT_EXTRAS)}",
                at("quarter_report"),
            )
        if action != "status_report":
            raise fail(
                f'{label}: quarter_report only applies to action = "status_report"',
                at("quarter_report"),
            )

    if isinstance(when, BeforeSteeringMeeting):
        # Material is due the working day before the meeting unless the file says otherwise.
        default_due = max(1, when.n - 1)
    else:
        default_due = DEFAULT_DUE_WORKING_DAYS
    due = raw.get("due_working_days", default_due)
    if not _is_int(due) or not 1 <= due <= MAX_DUE_WORKING_DAYS:
        raise fail(
            f"{label}: due_working_days must be a number from 1 to {MAX_DUE_WORKING_DAYS}",
            at("due_working_days"),
        )
    if isinstance(when, BeforeSteeringMeeting) and due > when.n:
        raise fail(
            f"{label}: due_working_days ({due}) would fall after the steering-group meeting "
            f"({when.n} working days later)",
            at("due_working_days"),
        )

    return Activity(
        key=key,
        month=month,
        when=when,
        audience=audience,
        title=title,
        body=body,
        action=action,
        quarter_report=quarter_report,
        due_working_days=due,
    )


def load_wheel(path: str | None) -> Wheel:
    """Read and parse a wheel file; None means the packaged default bot/wheel.toml."""
    file = Path(path) if path is not None else DEFAULT_WHEEL_PATH
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WheelError(f"cannot read the wheel file ({exc})", None, str(file)) from None
    return parse_wheel(text, source=file.name)



__all__ = ["DEFAULT_WHEEL_PATH", "WheelError", "load_wheel", "parse_wheel"]
