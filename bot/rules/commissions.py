"""Commissions (DOMAIN.md §4, seed 004) as pure rules: which organisation a kind of commission
allows, which one its complexity recommends and why, what its document must hold, and how a
commission moves from draft to closed.

Reasons and errors are English msgids (translated where shown), never prose built here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum


class Kind(StrEnum):
    network = "network"  # exchange knowledge, develop skills and ideas
    coordination = "coordination"  # do or improve something together across units
    investigation = "investigation"  # investigate, map, examine a question


class Form(StrEnum):
    single_employee = "single_employee"
    internal_network = "internal_network"
    working_group = "working_group"
    project = "project"


class Stakeholders(StrEnum):
    few = "few"  # few and well known
    several_units = "several_units"  # several units, fairly well known
    many = "many"  # many, internal and external (suppliers, consultants)


class Predictability(StrEnum):
    predictable = "predictable"  # how the result will be used is fairly predictable
    uncertain = "uncertain"  # not fully predictable


class Investment(StrEnum):
    small = "small"
    medium = "medium"
    large = "large"


class Length(StrEnum):
    short = "short"
    long = "long"  # about a year or more


ALLOWED: dict[Kind, tuple[Form, ...]] = {
    Kind.network: (Form.internal_network,),
    Kind.coordination: (Form.working_group, Form.project),
    Kind.investigation: (Form.single_employee, Form.working_group),
}

# The complexity each form suits: 1 low, 2 medium, 3 high.
FORM_LEVEL: dict[Form, int] = {
    Form.single_employee: 1,
    Form.internal_network: 1,
    Form.working_group: 2,
    Form.project: 3,
}
_STAKEHOLDER_LEVEL = {Stakeholders.few: 1, Stakeholders.several_units: 2, Stakeholders.many: 3}
_PREDICTABILITY_LEVEL = {Predictability.predictable: 1, Predictability.uncertain: 2}
_INVESTMENT_LEVEL = {Investment.small: 1, Investment.medium: 2, Investment.large: 3}

# --- reasons (msgids) --------------------------------------------------------------------------

R_STAKEHOLDERS = {
    Stakeholders.few: "Few stakeholders, all well known: low complexity.",
    Stakeholders.several_units: "Stakeholders in several units: medium complexity.",
    Stakeholders.many: "Many stakeholders, also outside the organisation: high complexity.",
}
R_PREDICTABILITY = {
    Predictability.predictable: "How the result will be used is fairly predictable: low complexity.",
    Predictability.uncertain: "How the result will be used is not fully predictable: medium complexity.",
}
R_INVESTMENT = {
    Investment.small: "A small investment of money and working time: low complexity.",
    Investment.medium: "A medium investment of money and working time: medium complexity.",
    Investment.large: "A large investment of money and working time: high complexity.",
}
R_FORM = {
    Form.single_employee: "A single employee suits a low-complexity investigation: one lead does the work and asks others.",
    Form.internal_network: "An internal network: staff who meet regularly to share knowledge and ideas.",
    Form.working_group: "A working group suits medium complexity: staff from several units meet regularly.",
    Form.project: "A project suits high complexity: a project manager, a project group and a steering group.",
}
R_CAPPED = {
    Kind.network: "A network commission is always organised as an internal network; larger work becomes a commission of its own.",
    Kind.coordination: "A working group is the smallest form a coordination commission allows.",
    Kind.investigation: "An investigation is never run as a project; a working group is the largest form it allows.",
}
R_LENGTH = {
    Length.short: "A short commission: the document needs purpose, expected result and timeline.",
    Length.long: "A long commission: the document also needs background, goals, participants, budget and reporting.",
}
# Why a form is refused for a kind.
E_FORM_NOT_ALLOWED = {
    Kind.network: "A network commission can only be organised as an internal network.",
    Kind.coordination: "A coordination commission is organised as a working group or a project.",
    Kind.investigation: "An investigation is organised as a single employee or a working group.",
}
E_FORM_UNKNOWN = "Choose one of the organisation forms in the list."


@dataclass(frozen=True)
class Complexity:
    stakeholders: Stakeholders
    predictability: Predictability
    investment: Investment
    length: Length


@dataclass(frozen=True)
class Recommendation:
    kind: Kind
    level: int  # 1 low, 2 medium, 3 high
    form: Form
    allowed: tuple[Form, ...]
    reasons: tuple[str, ...]
    fields: tuple[str, ...]  # the document fields this recommendation requires


def level_of(answers: Complexity) -> int:
    """The highest level any answer points to: one demanding aspect is enough to need more."""
    return max(_STAKEHOLDER_LEVEL[answers.stakeholders], _PREDICTABILITY_LEVEL[answers.predictability],
               _INVESTMENT_LEVEL[answers.investment])


def recommend(kind: Kind, answers: Complexity) -> Recommendation:
    level = level_of(answers)
    allowed = ALLOWED[kind]
    # The allowed form nearest the complexity; on a tie the larger one (more structure, not less).
    form = min(allowed, key=lambda f: (abs(FORM_LEVEL[f] - level), -FORM_LEVEL[f]))
    reasons = [R_STAKEHOLDERS[answers.stakeholders], R_PREDICTABILITY[answers.predictability],
               R_INVESTMENT[answers.investment], R_FORM[form]]
    if FORM_LEVEL[form] != level and (kind is Kind.network or form is not Form.internal_network):
        reasons.append(R_CAPPED[kind])
    reasons.append(R_LENGTH[answers.length])
    return Recommendation(kind, level, form, allowed, tuple(reasons), required_fields(answers.length, form))


def check_form(kind: Kind, form: str) -> str | None:
    """None when the kind allows the form; otherwise the reason it is refused (msgid)."""
    try:
        chosen = Form(form)
    except ValueError:
        return E_FORM_UNKNOWN
    return None if chosen in ALLOWED[kind] else E_FORM_NOT_ALLOWED[kind]


# --- the document --------------------------------------------------------------------------

ALWAYS = ("title", "lead", "responsible_manager", "cadence")
SHORT_FIELDS = ("purpose", "expected_result", "start", "end")
LONG_FIELDS = ("background", "purpose", "goals", "expected_result", "start", "end", "participants",
               "budget_sek", "budget_hours", "reporting")
PROJECT_FIELDS = ("project_group", "steering_group")
# Every field a document may hold, in the order a card shows them.
DOCUMENT_FIELDS = ("title", "background", "purpose", "goals", "expected_result", "start", "end",
                   "lead", "responsible_manager", "participants", "managers", "budget_sek",
                   "budget_hours", "cadence", "reporting", "project_group", "steering_group",
                   "reference_groups")


def required_fields(length: Length, form: Form) -> tuple[str, ...]:
    fields = list(ALWAYS) + list(LONG_FIELDS if length is Length.long else SHORT_FIELDS)
    if form is Form.single_employee and "participants" in fields:
        fields.remove("participants")  # the lead is the one participant
    if form is Form.project:
        fields += PROJECT_FIELDS
    return tuple(f for f in DOCUMENT_FIELDS if f in fields)


def approvers(responsible_manager: str, managers: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Every manager concerned, once each, the responsible manager first."""
    return tuple(dict.fromkeys(m for m in (responsible_manager, *managers) if m))


