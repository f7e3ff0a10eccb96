"""Status reports (DOMAIN.md §5): periods, colours, deviations, deadlines, the report's life.

Pure rules, table-tested. A report covers one quarter and is written in the quarter's last
month, before that month's steering-group meeting (March covers Q1, June Q2, September Q3,
December Q4). Deviations are routed like needs (DOMAIN.md §2): within the plan the
coordinators handle them and the report records it; outside the plan the steering group
decides on a decision basis; what touches the whole portfolio is escalated.

Error and reason texts are English msgids, translated where they are shown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from zoneinfo import ZoneInfo

from bot.rules.calendar import add_working_days, working_days_before
from bot.rules.routing import Frame, parse_amount
from bot.rules.wheel import QUARTER_REPORT_EXTRAS

MAX_COMMENT = 2000  # one comment field; a report holds dozens of them and must stay readable
MAX_SHORT = 200  # titles of deviations and risks
MAX_ROWS = 30  # deviations or risks in one report
REPORT_MONTHS = {1: 3, 2: 6, 3: 9, 4: 12}  # quarter -> the month its report is written in


# --- messages (msgids) ---------------------------------------------------------------------------

E_PERIOD_FORMAT = "Write the period as a year and a quarter, for example 2026-Q2."
E_PERIOD_NOT_STARTED = "That period has not started yet, so there is nothing to report."
E_COLOUR = "Choose green, yellow or red."
E_TOO_LONG = "At most {limit} characters here; shorten the text (it is kept below)."
E_NOT_A_NUMBER = "Write whole numbers only, for example 120."
E_NEGATIVE = "The figure cannot be negative."
E_KIND = "Choose the kind of deviation."
E_REQUIRED = "Required."
E_SCALE = "Choose 1 to 5."
E_NOT_DRAFT = "Only a draft can be changed; reopen the report to write a new version."
E_ALREADY_SUBMITTED = "This version is already submitted."
E_NOT_SUBMITTED = "Only a submitted report can be marked as reviewed."
E_ALREADY_REVIEWED = "This report is already marked as reviewed."

R_WITHIN_PLAN = "The handling stays within the plan's goals and frame: the coordinators handle it and the report records it."
R_NO_ROOM_HOURS = "The handling needs more hours than the plan's frame has left."
R_NO_ROOM_SEK = "The handling needs more money than the plan's frame has left."
R_CHANGES_GOALS = "The handling changes a goal of the plan (its scope, timing or priority)."
R_STEERING = "It is outside the plan, so the steering group decides on a decision basis."
R_WHOLE_PORTFOLIO = "It affects the whole portfolio, so it is escalated to portfolio management."
R_OTHER_AREAS = "It affects other e-areas, so portfolio management is informed."
R_OTHER_AREAS_CHECK = "It touches other e-areas: check it with their coordinators."


# --- periods -------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int  # 1-4

    def __post_init__(self) -> None:
        if not 1 <= self.quarter <= 4:
            raise ValueError(f"quarter {self.quarter}")

    def __str__(self) -> str:
        return f"{self.year:04d}-Q{self.quarter}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> dt.date:
        """The period's last day."""
        if self.quarter == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.quarter + 1, 1) - dt.timedelta(days=1)

    @property
    def report_month(self) -> int:
        return REPORT_MONTHS[self.quarter]

    @property
    def extras_key(self) -> str:
        return f"q{self.quarter}"

    def previous(self) -> Period:
        return Period(self.year - 1, 4) if self.quarter == 1 else Period(self.year, self.quarter - 1)


_PERIOD_RES = (
    re.compile(r"^(?P<year>\d{4})\s*[-/ ]?\s*[qk](?P<q>[1-4])$"),
    re.compile(r"^[qk](?P<q>[1-4])\s*[-/ ]?\s*(?P<year>\d{4})$"),
)


def parse_period(text: str) -> Period:
    """'2026-Q2', '2026 Q2', 'Q2 2026', '2026-K2' (kvartal). ValueError(E_PERIOD_FORMAT) otherwise."""
    cleaned = (text or "").strip().lower()
    for pattern in _PERIOD_RES:
        found = pattern.match(cleaned)
        if found:
            year = int(found.group("year"))
            if 2000 <= year <= 2100:
                return Period(year, int(found.group("q")))
    raise ValueError(E_PERIOD_FORMAT)


