"""DOMAIN.md §4 as tables: kind x complexity -> form, reasons and document fields; the status machine."""

import pytest

from bot.rules import commissions as c
from bot.rules.commissions import (
    Answer,
    Close,
    Closure,
    Complexity,
    Discard,
    Edit,
    Form,
    Investment,
    Kind,
    Length,
    Predictability,
    Respond,
    Stakeholders,
    StartChange,
    State,
    Status,
    Submit,
    apply,
    recommend,
)

S, P, Inv = Stakeholders, Predictability, Investment

# Every combination of the three complexity answers and the level it means (the highest wins).
LEVELS = [
    (S.few, P.predictable, Inv.small, 1),
    (S.few, P.predictable, Inv.medium, 2),
    (S.few, P.predictable, Inv.large, 3),
    (S.few, P.uncertain, Inv.small, 2),
    (S.few, P.uncertain, Inv.medium, 2),
    (S.few, P.uncertain, Inv.large, 3),
    (S.several_units, P.predictable, Inv.small, 2),
    (S.several_units, P.predictable, Inv.medium, 2),
    (S.several_units, P.predictable, Inv.large, 3),
    (S.several_units, P.uncertain, Inv.small, 2),
    (S.several_units, P.uncertain, Inv.medium, 2),
    (S.several_units, P.uncertain, Inv.large, 3),
    (S.many, P.predictable, Inv.small, 3),
    (S.many, P.predictable, Inv.medium, 3),
    (S.many, P.predictable, Inv.large, 3),
    (S.many, P.uncertain, Inv.small, 3),
    (S.many, P.uncertain, Inv.medium, 3),
    (S.many, P.uncertain, Inv.large, 3),
]

FORM_FOR = {
    (Kind.network, 1): Form.internal_network,
    (Kind.network, 2): Form.internal_network,
    (Kind.network, 3): Form.internal_network,
    (Kind.coordination, 1): Form.working_group,
    (Kind.coordination, 2): Form.working_group,
    (Kind.coordination, 3): Form.project,
    (Kind.investigation, 1): Form.single_employee,
    (Kind.investigation, 2): Form.working_group,
    (Kind.investigation, 3): Form.working_group,
}

ALLOWED = {
    Kind.network: {Form.internal_network},
    Kind.coordination: {Form.working_group, Form.project},
    Kind.investigation: {Form.single_employee, Form.working_group},
}

SHORT = {"title", "lead", "responsible_manager", "cadence", "purpose", "expected_result", "start", "end"}
LONG = SHORT | {"background", "goals", "participants", "budget_sek", "budget_hours", "reporting"}

CASES = [(kind, s, p, i, level, length) for kind in Kind for (s, p, i, level) in LEVELS for length in Length]


@pytest.mark.parametrize(("kind", "s", "p", "i", "level", "length"), CASES,
                         ids=[f"{k}-{s}-{p}-{i}-{n}" for k, s, p, i, _, n in CASES])
def test_every_kind_and_complexity(kind, s, p, i, level, length):
    rec = recommend(kind, Complexity(s, p, i, length))
    assert rec.level == level
    assert rec.form is FORM_FOR[(kind, level)]
    assert set(rec.allowed) == ALLOWED[kind]
    assert rec.form in rec.allowed
    # The reasons name each answer, the form and the length.
    assert {c.R_STAKEHOLDERS[s], c.R_PREDICTABILITY[p], c.R_INVESTMENT[i], c.R_FORM[rec.form],
            c.R_LENGTH[length]} <= set(rec.reasons)
    expected = set(LONG if length is Length.long else SHORT)
    if rec.form is Form.single_employee:
        expected.discard("participants")
    if rec.form is Form.project:
        expected |= {"project_group", "steering_group"}
    assert set(rec.fields) == expected