def approves_own(lead: str, approving: tuple[str, ...]) -> bool:
    """The lead is the only one approving their own commission: allowed, but said on the card."""
    return bool(lead) and approving == (lead,)


# --- the status machine ----------------------------------------------------------------------


class Status(StrEnum):
    draft = "draft"
    awaiting_approval = "awaiting_approval"
    decided = "decided"
    closed = "closed"


class Closure(StrEnum):
    completed = "completed"
    partly = "partly"
    cancelled = "cancelled"


class Answer(StrEnum):
    approved = "approved"
    declined = "declined"


E_CLOSED = "The commission is closed."
E_NOT_DRAFT = "Only a draft can be sent for approval."
E_NO_APPROVERS = "Name the responsible manager: someone must approve the commission."
E_NOT_AWAITING = "The commission is not waiting for approval."
E_OUTDATED = "This version has been replaced; approve the current version instead."
E_NOT_APPROVER = "You are not one of the managers asked to approve this version."
E_ALREADY_ANSWERED = "You have already answered for this version."
E_DECLINE_COMMENT = "Write why you decline; the lead will read it."
E_START_CHANGE = "The commission is decided: start a change to edit it."
E_NOT_DECIDED = "Only a decided commission can be closed as completed or partly completed."
E_CHANGE_NOT_DECIDED = "Only a decided commission can be changed, and only one change at a time."
E_CANNOT_DISCARD = "It has been sent for approval, so it cannot be discarded; cancel it instead."

# Notes on what happened (effects the caller acts on).
N_NEW_VERSION = "new_version"
N_APPROVALS_RESET = "approvals_reset"
N_SUBMITTED = "submitted"
N_APPROVED = "approved"
N_DECIDED = "decided"
N_FIRST_DECISION = "first_decision"  # gets its number now
N_RETURNED = "returned"
N_DUPLICATE = "duplicate"
N_UNCHANGED = "unchanged"
N_CLOSED = "closed"
N_DISCARDED = "discarded"


