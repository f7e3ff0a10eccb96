"""Inline decisions: the steering group's chair decides on a decision basis in the channel card.

Flow (DOMAIN.md §3): `post_basis` posts the read-only card to the e-area's steering channel, with
a refresh for the chair and deputy chair (their clients swap in the personal card with the
buttons). A click (Action.Execute) runs ONE transaction: lock the basis, check roles and state,
insert the decision (unique per basis and level), apply the effects to the need and the plan, and
append the need's history. The invoke answers with the updated card at once; updating everyone's
copy, telling people and escalating run afterwards in a background task.

Exactly once: the basis row is locked (PostgreSQL FOR UPDATE; SQLite transactions are BEGIN
IMMEDIATE) and the insert sits in a savepoint guarded by the unique (basis_id, level) key, so a
race, a double click or a replayed invoke finds the existing decision and shows it.

refresh.userIds takes Teams user ids (`29:…`, Person.teams_id), not AAD object ids: a chair who
has never written to Styra has no known Teams id and sees the read-only card until they do.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections.abc import Coroutine
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo

from pydantic import field_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.actions import CardAction
from bot.config import Settings
from bot.i18n import translator
from bot.registry import Capability
from bot.roles import areas_where, can, who_can
from bot.rules.permissions import Permission
from bot.services import Services
from bot.text import clean
from bot.turn import Turn
from cards.decision import (
    COMMENT_MAX,
    REGISTRY_MAX,
    BasisView,
    CardContext,
    DecisionRow,
    DecisionView,
    chair_card,
    decided_card,
    decisions_list_card,
    notice_card,
    read_only_card,
    refusal_card,
    sent_back_card,
)
from cards.system import message_card
from cards.verbs import Verb
from storage import org
from storage.counters import next_number
from storage.models import (
    Assessment,
    BasisStatus,
    ChannelPurpose,
    Decision,
    DecisionBasis,
    DecisionOutcome,
    EArea,
    Need,
    NeedEvent,
    NeedStatus,
    Person,
    Plan,
    Role,
    RoleAssignment,
    SentCard,
)

cap = Capability("decisions")

log = logging.getLogger("styra.decisions")

STEERING, PORTFOLIO = "steering", "portfolio"


def subject(basis_id: int, level: str = STEERING) -> str:
    """The SentCard subject of a basis card (the steering card is `basis:<id>`)."""
    return f"basis:{basis_id}" if level == STEERING else f"basis:{basis_id}:portfolio"


# --- card verbs -------------------------------------------------------------------------------


class _BasisRef(CardAction):
    basis_id: int
    level: Literal["steering", "portfolio"] = STEERING


@cap.action(Verb.DECISION_VIEW)
class ViewDecision(_BasisRef):
    """The refresh of a posted card: chairs get the buttons, others the read-only view."""


class _Decide(_BasisRef):
    outcome: ClassVar[DecisionOutcome]
    # Inputs of the chair card; Teams merges them into the action data.
    comment: str = ""
    registry_number: str = ""

    @field_validator("comment", mode="before")
    @classmethod
    def _comment(cls, value: Any) -> str:
        return clean(str(value or ""), multiline=True)[:COMMENT_MAX]

    @field_validator("registry_number", mode="before")
    @classmethod
    def _registry(cls, value: Any) -> str:
        return clean(str(value or ""))[:REGISTRY_MAX]


@cap.action(Verb.DECISION_APPROVE)
class Approve(_Decide):
    outcome = DecisionOutcome.approved


@cap.action(Verb.DECISION_REJECT)
class Reject(_Decide):
    outcome = DecisionOutcome.rejected


@cap.action(Verb.DECISION_DEFER)
class Defer(_Decide):
    outcome = DecisionOutcome.deferred


@cap.action(Verb.DECISION_SEND_BACK)
class SendBack(_Decide):
    outcome = DecisionOutcome.sent_back


@cap.action(Verb.DECISION_ESCALATE)
class Escalate(_Decide):
    outcome = DecisionOutcome.escalated


# --- reading ----------------------------------------------------------------------------------


@dataclass
class State:
    """A basis as one level sees it, read in one transaction."""

    kind: str  # open | decided | stale | refused | missing | decided_now
    view: BasisView | None = None
    decisions: list[DecisionView] = field(default_factory=list)
    refresh_ids: tuple[str, ...] = ()
    may_decide: bool = False
    refusal_names: list[str] = field(default_factory=list)
    follow_up: FollowUp | None = None


@dataclass
class FollowUp:
    """What runs after the invoke has been answered."""

    basis_id: int
    level: str
    view: BasisView
    decisions: list[DecisionView]
    refresh_ids: tuple[str, ...]
    steering_view: BasisView | None  # to update the steering copy after a portfolio decision
    to_portfolio: bool
    recipients: list[tuple[str, str]]  # (aad id, language)


def _view(basis: DecisionBasis, need: Need, area: EArea, level: str) -> BasisView:
    return BasisView(
        basis_id=basis.id, level=level, area_name=area.name, need_number=need.number,
        need_title=need.title, need_description=need.description, raised_by_name=need.raised_by_name,
        version=basis.version, business_goals=basis.business_goals, risk=basis.risk,
        risk_likelihood=basis.risk_likelihood, risk_impact=basis.risk_impact, resources=basis.resources,
        hours=basis.hours, cost_sek=basis.cost_sek, dependencies=basis.dependencies,
        proposal=basis.proposal, frame_change_sek=basis.frame_change_sek,
        frame_change_hours=basis.frame_change_hours, escalate=basis.escalate,
        status=basis.status.value if isinstance(basis.status, BasisStatus) else str(basis.status),
    )


def _decision_view(decision: Decision) -> DecisionView:
    outcome = decision.outcome.value if isinstance(decision.outcome, DecisionOutcome) else str(decision.outcome)
    return DecisionView(number=decision.number, level=decision.level, outcome=outcome,
                        decided_by_name=decision.decided_by_name or decision.decided_by,
                        decided_at=decision.decided_at, comment=decision.comment,
                        registry_number=decision.registry_number)


def _decisions(session: Session, basis_id: int) -> list[Decision]:
    rows = session.exec(select(Decision).where(Decision.basis_id == basis_id)).all()
    return sorted(rows, key=lambda d: (d.level != STEERING, d.id))


def _deciders(level: str) -> tuple[Permission, list[Role]]:
    if level == PORTFOLIO:
        return Permission.decide_portfolio, [Role.portfolio_chair]
    return Permission.decide, [Role.chair, Role.deputy_chair]


def _people(session: Session, scope: str, roles: list[Role]) -> list[Person]:
    """People holding any of these roles in the scope, in one query."""
    stmt = (
        select(Person)
        .join(RoleAssignment, RoleAssignment.aad_id == Person.aad_id)
        .where(RoleAssignment.scope == scope, RoleAssignment.role.in_(roles))
        .order_by(Person.aad_id)
    )
    seen, out = set(), []
    for person in session.exec(stmt):
        if person.aad_id not in seen:
            seen.add(person.aad_id)
            out.append(person)
    return out


def refresh_ids(session: Session, slug: str, level: str) -> tuple[str, ...]:
    """Teams user ids (not AAD ids) of those who decide at this level, for refresh.userIds."""
    _permission, roles = _deciders(level)
    scope = org.PORTFOLIO_SCOPE if level == PORTFOLIO else slug
    return tuple(p.teams_id for p in _people(session, scope, roles) if p.teams_id)[:60]


def _up_for_decision(basis: DecisionBasis, level: str, decisions: list[Decision]) -> bool:
    if basis.status != BasisStatus.ready:
        return False
    if level == STEERING:
        return True
    steering = next((d for d in decisions if d.level == STEERING), None)
    return steering is not None and (
        steering.outcome == DecisionOutcome.escalated
        or (steering.outcome == DecisionOutcome.approved and basis.escalate)
    )


@dataclass
class _Loaded:
    basis: DecisionBasis
    need: Need
    area: EArea
    decisions: list[Decision]


def _read(session: Session, settings: Settings, basis_id: int, level: str, actor: str,
          *, lock: bool = False) -> tuple[State, _Loaded | None]:
    # One query for basis, need and area; the lock (PostgreSQL) covers the basis row only.
    stmt = (
        select(DecisionBasis, Need, EArea)
        .join(Need, Need.id == DecisionBasis.need_id)
        .join(EArea, EArea.id == Need.e_area_id)
        .where(DecisionBasis.id == basis_id)
    )
    row = session.exec(stmt.with_for_update(of=DecisionBasis) if lock else stmt).first()
    if row is None:
        return State("missing"), None
    basis, need, area = row
    decisions = _decisions(session, basis_id)
    loaded = _Loaded(basis, need, area, decisions)
    state = State("open", view=_view(basis, need, area, level), decisions=[_decision_view(d) for d in decisions])
    if any(d.level == level for d in decisions):
        state.kind = "decided"
        return state, loaded
    if not _up_for_decision(basis, level, decisions):
        state.kind = "stale"
        return state, loaded
    permission, _roles = _deciders(level)
    state.may_decide = can(session, settings, actor, permission, scope=area.slug)
    if not state.may_decide:
        state.kind = "refused"
        state.refusal_names = who_can(session, permission, area.slug)
    if not lock or not state.may_decide:
        # Only cards that can still be decided carry a refresh.
        state.refresh_ids = refresh_ids(session, area.slug, level)
    return state, loaded


def current(session: Session, settings: Settings, basis_id: int, level: str, actor: str) -> State:
    return _read(session, settings, basis_id, level, actor)[0]


# --- deciding ---------------------------------------------------------------------------------


def decide(session: Session, settings: Settings, basis_id: int, level: str, outcome: DecisionOutcome,
           actor: str, actor_name: str, comment: str, registry_number: str, now) -> State:
    """The whole decision in the caller's transaction: at most one per basis and level."""
    state, loaded = _read(session, settings, basis_id, level, actor, lock=True)
    if state.kind != "open":
        return state
    if level == PORTFOLIO and outcome == DecisionOutcome.escalated:
        state.kind = "stale"  # nothing above portfolio management
        return state
    basis, need, area = loaded.basis, loaded.need, loaded.area
    parent = next((d for d in loaded.decisions if d.level == STEERING), None) if level == PORTFOLIO else None
    year = now.astimezone(ZoneInfo(settings.timezone)).year
    try:
        with session.begin_nested():
            decision = Decision(
                number=f"pending:{uuid.uuid4().hex[:12]}", basis_id=basis.id, level=level,
                parent_id=parent.id if parent else None, e_area_id=area.id, outcome=outcome,
                decided_by=actor, decided_by_name=actor_name, decided_at=now, comment=comment,
                registry_number=registry_number, basis_snapshot=json.dumps(asdict(state.view), ensure_ascii=False),
            )
            session.add(decision)
            session.flush()
    except IntegrityError:
        # Lost a race the lock did not cover: show the decision that won.
        state.decisions = [_decision_view(d) for d in _decisions(session, basis_id)]
        state.kind = "decided"
        return state

    to_portfolio = level == STEERING and (
        outcome == DecisionOutcome.escalated or (outcome == DecisionOutcome.approved and basis.escalate)
    )
    effects = [] if to_portfolio else _apply(session, settings, basis, need, area, outcome, comment,
                                              actor, actor_name, now)
    recipients = _recipients(session, settings, area.slug, need)
    # Numbered last: the year's counter row stays locked from here to commit, and every decision
    # in the portfolio waits for it, so keep that stretch short.
    decision.number = next_number(session, "D", year)
    session.flush()
    events = [_event(need, actor, actor_name, now, "decided", decision=decision.number, level=level,
                     outcome=outcome.value, comment=comment, registry_number=registry_number,
                     basis_id=basis.id, basis_version=basis.version)]
    if to_portfolio:
        events.append(_event(need, actor, actor_name, now, "escalated", decision=decision.number))
    session.add_all(events + effects)  # one multi-row insert at commit

    decisions = sorted([*loaded.decisions, decision], key=lambda d: (d.level != STEERING, d.id))
    state.kind = "decided_now"
    state.decisions = [_decision_view(d) for d in decisions]
    state.view = _view(basis, need, area, level)
    state.follow_up = FollowUp(
        basis_id=basis.id, level=level, view=state.view, decisions=state.decisions,
        refresh_ids=(),
        steering_view=_view(basis, need, area, STEERING) if level == PORTFOLIO else None,
        to_portfolio=to_portfolio, recipients=recipients,
    )
    return state


