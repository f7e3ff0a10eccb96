"""Repository for assessments and the plan frame (DOMAIN.md §2); decision bases are in storage/bases.py.

Functions take the caller's session and never commit. The frame is only ever changed by one
conditional UPDATE (`... WHERE committed + x <= frame`), so two coordinators assessing at once
can never overspend it, on SQLite (serialised writers) and on PostgreSQL (the UPDATE re-checks
its WHERE on the newest row version after waiting for the other transaction).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from bot.rules.routing import Answers, Frame, Outcome, Routing, route
from storage.models import (
    Assessment,
    BasisStatus,
    DecisionBasis,
    Need,
    NeedEvent,
    NeedStatus,
    Plan,
    PlanGoal,
    PlanStatus,
)
from storage.types import utcnow

# A need in one of these states has been decided for good: it is not assessed again.
DECIDED_STATUSES = (NeedStatus.approved, NeedStatus.declined, NeedStatus.done, NeedStatus.withdrawn)
OPEN_BASIS = (BasisStatus.anchoring, BasisStatus.ready, BasisStatus.sent_back)

NEED_STATUS_OF = {
    Outcome.within_plan: NeedStatus.within_plan,
    Outcome.decision_basis: NeedStatus.awaiting_decision,
    Outcome.inventory: NeedStatus.inventory,
    Outcome.declined: NeedStatus.declined,
}


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    assessment: Assessment
    need: Need
    frame: Frame  # the plan's frame after this assessment


@dataclass(frozen=True)
class Duplicate:
    """This form was stored already (a double submit or a redelivery)."""

    assessment: Assessment


@dataclass(frozen=True)
class Stale:
    """The form was opened before a later assessment of the same need."""

    latest: Assessment


@dataclass(frozen=True)
class FrameFull:
    """Someone else used the frame first: here are the new figures."""

    frame: Frame
    routing: Routing


@dataclass(frozen=True)
class Changed:
    """The outcome differs from the one the coordinator confirmed (the frame moved)."""

    routing: Routing


@dataclass(frozen=True)
class Refused:
    status: NeedStatus


# --- reading -------------------------------------------------------------------------------


def need_by_number(session: Session, number: str) -> Need | None:
    return session.exec(select(Need).where(Need.number == number.upper())).first()


def plan(session: Session, plan_id: int) -> Plan | None:
    return session.get(Plan, plan_id)


def plan_for_year(session: Session, e_area_id: int, year: int) -> Plan | None:
    return session.exec(select(Plan).where(Plan.e_area_id == e_area_id, Plan.year == year)).first()


def decided_plan(session: Session, e_area_id: int, year: int) -> Plan | None:
    plan = plan_for_year(session, e_area_id, year)
    return plan if plan is not None and plan.status == PlanStatus.decided else None


def goals_of(session: Session, plan_id: int) -> list[PlanGoal]:
    return list(session.exec(select(PlanGoal).where(PlanGoal.plan_id == plan_id).order_by(PlanGoal.position)))


def frame_of(plan: Plan) -> Frame:
    return Frame(plan.frame_hours, plan.frame_sek, plan.committed_hours, plan.committed_sek)


def assessments_of(session: Session, need_id: int) -> list[Assessment]:
    stmt = select(Assessment).where(Assessment.need_id == need_id).order_by(Assessment.id)
    return list(session.exec(stmt))


def latest_assessment(session: Session, need_id: int) -> Assessment | None:
    stmt = select(Assessment).where(Assessment.need_id == need_id).order_by(Assessment.id.desc())
    return session.exec(stmt).first()


def by_request_key(session: Session, key: str) -> Assessment | None:
    return session.exec(select(Assessment).where(Assessment.request_key == key)).first()


def reasons_for(session: Session, row: Assessment) -> tuple[str, ...]:
    """The rule's reasons (msgids) as they were when the assessment was stored."""
    stmt = select(NeedEvent).where(NeedEvent.need_id == row.need_id, NeedEvent.kind == "assessed")
    for found in session.exec(stmt):
        detail = json.loads(found.detail or "{}")
        if detail.get("assessment_id") == row.id:
            return tuple(detail.get("reasons") or ())
    return ()


def held_commitment(session: Session, need: Need) -> tuple[int | None, int, int]:
    """(plan id, hours, sek) this need holds in a frame now: only while it is within the plan."""
    if need.status != NeedStatus.within_plan:
        return None, 0, 0
    last = latest_assessment(session, need.id)
    if last is None or last.outcome != Outcome.within_plan.value or last.plan_id is None:
        return None, 0, 0
    return last.plan_id, last.hours, last.cost_sek


def frame_for(session: Session, need: Need, plan: Plan) -> Frame:
    """The frame as this need's (re-)assessment sees it: its own earlier commitment given back."""
    plan_id, hours, sek = held_commitment(session, need)
    frame = frame_of(plan)
    return frame.released(hours, sek) if plan_id == plan.id else frame


# --- the frame -----------------------------------------------------------------------------