@dataclass(frozen=True)
class State:
    status: Status = Status.draft
    version: int = 1  # the newest version
    frozen: bool = False  # the newest version has been sent for approval: never edited in place
    decided_version: int | None = None  # the version in force
    approvers: tuple[str, ...] = ()
    answers: Mapping[str, Answer] = field(default_factory=dict)  # for `version`
    closure: Closure | None = None


@dataclass(frozen=True)
class Edit:
    changed: bool = True


@dataclass(frozen=True)
class Submit:
    approvers: tuple[str, ...]


@dataclass(frozen=True)
class Respond:
    manager: str
    version: int
    answer: Answer
    comment: str = ""


@dataclass(frozen=True)
class StartChange:
    pass


@dataclass(frozen=True)
class Close:
    closure: Closure


@dataclass(frozen=True)
class Discard:
    pass


Event = Edit | Submit | Respond | StartChange | Close | Discard


@dataclass(frozen=True)
class Result:
    state: State
    error: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


def _refuse(state: State, error: str) -> Result:
    return Result(state, error)


def _new_version(state: State, **changes) -> State:
    return replace(state, version=state.version + 1, answers={}, **changes)


def apply(state: State, event: Event) -> Result:
    """The next state of a commission after `event`, or the reason it is refused."""
    if state.status is Status.closed:
        return _refuse(state, E_CLOSED)
    match event:
        case Edit(changed=changed):
            if not changed:
                return Result(state, notes=(N_UNCHANGED,))
            if state.status is Status.decided:
                return _refuse(state, E_START_CHANGE)
            if state.status is Status.awaiting_approval:
                # The approvers saw another text: their answers no longer count, they are asked again.
                return Result(_new_version(state, frozen=True), notes=(N_NEW_VERSION, N_APPROVALS_RESET))
            if state.frozen:  # a declined version is kept as it was; the edit is the next version
                return Result(_new_version(state, frozen=False), notes=(N_NEW_VERSION,))
            return Result(state)
        case Submit(approvers=asked):
            if state.status is not Status.draft:
                return _refuse(state, E_NOT_DRAFT)
            if not asked:
                return _refuse(state, E_NO_APPROVERS)
            base = _new_version(state) if state.frozen else replace(state, answers={})
            notes = (N_NEW_VERSION, N_SUBMITTED) if state.frozen else (N_SUBMITTED,)
            return Result(replace(base, status=Status.awaiting_approval, frozen=True, approvers=tuple(asked)),
                          notes=notes)
        case Respond():
            return _respond(state, event)
        case StartChange():
            if state.status is not Status.decided:
                return _refuse(state, E_CHANGE_NOT_DECIDED)
            return Result(_new_version(state, status=Status.draft, frozen=False, approvers=()),
                          notes=(N_NEW_VERSION,))
        case Close(closure=closure):
            if closure is not Closure.cancelled and state.status is not Status.decided:
                return _refuse(state, E_NOT_DECIDED)
            return Result(replace(state, status=Status.closed, closure=closure), notes=(N_CLOSED,))
        case Discard():
            if state.status is not Status.draft or state.frozen or state.decided_version is not None:
                return _refuse(state, E_CANNOT_DISCARD)
            return Result(state, notes=(N_DISCARDED,))
    raise TypeError(f"not a commission event: {event!r}")


def _respond(state: State, event: Respond) -> Result:
    if event.version != state.version:
        return _refuse(state, E_OUTDATED)
    earlier = state.answers.get(event.manager)
    if earlier is not None:  # one answer per manager and version; the same click again is harmless
        return Result(state, notes=(N_DUPLICATE,)) if earlier is event.answer else _refuse(state, E_ALREADY_ANSWERED)
    if state.status is not Status.awaiting_approval:
        return _refuse(state, E_NOT_AWAITING)
    if event.manager not in state.approvers:
        return _refuse(state, E_NOT_APPROVER)
    answers = {**state.answers, event.manager: event.answer}
    if event.answer is Answer.declined:
        if not event.comment.strip():
            return _refuse(state, E_DECLINE_COMMENT)
        return Result(replace(state, status=Status.draft, answers=answers), notes=(N_RETURNED,))
    if all(answers.get(m) is Answer.approved for m in state.approvers):
        notes = (N_APPROVED, N_DECIDED) + ((N_FIRST_DECISION,) if state.decided_version is None else ())
        return Result(replace(state, status=Status.decided, answers=answers, decided_version=state.version),
                      notes=notes)
    return Result(replace(state, answers=answers), notes=(N_APPROVED,))


def is_active(state: State) -> bool:
    """Decided at some point and not closed: the commission is running (a change may be pending)."""
    return state.decided_version is not None and state.status is not Status.closed
