"""Needs, as pure rules: form validation, text normalisation and "what happens next" (similarity: bot.rules.similarity).

No I/O here. Error and step values are English msgids; the cards translate them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

TITLE_MAX = 200
# Kept well under the card size limit, so a form re-shown with everything typed still fits.
DESCRIPTION_MAX = 3000
BENEFIT_MAX = 1000
ON_BEHALF_MAX = 200
HOURS_MAX = 1_000_000
COST_MAX = 10_000_000_000
MAX_GOALS = 20

SOURCES = ("staff", "user_group", "reference_group", "service_desk", "other_area", "other")

STATUSES = (
    "registered", "under_assessment", "within_plan", "awaiting_decision",
    "inventory", "declined", "approved", "done", "withdrawn",
)
OPEN_STATUSES = ("registered", "under_assessment", "awaiting_decision")
# Waiting for the coordinators' assessment (`att bedöma`); the raiser may still edit or withdraw.
UNASSESSED_STATUSES = ("registered", "under_assessment")
# Needs one may still join as "also affected" (declined and done ones are history).
JOINABLE_STATUSES = ("registered", "under_assessment", "within_plan", "awaiting_decision", "inventory", "approved")

# The lifecycle: registered -> under assessment -> one of the routes -> approved/declined -> done.
TRANSITIONS: dict[str, frozenset[str]] = {
    "registered": frozenset({"under_assessment", "within_plan", "awaiting_decision", "inventory", "declined",
                             "withdrawn"}),
    "under_assessment": frozenset({"within_plan", "awaiting_decision", "inventory", "declined", "registered",
                                   "withdrawn"}),
    "within_plan": frozenset({"done", "under_assessment"}),
    "awaiting_decision": frozenset({"approved", "declined", "inventory", "under_assessment"}),
    "inventory": frozenset({"under_assessment", "declined"}),
    "approved": frozenset({"done"}),
    "declined": frozenset({"under_assessment"}),
    "done": frozenset(),
    "withdrawn": frozenset(),
}

FIELDS = ("title", "description", "e_area", "source", "on_behalf_of", "benefit", "hours", "cost",
          "wished_date", "goals")

NUMBER_RE = re.compile(r"^b-(\d{4})-(\d{1,6})$", re.IGNORECASE)
_THOUSANDS = re.compile(r"(?<=\d)[\s\u00a0\u202f'](?=\d{3}\b)")
_UNIT = re.compile(r"\s*(kr|kronor|sek|:-|h|tim|timmar|timme|hours|hour|hrs)\.?$", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def can_transition(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def parse_number(text: str) -> tuple[int, int] | None:
    """'B-2026-0042' (any case) -> (2026, 42)."""
    found = NUMBER_RE.match(text.strip())
    return (int(found.group(1)), int(found.group(2))) if found else None


def format_number(year: int, serial: int) -> str:
    return f"B-{year}-{serial:04d}"


# --- form validation -------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedDraft:
    """A need as the form describes it, checked and normalised, not yet saved."""

    title: str
    description: str
    e_area: str
    source: str
    on_behalf_of: str
    benefit: str
    hours: int | None
    cost: int | None
    wished_date: date | None
    goals: tuple[int, ...] = ()


@dataclass
class FormCheck:
    draft: NeedDraft | None
    errors: dict[str, str] = field(default_factory=dict)  # field -> msgid
    kept: dict[str, str] = field(default_factory=dict)  # what the user typed, to show again

    @property
    def ok(self) -> bool:
        return self.draft is not None


def clean_text(value: str, *, multiline: bool = False) -> str:
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    if not multiline:
        text = " ".join(text.split())
    return text.strip()


def _as_text(raw: dict[str, Any], name: str, errors: dict[str, str], kept: dict[str, str],
             *, multiline: bool = False) -> str:
    value = raw.get(name)
    if value is None:
        kept[name] = ""
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        errors[name] = "This value could not be read. Please fill it in again."
        kept[name] = ""
        return ""
    text = clean_text(str(value), multiline=multiline)
    kept[name] = text
    return text


def parse_whole(text: str) -> int | None:
    """'1 500', '1500 kr', '40 h', '2 500 000' -> int; None when it is not a whole number."""
    value = _UNIT.sub("", text.strip())
    value = _THOUSANDS.sub("", value).replace(" ", "")
    if re.fullmatch(r"[+-]?\d+", value):
        return int(value)
    if re.fullmatch(r"[+-]?\d+[.,]0+", value):
        return int(value.split(".")[0].split(",")[0])
    return None


_UNREADABLE = object()


def validate(raw: dict[str, Any], *, today: date, areas: set[str],
             goals_by_area: dict[str, set[int]], unreadable: tuple[str, ...] = (),
             kept_date: date | None = None) -> FormCheck:
    """Check a submitted form. Missing fields count as empty; unknown fields are ignored;
    `unreadable` names fields whose value had a wrong type (answered like any other error);
    `kept_date`: an edited need's stored wished-for date, accepted even when it has passed."""
    errors: dict[str, str] = {}
    kept: dict[str, str] = {}
    if unreadable:
        raw = {**raw, **{name: _UNREADABLE for name in unreadable}}
    title = _as_text(raw, "title", errors, kept)
    description = _as_text(raw, "description", errors, kept, multiline=True)
    area = _as_text(raw, "e_area", errors, kept)
    source = _as_text(raw, "source", errors, kept) or "staff"
    kept["source"] = source
    on_behalf = _as_text(raw, "on_behalf_of", errors, kept)
    benefit = _as_text(raw, "benefit", errors, kept, multiline=True)
    hours_text = _as_text(raw, "hours", errors, kept)
    cost_text = _as_text(raw, "cost", errors, kept)
    date_text = _as_text(raw, "wished_date", errors, kept)
    goals_text = _as_text(raw, "goals", errors, kept)

    if "title" not in errors:
        if not title:
            errors["title"] = "Give the need a short title."
        elif len(title) > TITLE_MAX:
            errors["title"] = "The title is too long: at most 200 characters."
    if "description" not in errors and len(description) > DESCRIPTION_MAX:
        errors["description"] = "The description is too long: at most 3,000 characters. I kept the first 3,000; shorten it or link to a document."
        kept["description"] = description[:DESCRIPTION_MAX]
    if "benefit" not in errors and len(benefit) > BENEFIT_MAX:
        errors["benefit"] = "The expected benefit is too long: at most 1,000 characters. I kept the first 1,000."
        kept["benefit"] = benefit[:BENEFIT_MAX]
    if "on_behalf_of" not in errors and len(on_behalf) > ON_BEHALF_MAX:
        errors["on_behalf_of"] = "At most 200 characters."
        kept["on_behalf_of"] = on_behalf[:ON_BEHALF_MAX]
    if "e_area" not in errors:
        if not area:
            errors["e_area"] = "Choose the e-area the need belongs to."
        elif area not in areas:
            errors["e_area"] = "That e-area does not exist. Choose one from the list."
    if "source" not in errors and source not in SOURCES:
        errors["source"] = "Choose where the need comes from in the list."

    hours = _whole(hours_text, "hours", HOURS_MAX, errors)
    cost = _whole(cost_text, "cost", COST_MAX, errors)

    wished: date | None = None
    if "wished_date" not in errors and date_text:
        try:
            wished = date.fromisoformat(date_text) if len(date_text) == 10 else None
        except ValueError:
            wished = None
        if wished is None:
            errors["wished_date"] = "Write the date as YYYY-MM-DD, or pick it in the calendar."
        elif wished < today and wished != kept_date:
            errors["wished_date"] = "The date has already passed. Choose today or a later date."
            wished = None

    goal_ids: tuple[int, ...] = ()
    if "goals" not in errors and goals_text:
        parts = [p.strip() for p in goals_text.split(",") if p.strip()]
        if len(parts) > MAX_GOALS or not all(p.isdigit() for p in parts):
            errors["goals"] = "Choose plan goals from the list."
        else:
            goal_ids = tuple(dict.fromkeys(int(p) for p in parts))
            if "e_area" not in errors and not set(goal_ids) <= goals_by_area.get(area, set()):
                errors["goals"] = "Some of the chosen goals belong to another e-area's plan. Choose goals of the e-area you picked."

    if errors:
        return FormCheck(None, errors, kept)
    draft = NeedDraft(title=title, description=description, e_area=area, source=source,
                      on_behalf_of=on_behalf, benefit=benefit, hours=hours, cost=cost,
                      wished_date=wished, goals=goal_ids)
    return FormCheck(draft, {}, kept)


