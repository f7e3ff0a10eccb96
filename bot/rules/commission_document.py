"""The commission guided form, checked step by step (pure; DOMAIN.md §4).

Each check returns the values it accepted, errors per field (msgids) and what the user typed, so a
form shown again with its errors loses nothing. People are Azure AD object ids picked from a
roster; an id the roster does not hold is refused (nobody could be asked to approve).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.rules.commissions import (
    Complexity,
    Form,
    Investment,
    Kind,
    Length,
    Predictability,
    Stakeholders,
    approvers,
    approves_own,
    check_form,
    recommend,
    required_fields,
)
from bot.rules.needs import clean_text, parse_whole

# Kept small enough that the whole document, every field full, fits one card under 25 KB.
TEXT_MAX = {
    "title": 200, "need": 1000, "background": 1500, "purpose": 800, "goals": 1000,
    "expected_result": 1000, "reporting": 400, "reference_groups": 400,
}
MULTILINE = frozenset({"need", "background", "purpose", "goals", "expected_result", "reporting",
                       "reference_groups"})
SINGLE_PEOPLE = ("lead", "responsible_manager")
MANY_PEOPLE = ("participants", "managers", "project_group", "steering_group")
MAX_PEOPLE = 40
HOURS_MAX = 1_000_000
SEK_MAX = 10_000_000_000
CADENCES = ("monthly", "quarterly", "half_yearly")

E_REQUIRED = "This field is needed for this commission."
E_TITLE = "Give the commission a short name."
E_KIND = "Choose the kind of commission."
E_LENGTH = "Say whether the commission is short or long."
E_ANSWER = "Answer this question."
E_UNREADABLE = "This value could not be read. Please fill it in again."
E_TOO_LONG = "Too long: at most {limit} characters. I kept the first {limit}."
E_DATE = "Write the date as YYYY-MM-DD, or pick it in the calendar."
E_END_BEFORE_START = "The end date is before the start date."
E_NUMBER = "Write a whole number, for example 40 or 150 000."
E_NEGATIVE = "The number cannot be negative."
E_TOO_LARGE = "That number is too large. Check it."
E_NOT_IN_ROSTER = "Someone chosen here is not in the roster Styra knows. Pick people from the list."
E_TOO_MANY = "At most 40 people here."
E_CADENCE = "Choose how often the lead reports."
W_SELF_APPROVAL = "The lead is the only manager approving this commission."


@dataclass
class Check:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # field -> msgid
    kept: dict[str, str] = field(default_factory=dict)  # what the user typed, to show again
    limits: dict[str, int] = field(default_factory=dict)  # field -> limit named in its error
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(raw: Mapping[str, Any], name: str, check: Check) -> str:
    value = raw.get(name)
    if value is None:
        check.kept[name] = ""
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        check.errors[name] = E_UNREADABLE
        check.kept[name] = ""
        return ""
    text = clean_text(str(value), multiline=name in MULTILINE)
    limit = TEXT_MAX.get(name)
    if limit and len(text) > limit:
        check.errors[name] = E_TOO_LONG
        check.limits[name] = limit
        text = text[:limit]
    check.kept[name] = text
    return text


def _choice(raw: Mapping[str, Any], name: str, enum: type, error: str, check: Check):
    text = _text(raw, name, check)
    try:
        return enum(text)
    except ValueError:
        check.errors.setdefault(name, error)
        return None


def check_purpose(raw: Mapping[str, Any]) -> Check:
    """Step 1: the need, a name, the kind and whether it is short or long."""
    check = Check()
    title = _text(raw, "title", check)
    need = _text(raw, "need", check)
    kind = _choice(raw, "kind", Kind, E_KIND, check)
    length = _choice(raw, "length", Length, E_LENGTH, check)
    if not title:
        check.errors.setdefault("title", E_TITLE)
    check.values = {"title": title, "need": need, "kind": kind, "length": length}
    return check


def check_organisation(raw: Mapping[str, Any], kind: Kind, length: Length) -> Check:
    """Step 2: the complexity answers and the chosen form (the recommendation when none)."""
    check = Check()
    stakeholders = _choice(raw, "stakeholders", Stakeholders, E_ANSWER, check)
    predictability = _choice(raw, "predictability", Predictability, E_ANSWER, check)
    investment = _choice(raw, "investment", Investment, E_ANSWER, check)
    chosen = _text(raw, "form", check)
    if chosen:
        refused = check_form(kind, chosen)
        if refused:
            check.errors["form"] = refused
    if check.errors:
        return check
    recommendation = recommend(kind, Complexity(stakeholders, predictability, investment, length))
    form = Form(chosen) if chosen else recommendation.form
    check.values = {"stakeholders": stakeholders, "predictability": predictability,
                    "investment": investment, "form": form, "recommended": recommendation.form,
                    "reasons": recommendation.reasons}
    return check


def _date(raw: Mapping[str, Any], name: str, check: Check) -> date | None:
    text = _text(raw, name, check)
    if not text or name in check.errors:
        return None
    try:
        return date.fromisoformat(text) if len(text) == 10 else _bad_date(name, check)
    except ValueError:
        return _bad_date(name, check)


def _bad_date(name: str, check: Check) -> None:
    check.errors[name] = E_DATE
    return None


def _whole(raw: Mapping[str, Any], name: str, maximum: int, check: Check) -> int | None:
    text = _text(raw, name, check)
    if not text or name in check.errors:
        return None
    value = parse_whole(text)
    if value is None:
        check.errors[name] = E_NUMBER
    elif value < 0:
        check.errors[name] = E_NEGATIVE
    elif value > maximum:
        check.errors[name] = E_TOO_LARGE
    else:
        return value
    return None


def _people(raw: Mapping[str, Any], name: str, roster: Mapping[str, str], check: Check) -> tuple[str, ...]:
    text = _text(raw, name, check)
    if name in check.errors:
        return ()
    ids = tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
    if name in SINGLE_PEOPLE and len(ids) > 1:
        ids = ids[:1]
    if len(ids) > MAX_PEOPLE:
        check.errors[name] = E_TOO_MANY
    elif any(p not in roster for p in ids):
        check.errors[name] = E_NOT_IN_ROSTER
    return ids


def check_document(raw: Mapping[str, Any], *, form: Form, length: Length,
                   roster: Mapping[str, str]) -> Check:
    """Step 3: the commission document with the fields the kind, form and length require."""
    check = Check()
    values: dict[str, Any] = {}
    for name in ("title", "background", "purpose", "goals", "expected_result", "reporting", "reference_groups"):
        values[name] = _text(raw, name, check)
    values["start"] = _date(raw, "start", check)
    values["end"] = _date(raw, "end", check)
    if values["start"] and values["end"] and values["end"] < values["start"]:
        check.errors["end"] = E_END_BEFORE_START
    values["budget_sek"] = _whole(raw, "budget_sek", SEK_MAX, check)
    values["budget_hours"] = _whole(raw, "budget_hours", HOURS_MAX, check)
    for name in SINGLE_PEOPLE:
        found = _people(raw, name, roster, check)
        values[name] = found[0] if found else ""
    for name in MANY_PEOPLE:
        values[name] = _people(raw, name, roster, check)
    cadence = _text(raw, "cadence", check)
    if cadence and cadence not in CADENCES:
        check.errors["cadence"] = E_CADENCE
    values["cadence"] = cadence
    for name in required_fields(length, form):
        if name not in check.errors and values.get(name) in ("", None, ()):
            check.errors[name] = E_TITLE if name == "title" else (E_CADENCE if name == "cadence" else E_REQUIRED)
    asked = approvers(values["responsible_manager"], values["managers"])
    values["approvers"] = asked
    if approves_own(values["lead"], asked):
        check.warnings = (W_SELF_APPROVAL,)
    check.values = values
    return check


REPORT_TEXT_MAX = 1500
CLOSURES = ("completed", "partly", "cancelled")
E_CLOSURE = "Say how the commission ended."
E_RESULT = "Describe the result, even briefly."


def check_report(raw: Mapping[str, Any], *, sections: tuple[str, ...]) -> Check:
    """The final report: how it ended, the result, and the sections the form asks for."""
    check = Check()
    values: dict[str, Any] = {}
    closure = _text(raw, "closure", check)
    if closure not in CLOSURES:
        check.errors["closure"] = E_CLOSURE
    values["closure"] = closure
    for name in sections:
        if name in ("actual_start", "actual_end"):
            values[name] = _date(raw, name, check)
            continue
        value = raw.get(name)
        text = clean_text(str(value), multiline=True) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""
        if len(text) > REPORT_TEXT_MAX:
            check.errors[name] = E_TOO_LONG
            check.limits[name] = REPORT_TEXT_MAX
            text = text[:REPORT_TEXT_MAX]
        check.kept[name] = text
        values[name] = text
    if values.get("actual_start") and values.get("actual_end") and values["actual_end"] < values["actual_start"]:
        check.errors["actual_end"] = E_END_BEFORE_START
    if "result_goal" in sections and not values.get("result_goal") and "result_goal" not in check.errors:
        check.errors["result_goal"] = E_RESULT
    check.values = values
    return check
