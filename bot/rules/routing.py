"""Where an assessed need goes (DOMAIN.md §2): a pure rule over the answers and the plan's frame.

    serves the plan's goals?
      no  -> needs inventory, or declined (the coordinator's choice, with a reason)
      yes -> fits in the frame left (and does not touch the whole portfolio)?
               yes -> within the plan (the coordinators act; the frame is committed)
               no  -> urgent (must be handled now)?
                        yes -> decision basis for the steering group
                        no  -> needs inventory for next period's planning

A change that affects the whole portfolio always reaches portfolio management (DOMAIN.md §2, last
paragraph): whatever the frame or urgency, and even when it does not serve this e-area's goals, it
becomes an escalated decision basis, never stays with the coordinator group, waits in the
inventory or is declined by it. `escalate` (portfolio management) is set
for a decision basis that affects the whole portfolio or other e-areas. Within the plan, other
e-areas are named as dependencies to check, without escalation (the coordinator group handles
deviations within the plan).

Reasons are English msgids (translated where shown), never prose built here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

ABSURD_FACTOR = 100  # hours or cost above 100x the whole frame is a typing error


class Outcome(str, Enum):  # noqa: UP042  (same style as storage.models)
    within_plan = "within_plan"
    decision_basis = "decision_basis"
    inventory = "inventory"
    declined = "declined"


# --- reasons (msgids) -------------------------------------------------------------------------

R_NOT_SERVING = "It does not contribute to the plan's goals."
R_DECLINED_BY_COORDINATOR = "The coordinators decline it."
R_INVENTORY_NEXT_PERIOD = "It is recorded in the needs inventory for next period's planning."
R_FITS_FRAME = "It serves the plan's goals and fits in the resource and cost frame left."
R_NO_ROOM_HOURS = "There are not enough hours left in the plan's frame."
R_NO_ROOM_SEK = "There is not enough money left in the plan's frame."
R_URGENT = "It must be handled now, so the steering group decides on a deviation from the plan."
R_NOT_URGENT = "It can wait, so it goes to the needs inventory for next period."
R_WHOLE_PORTFOLIO = "It affects the whole portfolio, so it is escalated to portfolio management."
R_OTHER_AREAS_ESCALATE = "It affects other e-areas, so portfolio management is informed."
R_OTHER_AREAS_CHECK = "It depends on other e-areas: check it with their coordinators."

# --- validation errors (msgids) ----------------------------------------------------------------

E_HOURS_MISSING = "Estimate the hours (0 if none)."
E_COST_MISSING = "Estimate the cost in SEK (0 if none)."
E_HOURS_NEGATIVE = "Hours cannot be negative."
E_COST_NEGATIVE = "Cost cannot be negative."
E_HOURS_ABSURD = "That many hours is more than 100 times the whole frame. Check the figure."
E_COST_ABSURD = "That cost is more than 100 times the whole frame. Check the figure."
E_NOT_A_NUMBER = "Write whole numbers only, for example 120."
E_DECLINE_REASON = "Write why the need is declined; the person who raised it will read it."
E_SERVES_MISSING = "Say whether the need serves the plan's goals."


@dataclass(frozen=True)
class Frame:
    """The plan's resource frame and what is committed so far."""

    frame_hours: int
    frame_sek: int
    committed_hours: int = 0
    committed_sek: int = 0

    @property
    def left_hours(self) -> int:
        return self.frame_hours - self.committed_hours

    @property
    def left_sek(self) -> int:
        return self.frame_sek - self.committed_sek

    def released(self, hours: int, sek: int) -> Frame:
        """The frame as it is when an earlier commitment of this need is given back."""
        return Frame(self.frame_hours, self.frame_sek, self.committed_hours - hours, self.committed_sek - sek)

    def after(self, hours: int, sek: int) -> Frame:
        return Frame(self.frame_hours, self.frame_sek, self.committed_hours + hours, self.committed_sek + sek)


@dataclass(frozen=True)
class Answers:
    serves_goals: bool
    hours: int = 0
    cost_sek: int = 0
    urgent: bool = False
    affects_areas: tuple[str, ...] = ()  # other e-areas it depends on or affects (slugs)
    whole_portfolio: bool = False
    decline: bool = False  # when it does not serve the goals: decline instead of the inventory
    own_area: str = ""


