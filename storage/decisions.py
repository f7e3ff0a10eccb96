"""Repository for decisions on decision bases (DOMAIN.md §3).

Functions take the caller's session and never commit. Exactly once: `load(..., lock=True)` locks
the basis row (PostgreSQL FOR UPDATE; SQLite transactions are BEGIN IMMEDIATE) and
`record_decision` inserts in a savepoint guarded by the unique (basis_id, level) key, so a race,
a double click or a replayed invoke finds the decision that won.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, insert, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.rules.routing import Frame
from storage import outbox
from storage.counters import next_number
from storage.models import (
    Anchoring,
    Assessment,
    BasisStatus,
    Decision,
    DecisionBasis,
    DecisionOutcome,
    EArea,
    Need,
    NeedEvent,
    NeedStatus,
    Person,
    Plan,
    RoleAssignment,
)
from storage.types import UTCDateTime

log = logging.getLogger("styra.decisions")

STEERING, PORTFOLIO = "steering", "portfolio"


@dataclass
class Found:
    """A basis with its need, e-area and the decisions taken on it (steering first), the frame of
    the plan an approval changes, and the area owners who anchored it."""

    basis: DecisionBasis
    need: Need
    area: EArea
    decisions: list[Decision]
    frame: Frame | None = None  # the plan's frame as read (before this decision)
    plan_title: str = ""
    anchored_by: list[str] = field(default_factory=list)
    plan_change: tuple[Frame, Frame] | None = None  # (before, after) when an approval changed the plan
    # Recorded and not numbered yet (see `number_decision`): the decision, the year, its need events.
    unnumbered: tuple[Decision, int, list[NeedEvent]] | None = None
    plan_of: tuple[int, int | None] | None = None  # (year, plan id) as `load` found it


def decisions_of(session: Session, basis_id: int) -> list[Decision]:
    rows = session.exec(select(Decision).where(Decision.basis_id == basis_id)).all()
    return sorted(rows, key=lambda d: (d.level != STEERING, d.id))


def load(session: Session, basis_id: int, *, lock: bool = False, year: int | None = None) -> Found | None:
    """Basis, need and e-area in one query, then the plan's frame and the anchoring; the lock
    (PostgreSQL) covers the basis row only. `year`: the plan year when the basis has no assessment."""
    stmt = (
        select(DecisionBasis, Need, EArea)
        .join(Need, Need.id == DecisionBasis.need_id)
        .join(EArea, EArea.id == Need.e_area_id)
        .where(DecisionBasis.id == basis_id)
    )
    row = session.exec(stmt.with_for_update(of=DecisionBasis) if lock else stmt).first()
    if row is None:
        return None
    basis, need, area = row
    year = year or basis.created_at.year
    plan = plan_of(session, basis, area, year)
    return Found(basis, need, area, decisions_of(session, basis_id),
                 frame=frame_of(plan) if plan else None, plan_title=plan.title if plan else "",
                 anchored_by=anchored_by(session, basis_id), plan_of=(year, plan.id if plan else None))


def frame_of(plan: Plan) -> Frame:
    return Frame(plan.frame_hours, plan.frame_sek, plan.committed_hours, plan.committed_sek)


def anchored_by(session: Session, basis_id: int) -> list[str]:
    """The names of the area owners who agreed to the basis, in the order they did."""
    stmt = (select(Anchoring.aad_id, Person.name).join(Person, Person.aad_id == Anchoring.aad_id, isouter=True)
            .where(Anchoring.basis_id == basis_id, Anchoring.agreed).order_by(Anchoring.at, Anchoring.aad_id))
    return [name or aad_id for aad_id, name in session.exec(stmt)]


def people_holding(session: Session, scope: str, roles: list) -> list[Person]:
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


def person(session: Session, aad_id: str) -> Person | None:
    return session.get(Person, aad_id)


# --- deciding ---------------------------------------------------------------------------------


def record_decision(session: Session, found: Found, *, level: str, outcome: str, need_status: str | None,
                    basis_status: str | None, change_plan: bool, to_portfolio: bool, actor: str,
                    actor_name: str, comment: str, registry_number: str, snapshot: str, year: int,
                    now: datetime, number_now: bool = True) -> Decision | None:
    """The decision, its effect on the need, the basis and the plan, and the need's history, in
    the caller's transaction. None when another transaction decided first (nothing written).
    With `number_now=False` the caller writes the follow-ups first and calls `number_decision`
    last, just before its commit."""
    basis, need, area = found.basis, found.need, found.area
    parent = next((d for d in found.decisions if d.level == STEERING), None) if level == PORTFOLIO else None
    try:
        with session.begin_nested():
            decision = Decision(
                number=f"pending:{uuid.uuid4().hex[:12]}", basis_id=basis.id, level=level,
                parent_id=parent.id if parent else None, e_area_id=area.id, outcome=DecisionOutcome(outcome),
                decided_by=actor, decided_by_name=actor_name, decided_at=now, comment=comment,
                registry_number=registry_number, basis_snapshot=snapshot,
            )
            session.add(decision)
            session.flush()
    except IntegrityError:  # lost a race the lock did not cover
        return None
    effects = []
    if need_status is not None:
        effects = _apply(session, found, NeedStatus(need_status), BasisStatus(basis_status), change_plan,
                         actor, actor_name, comment, year, now)
    events = [_event(need, actor, actor_name, now, "decided", decision=decision.number, level=level,
                     outcome=outcome, comment=comment, registry_number=registry_number,
                     basis_id=basis.id, basis_version=basis.version)]
    if to_portfolio:
        events.append(_event(need, actor, actor_name, now, "escalated", decision=decision.number))
    found.decisions = sorted([*found.decisions, decision], key=lambda d: (d.level != STEERING, d.id))
    found.unnumbered = (decision, year, events + effects)
    if number_now:
        number_decision(session, found)
    return decision


def number_decision(session: Session, found: Found) -> str:
    """Number the decision just recorded, last: the year's counter row stays locked from here to
    commit and every decision in the portfolio waits for it, so only a few statements follow.
    The outbox rows enqueued meanwhile in this transaction carry a placeholder for the number;
    it is filled in (`storage.outbox.fill_in`)."""
    decision, year, events = found.unnumbered
    found.unnumbered = None
    placeholder = decision.number
    number = next_number(session, "D", year)
    decision.number = number
    # One executemany, Core: the events are not read back in this transaction.
    session.execute(insert(NeedEvent.__table__), [
        {"need_id": e.need_id, "at": e.at, "actor": e.actor, "actor_name": e.actor_name, "kind": e.kind,
         "detail": e.detail.replace(placeholder, number)} for e in events])
    outbox.fill_in(session, placeholder, number)
    return number


def _apply(session: Session, found: Found, need_status: NeedStatus, basis_status: BasisStatus, change_plan: bool,
           actor: str, actor_name: str, comment: str, year: int, now: datetime) -> list[NeedEvent]:
    basis, need, area = found.basis, found.need, found.area
    events = []
    before = need.status
    if change_plan:
        plan_id = found.plan_of[1] if found.plan_of and found.plan_of[0] == year else None
        if plan_id is None:
            plan = plan_of(session, basis, area, year)
            plan_id = plan.id if plan is not None else None
        if plan_id is not None:
            found.plan_change = _change_plan(session, plan_id, basis, now)
            after = found.plan_change[1]
            events.append(_event(need, actor, actor_name, now, "plan_changed", plan_id=plan_id,
                                 frame_change_sek=basis.frame_change_sek, frame_change_hours=basis.frame_change_hours,
                                 committed_sek=basis.cost_sek, committed_hours=basis.hours,
                                 left_hours=after.left_hours, left_sek=after.left_sek))
        else:
            log.warning("approved basis %s but found no plan for %s", basis.id, area.slug)
    need.status, basis.status = need_status, basis_status
    basis.updated_at = need.updated_at = now
    events.append(_event(need, actor, actor_name, now, "status_changed",
                         **{"from": _value(before), "to": _value(need.status), "reason": comment}))
    return events


def _change_plan(session: Session, plan_id: int, basis: DecisionBasis, now: datetime) -> tuple[Frame, Frame]:
    """The proposed frame change and the estimate, added by one UPDATE relative to the row as it
    is now (a concurrent assessment's commitment is never overwritten); (before, after)."""
    table = Plan.__table__
    change_h, change_s, hours, sek = basis.frame_change_hours, basis.frame_change_sek, basis.hours, basis.cost_sek
    row = session.execute(update(table).where(table.c.id == plan_id).values(
        frame_hours=table.c.frame_hours + change_h, frame_sek=table.c.frame_sek + change_s,
        committed_hours=table.c.committed_hours + hours, committed_sek=table.c.committed_sek + sek,
        updated_at=now).returning(table.c.frame_hours, table.c.frame_sek, table.c.committed_hours,
                                  table.c.committed_sek)).one()
    after = Frame(*row)
    before = Frame(after.frame_hours - change_h, after.frame_sek - change_s,
                   after.committed_hours - hours, after.committed_sek - sek)
    return before, after


def plan_of(session: Session, basis: DecisionBasis, area: EArea, year: int) -> Plan | None:
    """The plan the assessment weighed the need against; else the e-area's plan for the year."""
    if basis.assessment_id is not None:
        stmt = select(Plan).join(Assessment, Assessment.plan_id == Plan.id).where(Assessment.id == basis.assessment_id)
        plan = session.exec(stmt).first()
        if plan is not None:
            return plan
    return session.exec(select(Plan).where(Plan.e_area_id == area.id, Plan.year == year)).first()


def _event(need: Need, actor: str, actor_name: str, now: datetime, kind: str, **detail: Any) -> NeedEvent:
    return NeedEvent(need_id=need.id, at=now, actor=actor, actor_name=actor_name, kind=kind,
                     detail=json.dumps(detail, ensure_ascii=False))


def _value(status: Any) -> str:
    return status.value if hasattr(status, "value") else str(status)


# --- listing ------------------------------------------------------------------------------------


def of_area(session: Session, area_id: int, *, before_id: int | None = None, limit: int = 25) -> list[Row]:
    """The e-area's decisions, newest first, a page of them before the decision `before_id`
    (ix_decision_area_decided): rows of what the list shows (`_LISTED`), no ORM objects."""
    params: dict[str, Any] = {"area": area_id, "limit": limit}
    if before_id is not None:
        before = session.connection().execute(_DECISION_AT, {"id": before_id}).first()
        if before is None:
            return []
        params.update(at=before[0], at_id=before[1])
    return list(session.connection().execute(_AREA_PAGE[before_id is not None], params))


_decision, _basis, _need = Decision.__table__, DecisionBasis.__table__, Need.__table__
_LISTED = (_decision.c.id, _decision.c.number, _decision.c.decided_at, _decision.c.level, _decision.c.outcome,
           _decision.c.decided_by, _decision.c.decided_by_name, _need.c.number.label("need_number"),
           _need.c.title.label("need_title"))
_DECISION_AT = select(_decision.c.decided_at, _decision.c.id).where(_decision.c.id == bindparam("id"))


def _area_page(before: bool):
    stmt = (select(*_LISTED).select_from(_decision.join(_basis, _basis.c.id == _decision.c.basis_id)
                                         .join(_need, _need.c.id == _basis.c.need_id))
            .where(_decision.c.e_area_id == bindparam("area")))
    if before:
        stmt = stmt.where(tuple_(_decision.c.decided_at, _decision.c.id)
                          < tuple_(bindparam("at", type_=UTCDateTime()), bindparam("at_id")))
    return stmt.order_by(_decision.c.decided_at.desc(), _decision.c.id.desc()).limit(bindparam("limit"))


_AREA_PAGE = {before: _area_page(before) for before in (False, True)}


def for_export(session: Session, area_id: int) -> list[tuple[Decision, Need, DecisionBasis, str]]:
    """Every decision of the e-area, oldest first, with the number of the decision it follows."""
    stmt = (
        select(Decision, Need, DecisionBasis)
        .join(DecisionBasis, DecisionBasis.id == Decision.basis_id)
        .join(Need, Need.id == DecisionBasis.need_id)
        .where(Decision.e_area_id == area_id)
        .order_by(Decision.decided_at, Decision.id)
    )
    rows = list(session.exec(stmt))
    numbers = {decision.id: decision.number for decision, _need, _basis in rows}
    return [(d, n, b, numbers.get(d.parent_id, "")) for d, n, b in rows]