def _apply(session: Session, settings: Settings, basis: DecisionBasis, need: Need, area: EArea,
           outcome: DecisionOutcome, comment: str, actor: str, actor_name: str, now) -> list[NeedEvent]:
    """The decision's effect on the need and the plan (same transaction as the decision)."""
    events = []
    before = need.status
    if outcome == DecisionOutcome.approved:
        plan = _plan_for(session, settings, basis, area, now)
        if plan is not None:
            plan.frame_sek += basis.frame_change_sek
            plan.frame_hours += basis.frame_change_hours
            plan.committed_sek += basis.cost_sek
            plan.committed_hours += basis.hours
            plan.updated_at = now
            events.append(_event(need, actor, actor_name, now, "plan_changed", plan_id=plan.id,
                                 frame_change_sek=basis.frame_change_sek, frame_change_hours=basis.frame_change_hours,
                                 committed_sek=basis.cost_sek, committed_hours=basis.hours))
        else:
            log.warning("approved basis %s but found no plan for %s", basis.id, area.slug)
        need.status, basis.status = NeedStatus.approved, BasisStatus.decided
    elif outcome == DecisionOutcome.rejected:
        need.status, basis.status = NeedStatus.declined, BasisStatus.decided
    elif outcome == DecisionOutcome.deferred:
        need.status, basis.status = NeedStatus.inventory, BasisStatus.decided
    elif outcome == DecisionOutcome.sent_back:
        need.status, basis.status = NeedStatus.under_assessment, BasisStatus.sent_back
    basis.updated_at = need.updated_at = now
    events.append(_event(need, actor, actor_name, now, "status_changed",
                         **{"from": _value(before), "to": _value(need.status), "reason": comment}))
    return events