@dataclass(frozen=True)
class Routing:
    outcome: Outcome
    reasons: tuple[str, ...]
    escalate: bool
    before: Frame
    after: Frame  # the frame if this outcome is stored
    other_areas: tuple[str, ...] = field(default=())


def route(answers: Answers, frame: Frame) -> Routing:
    others = tuple(sorted({a for a in answers.affects_areas if a and a != answers.own_area}))
    if not answers.serves_goals:
        if answers.whole_portfolio:  # not the e-area's to shelve or decline: portfolio management decides
            reasons = (R_NOT_SERVING, R_WHOLE_PORTFOLIO) + ((R_OTHER_AREAS_ESCALATE,) if others else ())
            return Routing(Outcome.decision_basis, reasons, True, frame, frame, others)
        if answers.decline:
            return Routing(Outcome.declined, (R_NOT_SERVING, R_DECLINED_BY_COORDINATOR), False, frame, frame, others)
        return Routing(Outcome.inventory, (R_NOT_SERVING, R_INVENTORY_NEXT_PERIOD), False, frame, frame, others)

    room_hours = answers.hours <= frame.left_hours
    room_sek = answers.cost_sek <= frame.left_sek
    fits = room_hours and room_sek
    if fits and not answers.whole_portfolio:
        reasons = (R_FITS_FRAME,) + ((R_OTHER_AREAS_CHECK,) if others else ())
        return Routing(Outcome.within_plan, reasons, False, frame,
                       frame.after(answers.hours, answers.cost_sek), others)

    no_room = tuple(r for r, ok in ((R_NO_ROOM_HOURS, room_hours), (R_NO_ROOM_SEK, room_sek)) if not ok)
    if answers.urgent or fits or answers.whole_portfolio:
        reasons = no_room + ((R_URGENT,) if answers.urgent else ())
        if answers.whole_portfolio:
            reasons += (R_WHOLE_PORTFOLIO,)
        if others:
            reasons += (R_OTHER_AREAS_ESCALATE,)
        escalate = answers.whole_portfolio or bool(others)
        return Routing(Outcome.decision_basis, reasons, escalate, frame, frame, others)

    reasons = no_room + (R_NOT_URGENT,) + ((R_OTHER_AREAS_CHECK,) if others else ())
    return Routing(Outcome.inventory, reasons, False, frame, frame, others)


def parse_amount(raw: object) -> int | None:
    """A whole, possibly spaced, number from a form ('1 200', '1200', 1200.0); None when blank.

    Raises ValueError for text that is not a number.
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, (int, float)):
        if float(raw) != int(raw):
            raise ValueError(raw)
        return int(raw)
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if text.endswith(".0") or text.endswith(",0"):
        text = text[:-2]
    if text.startswith("-") and text[1:].isdigit():
        return -int(text[1:])
    if not text.isdigit():
        raise ValueError(raw)
    return int(text)


def validate_amounts(hours: object, cost: object, frame: Frame, *, needed: bool) -> dict[str, str]:
    """Input id -> error msgid for the estimate fields; empty when they are fine."""
    errors: dict[str, str] = {}
    checks = (
        ("hours", hours, frame.frame_hours, E_HOURS_MISSING, E_HOURS_NEGATIVE, E_HOURS_ABSURD),
        ("cost", cost, frame.frame_sek, E_COST_MISSING, E_COST_NEGATIVE, E_COST_ABSURD),
    )
    for key, raw, whole, missing, negative, absurd in checks:
        try:
            value = parse_amount(raw)
        except ValueError:
            errors[key] = E_NOT_A_NUMBER
            continue
        if value is None:
            if needed:
                errors[key] = missing
        elif value < 0:
            errors[key] = negative
        elif value > ABSURD_FACTOR * max(whole, 1):
            errors[key] = absurd
    return errors


def validate(answers_raw: dict[str, object], frame: Frame) -> dict[str, str]:
    """All form checks: serves yes/no given, estimates when the frame is checked, decline reason."""
    errors: dict[str, str] = {}
    serves = answers_raw.get("serves")
    if serves not in ("yes", "no"):
        errors["serves"] = E_SERVES_MISSING
    errors.update(validate_amounts(answers_raw.get("hours"), answers_raw.get("cost"), frame,
                                   needed=serves == "yes"))
    if serves == "no" and answers_raw.get("if_not") == "declined" and not str(answers_raw.get("reason") or "").strip():
        errors["reason"] = E_DECLINE_REASON
    return errors
