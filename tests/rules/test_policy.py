"""The access policy as a table: every verb and command of the registry has an entry, and who may
see and do what follows DOMAIN.md §8 for every role, scope, relation and stage."""

from __future__ import annotations

import itertools
import typing

import pytest

from bot.rules import policy
from bot.rules.policy import (
    ACT,
    ADMIN,
    ANY,
    COMMANDS,
    EVERYONE,
    GLIMPSE,
    SEE,
    VERBS,
    Act,
    Level,
    Reason,
    Record,
    RecordFacts,
    Relation,
    Viewer,
    decide,
)
from storage.models import Role
from tests.support.verbs import REGISTRY

HOME, OTHER = "utbildning", "forskning"
STAGES = {
    Record.need: ("new", "open", "closed"),
    Record.assessment: ("preparation", "steering", "escalated", "decided"),
    Record.basis: ("preparation", "steering", "escalated", "decided"),
    Record.decision: (ANY,),
    Record.reminder: (ANY,),
    Record.plan: (ANY,),
    Record.commission: ("draft", "sent", "decided"),
    Record.report: ("draft", "sent"),
    Record.rollup: (ANY,),
}
RELATIONS = {
    Record.need: ("raiser", "affected", "offered"),
    Record.assessment: ("raiser",),
    Record.basis: ("raiser", "audience"),
    Record.decision: ("raiser",),
    Record.reminder: ("audience",),
    Record.plan: (),
    Record.commission: ("author", "lead", "participant", "manager", "approving_manager", "responsible_manager"),
    Record.report: (),
    Record.rollup: (),
}
AREA = ("coordinator", "area_owner", "chair", "deputy_chair", "member")


def viewers():
    """Everyone the table is walked for: no role, each e-area role at home and elsewhere, each
    portfolio role, an administrator."""
    yield "stranger", Viewer("x")
    yield "admin", Viewer("x", admin=True)
    for role in AREA:
        yield f"{role}@home", Viewer("x", {HOME: frozenset({role})})
        yield f"{role}@other", Viewer("x", {OTHER: frozenset({role})})
    for role in ("portfolio_office", "portfolio_chair"):
        yield role, Viewer("x", {"portfolio": frozenset({role})})


def facts_of(kind: Record, stage: str, relation: str | None = None) -> RecordFacts:
    scope = None if kind in (Record.commission, Record.rollup) else HOME
    return RecordFacts(kind, scope, stage, frozenset({relation}) if relation else frozenset())


def every_case():
    for kind, stages in STAGES.items():
        for stage, relation in itertools.product(stages, (None, *RELATIONS[kind])):
            yield kind, stage, relation


# --- the registry is covered ------------------------------------------------------------------


def test_every_registered_verb_has_an_entry_whose_key_is_a_field_of_its_model():
    for verb in REGISTRY.known_verbs():
        access = VERBS.get(str(verb))
        assert access is not None, f"verb {verb} has no entry in bot/rules/policy.py VERBS"
        model = REGISTRY.model_of(verb)
        if access.record is not None:
            assert access.key in model.model_fields, f"{verb}: {access.key!r} is not a field of {model.__name__}"
            annotation = model.model_fields[access.key].annotation
            wanted = str if access.record is Record.plan else int
            assert wanted in (annotation, *typing.get_args(annotation)), f"{verb}: {access.key} is not {wanted}"


def test_every_registered_command_has_an_entry():
    names = {command.name for command in REGISTRY.commands}
    missing = sorted(name for name in names if name not in COMMANDS)
    assert not missing, f"commands without an entry in bot/rules/policy.py COMMANDS: {missing}"


def test_no_entry_for_something_that_does_not_exist_here_or_on_its_way():
    arriving = ("commission.", "report.")
    stale = [v for v in VERBS if v not in REGISTRY.known_verbs() and not v.startswith(arriving)]
    assert not stale, f"entries for verbs nobody registers: {stale}"


def test_tokens_are_roles_relations_admin_or_everyone():
    known = {r.value for r in Role} | {r.value for r in Relation} | {ADMIN, EVERYONE}
    for table in (SEE, GLIMPSE, *({key: value} for key, value in ACT.items())):
        for stages in table.values():
            for audience in stages.values():
                assert audience <= known, audience - known
    for (kind, _act), stages in ACT.items():
        for audience in stages.values():
            related = audience & {r.value for r in Relation}
            assert kind is not None or not related
            assert related <= set(RELATIONS.get(kind, ())), (kind, related)


# --- invariants over the whole walk -----------------------------------------------------------


@pytest.mark.parametrize("name", sorted(VERBS))
def test_a_stranger_sees_nothing_beyond_what_is_announced(name):
    access = VERBS[name]
    if access.record is None:
        return
    for stage in STAGES[access.record]:
        verdict = decide(access, Viewer("x"), facts_of(access.record, stage))
        public = access.record in GLIMPSE and access.explained_to is Level.glimpse and \
            EVERYONE in GLIMPSE[access.record].get(stage, GLIMPSE[access.record].get(ANY, frozenset()))
        assert verdict.allowed == public, (name, stage, verdict)
        if not verdict.allowed:
            assert verdict.reason is Reason.hidden