@pytest.mark.parametrize(("kind", "level", "capped"), [
    (Kind.network, 2, True), (Kind.network, 3, True), (Kind.network, 1, False),
    (Kind.investigation, 3, True), (Kind.investigation, 2, False),
    (Kind.coordination, 1, True), (Kind.coordination, 3, False),
])
def test_a_form_the_kind_cannot_stretch_to_says_why(kind, level, capped):
    answers = {1: (S.few, P.predictable, Inv.small), 2: (S.several_units, P.uncertain, Inv.medium),
               3: (S.many, P.uncertain, Inv.large)}[level]
    rec = recommend(kind, Complexity(*answers, Length.short))
    assert (c.R_CAPPED[kind] in rec.reasons) is capped


@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize("form", list(Form))
def test_forms_outside_the_allowed_set_are_refused_with_the_reason(kind, form):
    refused = c.check_form(kind, form.value)
    if form in ALLOWED[kind]:
        assert refused is None
    else:
        assert refused == c.E_FORM_NOT_ALLOWED[kind]


def test_an_unknown_form_is_refused():
    assert c.check_form(Kind.coordination, "committee") == c.E_FORM_UNKNOWN


def test_approvers_deduplicated_responsible_first_and_self_approval_noticed():
    assert c.approvers("m1", ["m2", "m1", "m3", "m2", ""]) == ("m1", "m2", "m3")
    assert c.approves_own("lead", ("lead",))
    assert not c.approves_own("lead", ("lead", "m2"))
    assert not c.approves_own("lead", ("m2",))


# --- the status machine ---------------------------------------------------------------------

DRAFT = State()
ASKED = ("m1", "m2", "m3")
AWAITING = State(Status.awaiting_approval, 1, True, None, ASKED, {})
ONE_YES = State(Status.awaiting_approval, 1, True, None, ASKED, {"m1": Answer.approved})
DECIDED = State(Status.decided, 1, True, 1, ASKED, {m: Answer.approved for m in ASKED})
DECLINED = State(Status.draft, 1, True, None, ASKED, {"m2": Answer.declined})
CHANGING = State(Status.draft, 2, False, 1, (), {})
CHANGE_ASKED = State(Status.awaiting_approval, 2, True, 1, ASKED, {})
CLOSED = State(Status.closed, 1, True, 1, ASKED, {}, Closure.completed)

yes = lambda m, v=1: Respond(m, v, Answer.approved)  # noqa: E731
no = lambda m, v=1, why="too big": Respond(m, v, Answer.declined, why)  # noqa: E731