def _plan_for(session: Session, settings: Settings, basis: DecisionBasis, area: EArea, now) -> Plan | None:
    """The plan the assessment weighed the need against; else the e-area's plan for this year."""
    if basis.assessment_id is not None:
        stmt = (
            select(Plan).join(Assessment, Assessment.plan_id == Plan.id)
            .where(Assessment.id == basis.assessment_id).with_for_update(of=Plan)
        )
        plan = session.exec(stmt).first()
        if plan is not None:
            return plan
    year = now.astimezone(ZoneInfo(settings.timezone)).year
    return session.exec(
        select(Plan).where(Plan.e_area_id == area.id, Plan.year == year).with_for_update()
    ).first()


def _event(need: Need, actor: str, actor_name: str, now, kind: str, **detail: Any) -> NeedEvent:
    return NeedEvent(need_id=need.id, at=now, actor=actor, actor_name=actor_name, kind=kind,
                     detail=json.dumps(detail, ensure_ascii=False))


def _value(status: Any) -> str:
    return status.value if hasattr(status, "value") else str(status)


def _recipients(session: Session, settings: Settings, slug: str, need: Need) -> list[tuple[str, str]]:
    """The coordinators and the person who raised the need, each with their language."""
    people = {p.aad_id: p for p in _people(session, slug, [Role.coordinator])}
    ids = list(people)
    if need.raised_by and need.raised_by not in people:
        ids.append(need.raised_by)
        raiser = session.get(Person, need.raised_by)
        if raiser is not None:
            people[raiser.aad_id] = raiser
    return [(aad_id, org.language_of_person(people.get(aad_id)) or settings.default_locale) for aad_id in ids]