@pytest.mark.parametrize("name", sorted(VERBS))
def test_a_role_in_another_e_area_counts_for_nothing(name):
    access = VERBS[name]
    for (label, viewer), (kind, stage, relation) in itertools.product(viewers(), every_case()):
        if not label.endswith("@other") or kind is not access.record or kind in (Record.commission, Record.rollup):
            continue
        stranger = Viewer("x")
        facts = facts_of(kind, stage, relation)
        assert decide(access, viewer, facts) == decide(access, stranger, facts), (name, label, stage, relation)


def test_whoever_may_act_may_see_so_a_handler_can_explain_a_refusal():
    for (kind, act), stages in ACT.items():
        if kind is None:
            continue
        for stage in STAGES[kind]:
            audience = stages.get(stage, stages.get(ANY, frozenset()))
            seen = SEE[kind].get(stage, SEE[kind].get(ANY, frozenset()))
            extra = audience - seen - {"offered"}  # joining needs an offer, not a full view
            assert not extra, (kind, act, stage, extra)


def test_the_same_answer_for_a_record_that_does_not_exist_and_one_that_may_not_be_seen():
    for name, access in VERBS.items():
        if access.record is None:
            continue
        for label, viewer in viewers():
            assert decide(access, viewer, None).reason is Reason.hidden, (name, label)


# --- DOMAIN.md §8, row by row -----------------------------------------------------------------


def sees(kind: Record, stage: str, who: str, relation: str | None = None) -> bool:
    viewer = dict(viewers())[who]
    return policy.may_see(viewer, facts_of(kind, stage, relation))


def acts(kind: Record, act: Act, stage: str, who: str, relation: str | None = None) -> bool:
    viewer = dict(viewers())[who]
    return policy.may_act(viewer, facts_of(kind, stage, relation), act)


@pytest.mark.parametrize(("who", "relation", "expected"), [
    ("stranger", None, False), ("stranger", "raiser", True), ("stranger", "affected", True),
    ("stranger", "offered", False), ("member@home", None, True), ("coordinator@other", None, False),
    ("portfolio_office", None, True), ("portfolio_chair", None, True), ("admin", None, True),
])
def test_a_need(who, relation, expected):
    for stage in STAGES[Record.need]:
        assert sees(Record.need, stage, who, relation) is expected


@pytest.mark.parametrize(("stage", "who", "relation", "expected"), [
    ("preparation", "coordinator@home", None, True), ("preparation", "area_owner@home", None, True),
    ("preparation", "chair@home", None, False), ("preparation", "member@home", None, False),
    ("preparation", "stranger", "raiser", False), ("preparation", "admin", None, False),
    ("steering", "chair@home", None, True), ("steering", "member@home", None, True),
    ("steering", "stranger", "audience", True), ("steering", "portfolio_chair", None, False),
    ("escalated", "portfolio_chair", None, True), ("escalated", "portfolio_office", None, False),
    ("decided", "stranger", "raiser", True), ("decided", "portfolio_office", None, True),
    ("decided", "stranger", None, False), ("decided", "coordinator@other", None, False),
])
def test_a_decision_basis(stage, who, relation, expected):
    assert sees(Record.basis, stage, who, relation) is expected


@pytest.mark.parametrize(("stage", "who", "relation", "expected"), [
    ("draft", "stranger", "author", True), ("draft", "stranger", "lead", False),
    ("sent", "stranger", "lead", True), ("sent", "stranger", "approving_manager", True),
    ("sent", "stranger", None, False), ("decided", "stranger", "manager", True),
    ("decided", "admin", None, False),
])
def test_a_commission_in_full(stage, who, relation, expected):
    assert sees(Record.commission, stage, who, relation) is expected


def test_a_decided_commission_is_announced_to_everyone_but_only_involved_people_read_it_in_full():
    show = VERBS["commission.show"]
    assert decide(show, Viewer("x"), facts_of(Record.commission, "decided")).reason is Reason.explained
    assert decide(show, Viewer("x"), facts_of(Record.commission, "sent")).reason is Reason.hidden
    assert decide(show, Viewer("x"), facts_of(Record.commission, "sent", "lead")).reason is Reason.ok


@pytest.mark.parametrize(("stage", "who", "expected"), [
    ("draft", "member@home", True), ("draft", "portfolio_office", False), ("draft", "admin", False),
    ("sent", "portfolio_office", True), ("sent", "portfolio_chair", True), ("sent", "admin", True),
    ("sent", "coordinator@other", False),
])
def test_a_status_report(stage, who, expected):
    assert sees(Record.report, stage, who) is expected


@pytest.mark.parametrize(("who", "expected"), [
    ("portfolio_office", True), ("portfolio_chair", True), ("chair@other", True), ("admin", True),
    ("coordinator@home", False), ("member@home", False), ("stranger", False),
])
def test_the_portfolio_roll_up(who, expected):
    assert sees(Record.rollup, ANY, who) is expected