def form_of(draft: NeedDraft) -> dict[str, str]:
    """A checked draft as form values, comparable with what a stored need shows in the form."""
    return {
        "title": draft.title, "description": draft.description, "e_area": draft.e_area, "source": draft.source,
        "on_behalf_of": draft.on_behalf_of, "benefit": draft.benefit,
        "hours": "" if draft.hours is None else str(draft.hours),
        "cost": "" if draft.cost is None else str(draft.cost),
        "wished_date": draft.wished_date.isoformat() if draft.wished_date else "",
        "goals": ",".join(str(g) for g in sorted(draft.goals)),
    }


def changed_fields(old: dict[str, str], new: dict[str, str]) -> tuple[str, ...]:
    """The form fields whose value differs, in the form's order."""
    return tuple(name for name in FIELDS if (old.get(name) or "") != (new.get(name) or ""))


def _whole(text: str, name: str, maximum: int, errors: dict[str, str]) -> int | None:
    if name in errors or not text:
        return None
    value = parse_whole(text)
    if value is None:
        errors[name] = ("Write the hours as a whole number, for example 40." if name == "hours"
                        else "Write the cost in whole kronor, for example 150 000.")
        return None
    if value < 0:
        errors[name] = "The number cannot be negative."
        return None
    if value > maximum:
        errors[name] = "That number is too large to be a rough estimate. Check it."
        return None
    return value