# --- the invoke handlers ------------------------------------------------------------------------


def _ctx(settings: Settings, state: State) -> CardContext:
    return CardContext(timezone=settings.timezone, refresh_ids=state.refresh_ids)


def _pending_note(t, state: State) -> str | None:
    """After an escalation the steering card says what happens next."""
    levels = {d.level for d in state.decisions}
    last = state.decisions[-1] if state.decisions else None
    if state.view and state.view.status == BasisStatus.ready.value and PORTFOLIO not in levels and last is not None:
        return t("Waiting for portfolio management's decision.")
    return None


def card_for(turn_t, settings: Settings, state: State, *, refusal: str | None = None) -> dict:
    """The card this state shows to one person."""
    ctx = _ctx(settings, state)
    if state.kind in ("decided", "decided_now"):
        return decided_card(turn_t, state.view, state.decisions, ctx, already=state.kind == "decided",
                            pending_note=_pending_note(turn_t, state))
    if state.kind == "stale":
        return sent_back_card(turn_t, state.view, ctx, state.decisions)
    if state.kind == "refused" and refusal is not None:
        return refusal_card(turn_t, state.view, ctx, refusal)
    if state.may_decide:
        return chair_card(turn_t, state.view, ctx)
    return read_only_card(turn_t, state.view, ctx)