@pytest.mark.parametrize(("kind", "act", "stage", "who", "relation", "expected"), [
    (Record.need, Act.assess, "open", "coordinator@home", None, True),
    (Record.need, Act.assess, "open", "area_owner@home", None, False),
    (Record.basis, Act.anchor, "preparation", "area_owner@home", None, True),
    (Record.basis, Act.anchor, "steering", "area_owner@home", None, False),
    (Record.basis, Act.decide, "steering", "chair@home", None, True),
    (Record.basis, Act.decide, "steering", "deputy_chair@home", None, True),
    (Record.basis, Act.decide, "steering", "member@home", None, False),
    (Record.basis, Act.decide, "escalated", "chair@home", None, False),
    (Record.basis, Act.decide, "escalated", "portfolio_chair", None, True),
    (Record.basis, Act.decide, "steering", "admin", None, False),
    (Record.reminder, Act.answer, ANY, "coordinator@home", None, True),
    (Record.reminder, Act.answer, ANY, "chair@home", None, False),
    (Record.report, Act.write, "draft", "coordinator@home", None, True),
    (Record.report, Act.review, "sent", "chair@home", None, True),
    (Record.report, Act.review, "draft", "chair@home", None, False),
    (Record.commission, Act.approve, "sent", "stranger", "approving_manager", True),
    (Record.commission, Act.approve, "sent", "stranger", "lead", False),
    (Record.commission, Act.acknowledge, "decided", "stranger", "responsible_manager", True),
    (Record.commission, Act.steer, "decided", "stranger", "lead", True),
    (Record.commission, Act.steer, "draft", "stranger", "lead", False),
    # following a need up: the raiser until it is assessed, its coordinators at any time
    (Record.need, Act.edit, "new", "stranger", "raiser", True),
    (Record.need, Act.edit, "open", "stranger", "raiser", False),
    (Record.need, Act.edit, "new", "stranger", "affected", False),
    (Record.need, Act.edit, "closed", "coordinator@home", None, True),
    (Record.need, Act.edit, "new", "coordinator@other", None, False),
    (Record.need, Act.edit, "new", "chair@home", None, False),
    (Record.need, Act.withdraw, "new", "stranger", "raiser", True),
    (Record.need, Act.withdraw, "open", "stranger", "raiser", False),
    (Record.need, Act.withdraw, "new", "coordinator@home", None, False),
])
def test_who_acts(kind, act, stage, who, relation, expected):
    assert acts(kind, act, stage, who, relation) is expected


@pytest.mark.parametrize(("stage", "relation", "who", "reason"), [
    ("open", "offered", "stranger", Reason.ok),
    ("closed", "offered", "stranger", Reason.closed),
    ("open", None, "stranger", Reason.hidden),  # never offered: as if it did not exist
    ("open", None, "coordinator@home", Reason.not_allowed),  # may see it, was not offered it
    ("open", "raiser", "stranger", Reason.ok),  # the handler says "your own need"
    ("closed", "affected", "stranger", Reason.ok),  # the handler says "already affected"
])
def test_joining_a_need_needs_an_offer_of_it_while_it_is_open(stage, relation, who, reason):
    viewer = dict(viewers())[who]
    assert decide(VERBS["need.join"], viewer, facts_of(Record.need, stage, relation)).reason is reason


def test_administering_is_for_administrators_only():
    for name in ("link", "role"):
        assert decide(COMMANDS[name], Viewer("x", admin=True), None).allowed
        assert not decide(COMMANDS[name], Viewer("x", {HOME: frozenset(AREA)}), None).allowed


@pytest.mark.parametrize(("kind", "status", "flags", "stage"), [
    (Record.need, "registered", (), "new"), (Record.need, "under_assessment", (), "new"),
    (Record.need, "registered", ("assessed",), "open"),  # sent back by the steering group: assessed before
    (Record.need, "approved", (), "open"), (Record.need, "withdrawn", (), "closed"),
    (Record.need, "declined", (), "closed"), (Record.need, "done", (), "closed"),
    (Record.basis, "anchoring", (), "preparation"), (Record.basis, "ready", (), "steering"),
    (Record.basis, "ready", ("escalated", "before_steering"), "escalated"),
    (Record.basis, "sent_back", (), "preparation"), (Record.basis, "sent_back", ("before_steering",), "steering"),
    (Record.basis, "decided", ("before_steering",), "decided"),
    (Record.commission, "draft", (), "draft"), (Record.commission, "draft", ("sent",), "sent"),
    (Record.commission, "active", ("sent", "decided"), "decided"),
    (Record.report, "draft", (), "draft"), (Record.report, "submitted", (), "sent"),
    (Record.report, "reviewed", (), "sent"), (Record.reminder, "sent", (), ANY),
])
def test_stage_of(kind, status, flags, stage):
    assert policy.stage_of(kind, status, frozenset(flags)) == stage