def commit_frame(session: Session, plan_id: int, hours: int, sek: int) -> bool:
    """Add hours and cost to the committed frame if, and only if, they fit. Negative releases."""
    table = Plan.__table__
    stmt = (
        update(table)
        .where(table.c.id == plan_id,
               table.c.committed_hours + hours <= table.c.frame_hours,
               table.c.committed_sek + sek <= table.c.frame_sek)
        .values(committed_hours=table.c.committed_hours + hours,
                committed_sek=table.c.committed_sek + sek,
                updated_at=utcnow())
    )
    return session.execute(stmt).rowcount == 1


def release_frame(session: Session, plan_id: int, hours: int, sek: int) -> None:
    table = Plan.__table__
    session.execute(
        update(table).where(table.c.id == plan_id).values(
            committed_hours=table.c.committed_hours - hours,
            committed_sek=table.c.committed_sek - sek,
            updated_at=utcnow())
    )


def _fresh_plan(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    session.refresh(plan)
    return plan


# --- assessing -----------------------------------------------------------------------------


def event(session: Session, need_id: int, actor: str, actor_name: str, kind: str, *, at: datetime | None = None,
          **detail: Any) -> None:
    # `at` is the app's clock (services.clock), as for every other event, so history stays in order.
    session.add(NeedEvent(need_id=need_id, actor=actor, actor_name=actor_name, kind=kind, at=at or utcnow(),
                          detail=json.dumps(detail, ensure_ascii=False, default=str)))


def _lock_need(session: Session, need_id: int) -> Need | None:
    # FOR UPDATE serialises two assessments of the same need on PostgreSQL (SQLite ignores it
    # and serialises every writer anyway).
    return session.exec(select(Need).where(Need.id == need_id).with_for_update()).first()


def assess(
    session: Session,
    *,
    need_id: int,
    plan_id: int,
    answers: Answers,
    expected: Outcome,
    after: int,
    request_key: str,
    actor: str,
    actor_name: str = "",
    goal_ids: list[int] | None = None,
    business_goals: str = "",
    reason: str = "",
    at: datetime | None = None,
) -> Stored | Duplicate | Stale | FrameFull | Changed | Refused:
    """Store one assessment and its effect (need status, frame, history) in the caller's transaction.

    `after` is the id of the latest assessment when the form was opened (0: none), so a form
    from before a re-assessment cannot store again. The outcome is computed again here against
    the current frame; it must equal what the coordinator confirmed (`expected`).
    """
    need = _lock_need(session, need_id)
    if need is None:
        raise LookupError(f"need {need_id}")
    # Looked up under the need's lock: a concurrent copy of this form has committed by now.
    done = by_request_key(session, request_key)
    if done is not None:
        return Duplicate(done)
    if need.status in DECIDED_STATUSES:
        return Refused(need.status)
    latest = latest_assessment(session, need_id)
    if (latest.id if latest else 0) != after:
        return Stale(latest)

    plan = session.get(Plan, plan_id)
    held_plan, held_hours, held_sek = held_commitment(session, need)
    routing = route(answers, frame_for(session, need, plan))
    if routing.outcome is not expected:
        if expected is Outcome.within_plan:
            return FrameFull(frame_of(plan), routing)
        return Changed(routing)

    if routing.outcome is Outcome.within_plan:
        if held_plan == plan.id:
            ok = commit_frame(session, plan.id, answers.hours - held_hours, answers.cost_sek - held_sek)
        else:
            ok = commit_frame(session, plan.id, answers.hours, answers.cost_sek)
            if ok and held_plan is not None:
                release_frame(session, held_plan, held_hours, held_sek)
        if not ok:
            fresh = _fresh_plan(session, plan.id)
            return FrameFull(frame_of(fresh), route(answers, frame_for(session, need, fresh)))
    elif held_plan is not None:
        release_frame(session, held_plan, held_hours, held_sek)

    row = Assessment(
        need_id=need.id, plan_id=plan.id, assessor=actor, serves_goals=answers.serves_goals,
        goal_ids=json.dumps(sorted(goal_ids or [])), business_goals=business_goals,
        hours=answers.hours, cost_sek=answers.cost_sek, urgent=answers.urgent,
        affects_areas=json.dumps(list(routing.other_areas)), whole_portfolio=answers.whole_portfolio,
        outcome=routing.outcome.value, escalate=routing.escalate, reason=reason, request_key=request_key,
    )
    session.add(row)
    session.flush()

    superseded = _supersede_open_bases(session, need.id)
    before_status = need.status
    need.status = NEED_STATUS_OF[routing.outcome]
    need.updated_at = at or utcnow()
    event(session, need.id, actor, actor_name, "assessed", at=at, assessment_id=row.id, outcome=row.outcome,
          reasons=list(routing.reasons), reason=reason, hours=row.hours, cost_sek=row.cost_sek,
          escalate=row.escalate, status_from=before_status.value, status_to=need.status.value,
          released=[held_hours, held_sek] if held_plan is not None else None,
          superseded_bases=superseded)
    session.flush()
    return Stored(row, need, frame_of(_fresh_plan(session, plan.id)))


def _supersede_open_bases(session: Session, need_id: int) -> list[int]:
    stmt = select(DecisionBasis).where(DecisionBasis.need_id == need_id, DecisionBasis.status.in_(OPEN_BASIS))
    ids = []
    for basis in session.exec(stmt):
        basis.status = BasisStatus.superseded
        basis.updated_at = utcnow()
        ids.append(basis.id)
    return ids