async def _answer(turn: Turn, content: dict) -> dict | None:
    if turn.is_invoke:
        return content
    await turn.send_card(content)
    return None


def refusal_text(t, level: str, names: list[str]) -> str:
    from cards.common import escape

    listed = ", ".join(escape(n) for n in names)
    if level == PORTFOLIO:
        if listed:
            return t("Only the portfolio management chair can decide on this basis. Ask {names}.", names=listed)
        return t("Only the portfolio management chair can decide on this basis, and nobody holds that role yet. Ask an administrator.")
    if listed:
        return t("Only the steering group's chair or deputy chair can decide on this basis. Ask {names}.", names=listed)
    return t("Only the steering group's chair or deputy chair can decide on this basis, and nobody holds that role yet. Ask an administrator.")


def _missing(turn: Turn) -> dict:
    from cards.system import error_card

    return error_card(turn.t, turn.t("This decision basis no longer exists."))


@cap.handles(ViewDecision)
async def on_view(turn: Turn, act: ViewDecision):
    state = await turn.db.run(current, turn.settings, act.basis_id, act.level, turn.speaker.aad_id)
    if state.kind == "missing":
        return await _answer(turn, _missing(turn))
    return await _answer(turn, card_for(turn.t, turn.settings, state))


async def on_decide(turn: Turn, act: _Decide):
    actor_name = turn.speaker.name or turn.speaker.aad_id
    state = await turn.db.run(decide, turn.settings, act.basis_id, act.level, act.outcome,
                              turn.speaker.aad_id, actor_name, act.comment, act.registry_number, turn.now())
    if state.kind == "missing":
        return await _answer(turn, _missing(turn))
    refusal = None
    if state.kind == "refused":
        refusal = refusal_text(turn.t, act.level, state.refusal_names)
    if state.follow_up is not None:
        spawn(_paced(turn.services, follow_up(turn.services, state.follow_up)),
              f"decision follow-up for basis {act.basis_id}")
    return await _answer(turn, card_for(turn.t, turn.settings, state, refusal=refusal))


for _cls in (Approve, Reject, Defer, SendBack, Escalate):
    cap.handles(_cls)(on_decide)


# --- after the answer ---------------------------------------------------------------------------

_TASKS: set[asyncio.Task] = set()


def spawn(coro: Coroutine[Any, Any, Any], what: str) -> asyncio.Task:
    """Run slow work after the invoke is answered; keep a reference, log failures."""
    task = asyncio.get_running_loop().create_task(coro, name=what)
    _TASKS.add(task)

    def done(finished: asyncio.Task) -> None:
        _TASKS.discard(finished)
        if not finished.cancelled() and finished.exception() is not None:
            log.error("%s failed", what, exc_info=finished.exception())

    task.add_done_callback(done)
    return task


FOLLOW_UP_SLOTS = 2  # follow-ups in flight; the rest wait, so sends never crowd out invokes


async def _paced(services: Services, work: Coroutine[Any, Any, Any]) -> None:
    """Run after at most FOLLOW_UP_SLOTS other follow-ups (one semaphore per app and loop)."""
    key = ("decisions.slots", id(asyncio.get_running_loop()))
    slots = services.runtime.get(key)
    if slots is None:
        slots = services.runtime[key] = asyncio.Semaphore(FOLLOW_UP_SLOTS)
    async with slots:
        await work


async def drain() -> None:
    """Wait for every pending follow-up (tests; graceful shutdown)."""
    while _TASKS:
        await asyncio.gather(*list(_TASKS), return_exceptions=True)


async def follow_up(services: Services, job: FollowUp) -> None:
    settings, outbound = services.settings, services.outbound
    t = translator(settings.default_locale)
    ctx = CardContext(timezone=settings.timezone)
    if job.level == STEERING:
        note = t("Waiting for portfolio management's decision.") if job.to_portfolio else None
        await outbound.update_card(subject(job.basis_id, STEERING),
                                   decided_card(t, job.view, job.decisions, ctx, pending_note=note))
    else:
        await outbound.update_card(subject(job.basis_id, PORTFOLIO), decided_card(t, job.view, job.decisions, ctx))
        await outbound.update_card(subject(job.basis_id, STEERING), decided_card(t, job.steering_view, job.decisions, ctx))
    if job.to_portfolio:
        await _post(services, job.basis_id, PORTFOLIO)
    decision = next(d for d in job.decisions if d.level == job.level)
    for aad_id, lang in job.recipients:
        try:
            await outbound.send_personal(aad_id, notice_card(translator(lang), job.view, decision, settings.timezone))
        except Exception:  # one unreachable person must not stop the others
            log.exception("could not tell %s about decision %s", aad_id, decision.number)