MACHINE = [
    # id, state, event, status after, version after, decided version after, notes, error
    ("edit a draft in place", DRAFT, Edit(), Status.draft, 1, None, (), None),
    ("edit with nothing changed", AWAITING, Edit(changed=False), Status.awaiting_approval, 1, None, (c.N_UNCHANGED,), None),
    ("submit a draft", DRAFT, Submit(ASKED), Status.awaiting_approval, 1, None, (c.N_SUBMITTED,), None),
    ("submit with nobody to approve", DRAFT, Submit(()), Status.draft, 1, None, (), c.E_NO_APPROVERS),
    ("submit twice", AWAITING, Submit(ASKED), Status.awaiting_approval, 1, None, (), c.E_NOT_DRAFT),
    ("first approval", AWAITING, yes("m1"), Status.awaiting_approval, 1, None, (c.N_APPROVED,), None),
    ("same approval again is harmless", ONE_YES, yes("m1"), Status.awaiting_approval, 1, None, (c.N_DUPLICATE,), None),
    ("decline after approving refused", ONE_YES, no("m1"), Status.awaiting_approval, 1, None, (), c.E_ALREADY_ANSWERED),
    ("approval of an outdated version", AWAITING, yes("m1", 0), Status.awaiting_approval, 1, None, (), c.E_OUTDATED),
    ("approval by someone not asked", AWAITING, yes("x"), Status.awaiting_approval, 1, None, (), c.E_NOT_APPROVER),
    ("approval of a draft", DRAFT, yes("m1"), Status.draft, 1, None, (), c.E_NOT_AWAITING),
    ("last approval decides", State(Status.awaiting_approval, 1, True, None, ASKED, {"m1": Answer.approved, "m2": Answer.approved}),
     yes("m3"), Status.decided, 1, 1, (c.N_APPROVED, c.N_DECIDED, c.N_FIRST_DECISION), None),
    ("decline returns to the lead", ONE_YES, no("m2"), Status.draft, 1, None, (c.N_RETURNED,), None),
    ("decline without a comment", AWAITING, no("m2", why="  "), Status.awaiting_approval, 1, None, (), c.E_DECLINE_COMMENT),
    ("approve after another declined", DECLINED, yes("m1"), Status.draft, 1, None, (), c.E_NOT_AWAITING),
    ("edit the declined version makes the next", DECLINED, Edit(), Status.draft, 2, None, (c.N_NEW_VERSION,), None),
    ("resubmit unchanged makes the next", DECLINED, Submit(ASKED), Status.awaiting_approval, 2, None, (c.N_NEW_VERSION, c.N_SUBMITTED), None),
    ("document changed in flight resets approvals", ONE_YES, Edit(), Status.awaiting_approval, 2, None, (c.N_NEW_VERSION, c.N_APPROVALS_RESET), None),
    ("edit a decided commission", DECIDED, Edit(), Status.decided, 1, 1, (), c.E_START_CHANGE),
    ("start a change", DECIDED, StartChange(), Status.draft, 2, 1, (c.N_NEW_VERSION,), None),
    ("second change at once", CHANGING, StartChange(), Status.draft, 2, 1, (), c.E_CHANGE_NOT_DECIDED),
    ("change approved keeps its number", State(Status.awaiting_approval, 2, True, 1, ("m1",), {}), yes("m1", 2),
     Status.decided, 2, 2, (c.N_APPROVED, c.N_DECIDED), None),
    ("old version approved during a change", CHANGE_ASKED, yes("m1", 1), Status.awaiting_approval, 2, 1, (), c.E_OUTDATED),
    ("change declined keeps the version in force", CHANGE_ASKED, no("m1", 2), Status.draft, 2, 1, (c.N_RETURNED,), None),
    ("close completed", DECIDED, Close(Closure.completed), Status.closed, 1, 1, (c.N_CLOSED,), None),
    ("close partly", DECIDED, Close(Closure.partly), Status.closed, 1, 1, (c.N_CLOSED,), None),
    ("complete a draft refused", DRAFT, Close(Closure.completed), Status.draft, 1, None, (), c.E_NOT_DECIDED),
    ("cancel an awaiting one", AWAITING, Close(Closure.cancelled), Status.closed, 1, None, (c.N_CLOSED,), None),
    ("anything on a closed one", CLOSED, yes("m1"), Status.closed, 1, 1, (), c.E_CLOSED),
    ("discard a fresh draft", DRAFT, Discard(), Status.draft, 1, None, (c.N_DISCARDED,), None),
    ("discard a declined one refused", DECLINED, Discard(), Status.draft, 1, None, (), c.E_CANNOT_DISCARD),
    ("discard a change draft refused", CHANGING, Discard(), Status.draft, 2, 1, (), c.E_CANNOT_DISCARD),
]


@pytest.mark.parametrize(("state", "event", "status", "version", "decided", "notes", "error"),
                         [m[1:] for m in MACHINE], ids=[m[0] for m in MACHINE])
def test_status_machine(state, event, status, version, decided, notes, error):
    result = apply(state, event)
    assert result.error == error
    assert result.state.status is status
    assert result.state.version == version
    assert result.state.decided_version == decided
    assert result.notes == notes
    if error:
        assert result.state == state  # a refusal changes nothing


def test_reset_clears_answers_and_closing_records_how():
    assert apply(ONE_YES, Edit()).state.answers == {}
    assert apply(DECIDED, Close(Closure.partly)).state.closure is Closure.partly
    assert c.is_active(DECIDED) and c.is_active(CHANGING)
    assert not c.is_active(AWAITING) and not c.is_active(CLOSED)


def test_three_managers_in_any_order_decide_exactly_once():
    from itertools import permutations

    for order in permutations(ASKED):
        state, decided = AWAITING, 0
        for manager in order + order:  # every click twice
            result = apply(state, yes(manager))
            assert result.ok
            decided += c.N_DECIDED in result.notes
            state = result.state
        assert decided == 1 and state.status is Status.decided