def title_from_text(text: str) -> tuple[str, str]:
    """Free text like "Vi behöver ett bokningssystem för labb" -> (title, description)."""
    body = re.sub(r"^\s*(vi|jag)\s+(behöver|skulle\s+behöva|vill\s+ha)\s+|^\s*(we|i)\s+(need|would\s+need|want)\s+",
                  "", text, flags=re.IGNORECASE).strip()
    if not body:
        return "", ""
    first = re.split(r"(?<=[.!?])\s+", body, maxsplit=1)[0].rstrip(".!? ")
    title = first[:1].upper() + first[1:]
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1].rstrip() + "…"
    description = body if (body.rstrip(".!? ") != first or len(first) > TITLE_MAX) else ""
    return title, description


# --- what happens next -----------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    key: str
    values: dict[str, Any] = field(default_factory=dict)


def next_steps(status: str, *, coordinators: list[str], wished_date: date | None, today: date,
               plan_status: str | None, year: int) -> list[Step]:
    """The steps a person is told after registering (or when looking at) a need."""
    steps: list[Step] = []
    if status in ("registered", "under_assessment"):
        if coordinators:
            steps.append(Step("assess", {"names": coordinators}))
        else:
            steps.append(Step("no_coordinator"))
        steps.append(Step("routes"))
        if plan_status is None:
            steps.append(Step("no_plan", {"year": year}))
        elif plan_status == "draft":
            steps.append(Step("draft_plan", {"year": year}))
        if wished_date is not None and wished_date - today <= timedelta(days=30):
            steps.append(Step("soon", {"date": wished_date.isoformat()}))
    elif status == "awaiting_decision":
        steps.append(Step("steering"))
    elif status == "inventory":
        steps.append(Step("inventory"))
    elif status in ("within_plan", "approved"):
        steps.append(Step("planned"))
    steps.append(Step("follow"))
    return steps