# --- posting ------------------------------------------------------------------------------------


def _to_post(session: Session, basis_id: int, level: str) -> tuple[str, BasisView, tuple[str, ...]] | None:
    basis = session.get(DecisionBasis, basis_id)
    if basis is None or basis.status != BasisStatus.ready:
        return None
    already = session.exec(select(SentCard).where(SentCard.subject == subject(basis_id, level))).first()
    if already is not None:
        return None
    need = session.get(Need, basis.need_id)
    area = session.get(EArea, need.e_area_id)
    return area.slug, _view(basis, need, area, level), refresh_ids(session, area.slug, level)


async def _post(services: Services, basis_id: int, level: str) -> None:
    found = await services.db.run(_to_post, basis_id, level)
    if found is None:
        log.info("basis %s (%s) is not ready or already posted", basis_id, level)
        return
    slug, view, ids = found
    t = translator(services.settings.default_locale)
    content = read_only_card(t, view, CardContext(timezone=services.settings.timezone, refresh_ids=ids))
    purpose, scope = (ChannelPurpose.portfolio, org.PORTFOLIO_SCOPE) if level == PORTFOLIO else (ChannelPurpose.steering, slug)
    result = await services.outbound.send_to_linked(purpose, scope, content, subject=subject(basis_id, level))
    if result is None:
        log.warning("basis %s: no %s channel linked for %s; nothing posted", basis_id, purpose.value, scope)


async def post_basis(services: Services, basis_id: int) -> None:
    """Hook for dialogs.anchoring.ON_BASIS_READY: post a ready basis to its steering channel (once)."""
    await _post(services, basis_id, STEERING)


# --- listing ------------------------------------------------------------------------------------


def decision_rows(session: Session, area_id: int) -> list[DecisionRow]:
    stmt = (
        select(Decision, Need)
        .join(DecisionBasis, DecisionBasis.id == Decision.basis_id)
        .join(Need, Need.id == DecisionBasis.need_id)
        .where(Decision.e_area_id == area_id)
        .order_by(Decision.decided_at.desc(), Decision.id.desc())
    )
    return [DecisionRow(number=d.number, decided_at=d.decided_at, need_number=n.number, need_title=n.title,
                        level=d.level, outcome=_value(d.outcome), decided_by_name=d.decided_by_name or d.decided_by)
            for d, n in session.exec(stmt)]


@cap.command("decisions", r"(?:beslut|decisions)(?: (?P<area>.+))?", examples=("beslut utbildning", "decisions education"))
async def decisions_command(turn: Turn, match: re.Match) -> None:
    t, settings, aad_id = turn.t, turn.settings, turn.speaker.aad_id
    wanted = (match.group("area") or "").strip()

    def load(session: Session):
        if wanted:
            area = org.find_e_area(session, wanted)
        else:
            mine = areas_where(session, aad_id, Permission.view_area_needs)
            area = org.e_area_by_slug(session, mine[0]) if len(mine) == 1 else None
        if area is None:
            return "unknown", [a.name for a in org.e_areas(session)], None
        if not can(session, settings, aad_id, Permission.view_area_needs, scope=area.slug):
            return "refused", area.name, None
        return "ok", area.name, decision_rows(session, area.id)

    kind, detail, rows = await turn.db.run(load)
    if kind == "unknown":
        if wanted:
            from cards.common import escape

            await turn.say(t("I do not know an e-area called \"{name}\". Known e-areas: {known}.",
                             name=escape(wanted), known=", ".join(detail) or "–"))
        else:
            await turn.say(t("Which e-area? Write **decisions <e-area>**, for example **decisions utbildning**."))
        return
    if kind == "refused":
        await turn.send_card(message_card(t("Decisions"), [t("Only people with a role in {area} can see its decisions.", area=detail)]))
        return
    await turn.send_card(decisions_list_card(t, detail, rows, settings.timezone))
