"""Who may see and do what (DOMAIN.md §8): one table for every kind of record, every card verb and
every text command.

Pure: the caller passes plain facts — the record's e-area, the stage its status puts it in and how
the asking person relates to it (`RecordFacts`) — and the person's roles per scope (`Viewer`). An
answer is a few dictionary lookups, no query.

Audiences are sets of tokens: a role name (an e-area role counts in the record's e-area, a
portfolio role in the portfolio scope), a relation to the record, "admin" (STYRA_ADMINS) or
"everyone" (anyone in the tenant).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot.rules.needs import JOINABLE_STATUSES, UNASSESSED_STATUSES


class Record(StrEnum):
    need = "need"
    assessment = "assessment"
    basis = "basis"  # a decision basis, and the decision card that shows it
    decision = "decision"
    reminder = "reminder"
    plan = "plan"
    commission = "commission"
    report = "report"  # a status report
    rollup = "rollup"  # the portfolio roll-up of status reports


class Relation(StrEnum):
    raiser = "raiser"  # registered the need
    affected = "affected"  # joined the need as also affected
    offered = "offered"  # the similar-need check offered them this need
    author = "author"  # wrote the commission
    lead = "lead"
    participant = "participant"
    manager = "manager"  # manager of someone taking part
    approving_manager = "approving_manager"  # asked to approve a version
    responsible_manager = "responsible_manager"
    audience = "audience"  # the record's card was posted in the conversation asking


class Act(StrEnum):
    join = "join"  # add oneself as also affected
    assess = "assess"  # assess a need, write its decision basis
    commission = "commission"  # start a commission from a need
    revise = "revise"  # a new version of a sent-back basis
    anchor = "anchor"  # an area owner agrees or comments
    decide = "decide"
    answer = "answer"  # answer a reminder
    write = "write"  # write, submit or reopen a status report
    review = "review"
    edit = "edit"  # write a commission's document; change a need's fields
    withdraw = "withdraw"  # a raiser takes back a need not yet assessed
    approve = "approve"
    steer = "steer"  # register, change or close a commission
    acknowledge = "acknowledge"  # the responsible manager acknowledges the final report
    administer = "administer"  # link channels, grant roles


class Level(StrEnum):
    glimpse = "glimpse"  # number, title, e-area: what the similar-need check and search show
    see = "see"


class Reason(StrEnum):
    ok = "ok"
    explained = "explained"  # may see but not act: the handler refuses in its own words
    hidden = "hidden"  # does not exist, or may not be seen: the same answer for both
    not_allowed = "not_allowed"
    closed = "closed"  # would be allowed, but not in the record's present state


ANY = "*"
ADMIN = "admin"
EVERYONE = "everyone"
PORTFOLIO_SCOPE = "portfolio"

AREA_ROLES = frozenset({"coordinator", "area_owner", "chair", "deputy_chair", "member"})
PORTFOLIO_ROLES = frozenset({"portfolio_office", "portfolio_chair"})
PREPARING = frozenset({"coordinator", "area_owner"})
STEERING = frozenset({"chair", "deputy_chair", "member"})
IN_COMMISSION = frozenset({"author", "lead", "participant", "manager", "approving_manager", "responsible_manager"})


def _a(*tokens: str | frozenset[str]) -> frozenset[str]:
    out: set[str] = set()
    for token in tokens:
        out |= {token} if isinstance(token, str) else set(token)
    return frozenset(out)


# Who sees a record in full, per stage (ANY: every stage).
SEE: dict[Record, dict[str, frozenset[str]]] = {
    Record.need: {ANY: _a(AREA_ROLES, PORTFOLIO_ROLES, ADMIN, "raiser", "affected")},
    Record.assessment: {
        "preparation": _a(PREPARING, "raiser"),
        "steering": _a(PREPARING, STEERING, "raiser"),
        "escalated": _a(PREPARING, STEERING, "portfolio_chair", "raiser"),
        "decided": _a(AREA_ROLES, PORTFOLIO_ROLES, "raiser"),
    },
    Record.basis: {
        "preparation": PREPARING,
        "steering": _a(PREPARING, STEERING, "audience"),
        "escalated": _a(PREPARING, STEERING, "portfolio_chair", "audience"),
        "decided": _a(AREA_ROLES, PORTFOLIO_ROLES, "raiser", "audience"),
    },
    Record.decision: {ANY: _a(AREA_ROLES, PORTFOLIO_ROLES, "raiser")},
    Record.reminder: {ANY: _a(AREA_ROLES, "portfolio_office", "audience")},
    Record.plan: {ANY: _a(AREA_ROLES, "portfolio_office", ADMIN)},
    Record.commission: {"draft": _a("author"), ANY: IN_COMMISSION},
    Record.report: {"draft": AREA_ROLES, "sent": _a(AREA_ROLES, PORTFOLIO_ROLES, ADMIN)},
    Record.rollup: {ANY: _a(PORTFOLIO_ROLES, "chair", "deputy_chair", ADMIN)},
}

# What anyone may know of a record that they may not see in full.
GLIMPSE: dict[Record, dict[str, frozenset[str]]] = {
    Record.need: {ANY: _a(EVERYONE)},  # "others may see that a similar need exists" (§8)
    Record.commission: {"decided": _a(EVERYONE)},  # decided commissions are announced to all staff
    Record.report: {ANY: _a(EVERYONE)},  # that an e-area reports each quarter is no secret
}

# Who may act, per stage. A stage missing from the map allows nobody.
ACT: dict[tuple[Record | None, Act], dict[str, frozenset[str]]] = {
    (Record.need, Act.join): {"new": _a("offered", "raiser", "affected"), "open": _a("offered", "raiser", "affected"),
                              "closed": _a("raiser", "affected")},
    # the raiser until the need is assessed; its coordinators at any time (with history)
    (Record.need, Act.edit): {"new": _a("raiser", "coordinator"), ANY: _a("coordinator")},
    (Record.need, Act.withdraw): {"new": _a("raiser")},
    (Record.need, Act.assess): {ANY: _a("coordinator")},
    (Record.need, Act.commission): {ANY: _a("raiser", "coordinator", ADMIN)},
    (Record.basis, Act.revise): {"preparation": _a("coordinator"), "steering": _a("coordinator")},  # sent back
    (Record.basis, Act.anchor): {"preparation": _a("area_owner")},
    (Record.basis, Act.decide): {"steering": _a("chair", "deputy_chair"), "escalated": _a("portfolio_chair")},
    (Record.reminder, Act.answer): {ANY: _a("coordinator")},
    (Record.report, Act.write): {ANY: _a("coordinator")},
    (Record.report, Act.review): {"sent": _a("chair", "deputy_chair")},
    # the author writes the draft; a change of a decided commission, whoever steers it
    (Record.commission, Act.edit): {"draft": _a("author"), "sent": _a("author"),
                                    "decided": _a("author", "lead", "responsible_manager")},
    (Record.commission, Act.approve): {"sent": _a("approving_manager"), "decided": _a("approving_manager")},
    (Record.commission, Act.steer): {"sent": _a("author", "lead", "responsible_manager"),
                                     "decided": _a("author", "lead", "responsible_manager")},
    (Record.commission, Act.acknowledge): {"decided": _a("responsible_manager")},
    (None, Act.administer): {ANY: _a(ADMIN)},
}


@dataclass(frozen=True)
class Access:
    """What a verb or command touches: the record its `key` field names, and whether it only reads
    (act None) or acts. `explained_to`: the handler words its own refusal (whom to ask) to people
    who may see this much of the record; None: the engine refuses in its own words."""

    record: Record | None = None
    key: str | None = None
    act: Act | None = None
    explained_to: Level | None = None


@dataclass(frozen=True)
class RecordFacts:
    kind: Record
    scope: str | None  # the e-area's slug; None for portfolio-wide records
    stage: str
    relations: frozenset[str] = frozenset()  # how the asking person relates to the record


@dataclass(frozen=True)
class Viewer:
    aad_id: str
    roles: Mapping[str, frozenset[str]] = field(default_factory=dict)  # scope -> role names
    admin: bool = False


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: Reason


ALLOW = Verdict(True, Reason.ok)
EXPLAINED = Verdict(True, Reason.explained)
HIDDEN = Verdict(False, Reason.hidden)
NOT_ALLOWED = Verdict(False, Reason.not_allowed)
CLOSED = Verdict(False, Reason.closed)


def stage_of(kind: Record, status: str, flags: frozenset[str] = frozenset()) -> str:
    """The stage that decides visibility, from the stored status and a few flags."""
    if kind is Record.need:
        if status not in JOINABLE_STATUSES:
            return "closed"
        return "new" if status in UNASSESSED_STATUSES and "assessed" not in flags else "open"
    if kind in (Record.basis, Record.assessment):
        if "decided" in flags or status == "decided":
            return "decided"
        if "escalated" in flags:
            return "escalated"
        if status == "ready" or "before_steering" in flags:
            return "steering"
        return "preparation"
    if kind is Record.commission:
        if "decided" in flags:
            return "decided"
        return "sent" if "sent" in flags else "draft"
    if kind is Record.report:
        return "draft" if status == "draft" else "sent"
    return ANY


def holds(viewer: Viewer, facts: RecordFacts | None, audience: frozenset[str]) -> bool:
    if EVERYONE in audience or (viewer.admin and ADMIN in audience):
        return True
    if facts is not None and facts.relations & audience:
        return True
    if audience & PORTFOLIO_ROLES & viewer.roles.get(PORTFOLIO_SCOPE, frozenset()):
        return True
    area_roles = audience & AREA_ROLES
    if not area_roles:
        return False
    if facts is None or facts.scope is None:  # a portfolio-wide record: a role in any e-area counts
        return any(area_roles & held for scope, held in viewer.roles.items() if scope != PORTFOLIO_SCOPE)
    return bool(area_roles & viewer.roles.get(facts.scope, frozenset()))


def _audience(table: Mapping[str, frozenset[str]] | None, stage: str) -> frozenset[str]:
    if not table:
        return frozenset()
    return table.get(stage, table.get(ANY, frozenset()))


def may_see(viewer: Viewer, facts: RecordFacts) -> bool:
    return holds(viewer, facts, _audience(SEE.get(facts.kind), facts.stage))


def may_glimpse(viewer: Viewer, facts: RecordFacts) -> bool:
    return may_see(viewer, facts) or holds(viewer, facts, _audience(GLIMPSE.get(facts.kind), facts.stage))


def may_act(viewer: Viewer, facts: RecordFacts | None, act: Act) -> bool:
    table = ACT.get((facts.kind if facts else None, act))
    return holds(viewer, facts, _audience(table, facts.stage if facts else ANY))


def _in_another_stage(viewer: Viewer, facts: RecordFacts, act: Act) -> bool:
    table = ACT.get((facts.kind, act)) or {}
    return any(holds(viewer, facts, audience) for stage, audience in table.items() if stage != facts.stage)


def decide(access: Access, viewer: Viewer, facts: RecordFacts | None) -> Verdict:
    """Allow, or refuse with a reason. A record that does not exist and one the viewer may not
    see give the same answer (hidden)."""
    if access.record is None:
        return ALLOW if access.act is None or may_act(viewer, None, access.act) else NOT_ALLOWED
    if facts is None:
        return HIDDEN
    sees = may_see(viewer, facts)
    if access.act is None:
        if sees:
            return ALLOW
        return EXPLAINED if access.explained_to is Level.glimpse and may_glimpse(viewer, facts) else HIDDEN
    if may_act(viewer, facts, access.act):
        return ALLOW
    shown = access.explained_to
    if (shown is Level.see and sees) or (shown is Level.glimpse and may_glimpse(viewer, facts)):
        return EXPLAINED
    related = sees or (access.act is Act.join and Relation.offered in facts.relations)
    if not related:
        return HIDDEN
    return CLOSED if _in_another_stage(viewer, facts, access.act) else NOT_ALLOWED


# --- the verbs and commands ---------------------------------------------------------------------

NONE = Access()  # touches no record: anyone may


def _reads(record: Record, key: str, explained_to: Level | None = None) -> Access:
    return Access(record, key, None, explained_to)


def _acts(record: Record, key: str, act: Act, explained_to: Level | None = Level.see) -> Access:
    return Access(record, key, act, explained_to)


# Keyed by the verb's string value (cards.verbs.Verb members are equal to it), so verbs of
# capabilities still on their way are covered the day they are registered.
VERBS: dict[str, Access] = {
    "help.topic": NONE,
    "language.set": NONE,
    "need.start": NONE,
    "need.submit": NONE,
    "need.mine": NONE,
    # the next page of a list: no record in the ids (a cursor); the handler asks the same roles
    # as the list's text command before it reads a row (the person's own needs, the e-area's roles)
    "need.mine_more": NONE,
    "need.area_more": NONE,
    "need.to_assess_more": NONE,  # the list is of the clicker's own e-areas, asked again
    "need.search_more": NONE,  # the search's own rule: full rows only of what the clicker may see
    "decisions.more": NONE,
    "need.join": _acts(Record.need, "need_id", Act.join, None),
    "need.show": _reads(Record.need, "need_id"),
    # the handlers explain a refusal to whoever may read the need (e.g. "it has been assessed")
    "need.edit": _acts(Record.need, "need_id", Act.edit),
    "need.update": _acts(Record.need, "need_id", Act.edit),
    "need.withdraw": _acts(Record.need, "need_id", Act.withdraw),
    "need.withdraw_confirm": _acts(Record.need, "need_id", Act.withdraw),
    "need.basis": _acts(Record.need, "need_id", Act.assess, Level.glimpse),
    "plan.show": _reads(Record.plan, "area"),
    "assess.open": _acts(Record.need, "need_id", Act.assess, Level.glimpse),
    "assess.review": _acts(Record.need, "need_id", Act.assess, Level.glimpse),
    "assess.confirm": _acts(Record.need, "need_id", Act.assess, Level.glimpse),
    "basis.submit": _acts(Record.need, "need_id", Act.assess, Level.glimpse),
    "basis.revise": _acts(Record.basis, "basis_id", Act.revise),
    "basis.view": _reads(Record.basis, "basis_id"),
    "anchor.agree": _acts(Record.basis, "basis_id", Act.anchor),
    "anchor.comment": _acts(Record.basis, "basis_id", Act.anchor),
    "decision.view": _reads(Record.basis, "basis_id"),
    "decision.approve": _acts(Record.basis, "basis_id", Act.decide),
    "decision.reject": _acts(Record.basis, "basis_id", Act.decide),
    "decision.defer": _acts(Record.basis, "basis_id", Act.decide),
    "decision.send_back": _acts(Record.basis, "basis_id", Act.decide),
    "decision.escalate": _acts(Record.basis, "basis_id", Act.decide),
    "reminder.done": _acts(Record.reminder, "occurrence_id", Act.answer),
    "reminder.start": _acts(Record.reminder, "occurrence_id", Act.answer),
    "reminder.snooze": _acts(Record.reminder, "occurrence_id", Act.answer),
    "reminder.na": _acts(Record.reminder, "occurrence_id", Act.answer),
    "reminder.refresh": _reads(Record.reminder, "occurrence_id"),
    # commissions (DOMAIN.md §4): the handlers tell a full reader from someone seeing the
    # announced facts only, and answer an id they may not see like one that does not exist
    "commission.new": NONE,
    "commission.from_need": _acts(Record.need, "need_id", Act.commission),
    "commission.idea": _acts(Record.commission, "commission_id", Act.edit),
    "commission.purpose": _acts(Record.commission, "commission_id", Act.edit),  # no id: a new draft
    "commission.organisation": _acts(Record.commission, "commission_id", Act.edit),
    "commission.document": _acts(Record.commission, "commission_id", Act.edit),
    "commission.step": _acts(Record.commission, "commission_id", Act.edit),
    "commission.submit": _acts(Record.commission, "commission_id", Act.edit),
    "commission.discard": _acts(Record.commission, "commission_id", Act.edit),
    "commission.answer": _acts(Record.commission, "commission_id", Act.approve),
    "commission.refresh": _reads(Record.commission, "commission_id"),
    "commission.show": _reads(Record.commission, "commission_id", Level.glimpse),
    "commission.register": _acts(Record.commission, "commission_id", Act.steer),
    "commission.change": _acts(Record.commission, "commission_id", Act.steer),
    "commission.close": _acts(Record.commission, "commission_id", Act.steer),
    "commission.report": _acts(Record.commission, "commission_id", Act.steer),
    "commission.acknowledge": _acts(Record.commission, "commission_id", Act.acknowledge),
    # status reports (DOMAIN.md §5): the handlers name the e-area whose roles may read a report
    "report.save": _acts(Record.report, "report_id", Act.write, Level.glimpse),
    "report.submit": _acts(Record.report, "report_id", Act.write, Level.glimpse),
    "report.view": _reads(Record.report, "report_id", Level.glimpse),
    "report.review": _acts(Record.report, "report_id", Act.review, Level.glimpse),
    "report.reopen": _acts(Record.report, "report_id", Act.write, Level.glimpse),
    "report.deviation_basis": _acts(Record.report, "report_id", Act.write, Level.glimpse),
}

# Text commands name their record by number or e-area in the text: the handler finds it and
# asks the same roles (bot.roles) before reading it. key is None: nothing for the engine to load.
COMMANDS: dict[str, Access] = {
    "help": NONE,
    "language": NONE,
    "link": Access(act=Act.administer, explained_to=Level.glimpse),
    "roles": NONE,  # who holds which role is no secret: refusals name whom to ask
    "role": Access(act=Act.administer, explained_to=Level.glimpse),
    "need.new": NONE,
    "need.search": Access(Record.need, explained_to=Level.glimpse),  # others' needs by number and title
    "need.mine": Access(Record.need),  # the person's own
    "need.show": Access(Record.need, explained_to=Level.glimpse),
    "need.area": Access(Record.need, explained_to=Level.glimpse),
    "plan": Access(Record.plan, explained_to=Level.glimpse),
    "assess": Access(Record.need, act=Act.assess, explained_to=Level.glimpse),
    "need.to_assess": Access(Record.need, act=Act.assess, explained_to=Level.glimpse),  # the own e-areas'
    "decisions": Access(Record.decision, explained_to=Level.glimpse),
    "wheel": NONE,  # the year's activities and whether each is done: the wheel is everyone's
    # How an e-area hears of new needs is no secret; the handler lets its coordinators (and the
    # administrators) change it (bot.roles, Permission.assess_need).
    "notices": NONE,
    "commission.new": NONE,
    "commission.show": Access(Record.commission, explained_to=Level.glimpse),
    "commission.mine": Access(Record.commission),
    "commission.list": Access(Record.commission, explained_to=Level.glimpse),
    "report.open": Access(Record.report, act=Act.write, explained_to=Level.glimpse),
    "report.meeting": Access(Record.report, explained_to=Level.glimpse),
    "report.portfolio": Access(Record.rollup, explained_to=Level.glimpse),
}


def for_verb(verb: str) -> Access | None:
    return VERBS.get(str(verb))


def for_command(name: str) -> Access | None:
    return COMMANDS.get(name)