def period_of_month(year: int, month: int) -> Period:
    """The quarter a month lies in (a wheel occurrence '2026-06' belongs to 2026-Q2)."""
    if not 1 <= month <= 12:
        raise ValueError(f"month {month}")
    return Period(year, (month - 1) // 3 + 1)


def period_of_occurrence(period: str) -> Period:
    """A wheel occurrence's period ('2026-06') to the report period it is written for."""
    year, _, month = period.partition("-")
    return period_of_month(int(year), int(month))


def local_date(now: dt.datetime, timezone: str) -> dt.date:
    """The calendar date of an aware instant in the configured time zone (STYRA_TIMEZONE)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("naive datetime: pass an aware datetime")
    return now.astimezone(ZoneInfo(timezone)).date()


def current_period(now: dt.datetime, timezone: str) -> Period:
    """The quarter that is running at `now`, in local time (New Year's night counts as January)."""
    today = local_date(now, timezone)
    return period_of_month(today.year, today.month)


def check_period(period: Period, today: dt.date) -> str | None:
    """None when a report may be written for `period` on `today`; else the msgid of the refusal."""
    if period.start > today:
        return E_PERIOD_NOT_STARTED
    return None


def extras_for(period: Period) -> tuple[str, ...]:
    """The quarter's extra sections (June, September, December) from the wheel's data."""
    return QUARTER_REPORT_EXTRAS.get(period.extras_key, ())


# --- colours and trends --------------------------------------------------------------------------


class Colour(str, Enum):  # noqa: UP042  (same style as storage.models)
    green = "green"
    yellow = "yellow"
    red = "red"


SEVERITY = {Colour.green: 0, Colour.yellow: 1, Colour.red: 2}

# What each colour means, shown on the form and the card (msgids).
MEANING = {
    Colour.green: "On track: the goal will be met as planned.",
    Colour.yellow: "At risk: the goal can still be met if action is taken.",
    Colour.red: "Off track: the goal will not be met as planned without a decision.",
}

_COLOUR_WORDS = {
    "green": Colour.green, "grön": Colour.green, "gron": Colour.green, "g": Colour.green,
    "yellow": Colour.yellow, "gul": Colour.yellow, "amber": Colour.yellow, "y": Colour.yellow,
    "red": Colour.red, "röd": Colour.red, "rod": Colour.red, "r": Colour.red,
}  # fmt: skip


def parse_colour(raw: object) -> Colour | None:
    """A colour from a form or a file (Swedish or English); None when blank.

    Raises ValueError(E_COLOUR) for anything other than the three.
    """
    if raw is None:
        return None
    text = str(raw).strip().lower()
    if not text:
        return None
    found = _COLOUR_WORDS.get(text)
    if found is None:
        raise ValueError(E_COLOUR)
    return found


class Trend(str, Enum):  # noqa: UP042
    new = "new"  # no earlier report to compare with
    better = "better"
    same = "same"
    worse = "worse"


def trend(current: Colour | None, previous: Colour | None) -> Trend | None:
    """How a goal moved since the previous report; None when it has no colour now."""
    if current is None:
        return None
    if previous is None:
        return Trend.new
    delta = SEVERITY[current] - SEVERITY[previous]
    return Trend.same if delta == 0 else (Trend.worse if delta > 0 else Trend.better)


def worst(colours: Iterable[Colour | None]) -> Colour | None:
    """The most serious colour given (red before yellow before green); None when none is set."""
    found = [c for c in colours if c is not None]
    return max(found, key=SEVERITY.__getitem__) if found else None


def counts(colours: Iterable[Colour | None]) -> dict[Colour, int]:
    out = dict.fromkeys(Colour, 0)
    for colour in colours:
        if colour is not None:
            out[colour] += 1
    return out


# --- deviations ---------------------------------------------------------------------------------


class DeviationKind(str, Enum):  # noqa: UP042
    resource_conflict = "resource_conflict"
    reprioritisation = "reprioritisation"
    delay = "delay"
    cost = "cost"
    other = "other"


class Handling(str, Enum):  # noqa: UP042
    coordinators = "coordinators"  # within the plan: handled and recorded
    steering_group = "steering_group"  # outside the plan: a decision basis
    portfolio = "portfolio"  # the whole portfolio: escalated to portfolio management


@dataclass(frozen=True)
class DeviationFacts:
    kind: DeviationKind
    extra_hours: int = 0  # what the proposed handling needs beyond what is committed
    extra_sek: int = 0
    changes_goals: bool = False  # a goal's scope, end date or priority changes
    whole_portfolio: bool = False
    other_areas: tuple[str, ...] = ()
    own_area: str = ""


@dataclass(frozen=True)
class DeviationRouting:
    handling: Handling
    reasons: tuple[str, ...]
    escalate: bool  # portfolio management decides or is informed
    needs_basis: bool  # the steering group decides on a decision basis
    other_areas: tuple[str, ...] = ()


def route_deviation(facts: DeviationFacts, frame: Frame) -> DeviationRouting:
    """Who handles a deviation (seed 000 §3.3: within the plan the coordinator group, outside it
    the steering group; §3.4: what may affect the whole portfolio goes to portfolio management)."""
    others = tuple(sorted({a for a in facts.other_areas if a and a != facts.own_area}))
    no_room = tuple(reason for reason, short in (
        (R_NO_ROOM_HOURS, facts.extra_hours > frame.left_hours),
        (R_NO_ROOM_SEK, facts.extra_sek > frame.left_sek),
    ) if short)
    outside = no_room + ((R_CHANGES_GOALS,) if facts.changes_goals else ())
    if facts.whole_portfolio:
        return DeviationRouting(Handling.portfolio, (*outside, R_STEERING, R_WHOLE_PORTFOLIO), True, True, others)
    if outside:
        reasons = (*outside, R_STEERING) + ((R_OTHER_AREAS,) if others else ())
        return DeviationRouting(Handling.steering_group, reasons, bool(others), True, others)
    reasons = (R_WITHIN_PLAN,) + ((R_OTHER_AREAS_CHECK,) if others else ())
    return DeviationRouting(Handling.coordinators, reasons, False, False, others)


def parse_kind(raw: object) -> DeviationKind:
    try:
        return DeviationKind(str(raw or "").strip())
    except ValueError:
        raise ValueError(E_KIND) from None


# --- deadlines ----------------------------------------------------------------------------------


class Punctuality(str, Enum):  # noqa: UP042
    on_time = "on_time"
    late = "late"  # submitted after the due date
    missing = "missing"  # not submitted and the due date has passed
    open = "open"  # not submitted, not due yet


def area_due(meeting: dt.date, working_days_before_meeting: int) -> dt.date:
    """When an e-area's report is due: N working days before its steering-group meeting."""
    return working_days_before(meeting, working_days_before_meeting)


def rollup_due(area_due_date: dt.date, working_days_later: int) -> dt.date:
    """The portfolio roll-up is due N working days after the e-areas' reports (staggered)."""
    if working_days_later < 0:
        raise ValueError("working_days_later must not be negative")
    return add_working_days(area_due_date, working_days_later)


def punctuality(submitted_on: dt.date | None, due: dt.date, today: dt.date) -> Punctuality:
    """A report submitted on or before its due date is on time (the due date itself counts)."""
    if submitted_on is not None:
        return Punctuality.on_time if submitted_on <= due else Punctuality.late
    return Punctuality.missing if today > due else Punctuality.open


def should_escalate(submitted: bool, due: dt.date, today: dt.date) -> bool:
    """An unsubmitted report past its due date goes to the chair, like an unanswered reminder."""
    return not submitted and today > due


# --- the report's life -------------------------------------------------------------------------


class ReportStatus(str, Enum):  # noqa: UP042
    draft = "draft"
    submitted = "submitted"  # frozen: a snapshot of what the steering group received
    reviewed = "reviewed"  # the chair marked it reviewed


class ReportAct(str, Enum):  # noqa: UP042
    save = "save"
    submit = "submit"
    review = "review"
    reopen = "reopen"  # a submitted or reviewed version opens a new draft version


def next_status(status: ReportStatus, act: ReportAct) -> ReportStatus:
    """The status after `act`; ValueError(msgid) when the act is not allowed now.

    `reopen` returns the status of the NEW version (a draft); the old version keeps its own.
    """
    if act is ReportAct.save:
        if status is not ReportStatus.draft:
            raise ValueError(E_NOT_DRAFT)
        return ReportStatus.draft
    if act is ReportAct.submit:
        if status is not ReportStatus.draft:
            raise ValueError(E_ALREADY_SUBMITTED)
        return ReportStatus.submitted
    if act is ReportAct.review:
        if status is ReportStatus.reviewed:
            raise ValueError(E_ALREADY_REVIEWED)
        if status is not ReportStatus.submitted:
            raise ValueError(E_NOT_SUBMITTED)
        return ReportStatus.reviewed
    if status is ReportStatus.draft:
        raise ValueError(E_NOT_SUBMITTED)
    return ReportStatus.draft


# --- figures and text ---------------------------------------------------------------------------


def frame_used_percent(outcome: int, frame: int) -> int | None:
    """Outcome as a whole percentage of the frame (rounded half up); None without a frame."""
    if frame <= 0:
        return None
    return (200 * outcome + frame) // (2 * frame)


def parse_outcome(raw: object) -> int | None:
    """An outcome figure (SEK or hours); None when blank. ValueError(msgid) when not a number."""
    try:
        value = parse_amount(raw)
    except ValueError:
        raise ValueError(E_NOT_A_NUMBER) from None
    if value is not None and value < 0:
        raise ValueError(E_NEGATIVE)
    return value


def check_text(text: str, limit: int = MAX_COMMENT) -> str | None:
    """None when `text` fits; else E_TOO_LONG (format it with limit=...)."""
    return E_TOO_LONG if len(text) > limit else None


__all__ = [
    "Colour",
    "DeviationFacts",
    "DeviationKind",
    "DeviationRouting",
    "Handling",
    "MEANING",
    "Period",
    "Punctuality",
    "ReportAct",
    "ReportStatus",
    "Trend",
    "area_due",
    "check_period",
    "counts",
    "current_period",
    "extras_for",
    "frame_used_percent",
    "next_status",
    "parse_colour",
    "parse_kind",
    "parse_outcome",
    "parse_period",
    "period_of_month",
    "period_of_occurrence",
    "punctuality",
    "rollup_due",
    "route_deviation",
    "should_escalate",
    "trend",
    "worst",
]
