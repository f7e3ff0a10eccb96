"""Repository for plans (e-förvaltningsplaner) and their goals. Never commits."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, func
from sqlmodel import Session, select

from storage.models import EArea, NeedGoal, Plan, PlanGoal, PlanStatus
from storage.types import utcnow


def plan_for(session: Session, e_area_id: int, year: int) -> Plan | None:
    return session.exec(select(Plan).where(Plan.e_area_id == e_area_id, Plan.year == year)).first()


def goals(session: Session, plan_id: int) -> list[PlanGoal]:
    stmt = select(PlanGoal).where(PlanGoal.plan_id == plan_id).order_by(PlanGoal.position, PlanGoal.id)
    return list(session.exec(stmt))


def goals_of_year(session: Session, year: int) -> list[tuple[EArea, PlanGoal]]:
    """Every goal of every e-area's plan for the year (for the need form's goal list)."""
    stmt = (select(EArea, PlanGoal).join(Plan, Plan.e_area_id == EArea.id)
            .join(PlanGoal, PlanGoal.plan_id == Plan.id).where(Plan.year == year)
            .order_by(EArea.name, PlanGoal.position, PlanGoal.id))
    return list(session.exec(stmt))


def goal_ids_by_area(session: Session, year: int) -> dict[str, set[int]]:
    """The ids of each e-area's plan goals for the year, by e-area slug (form validation)."""
    stmt = (select(EArea.slug, PlanGoal.id).join(Plan, Plan.e_area_id == EArea.id)
            .join(PlanGoal, PlanGoal.plan_id == Plan.id).where(Plan.year == year))
    found: dict[str, set[int]] = {}
    for slug, goal_id in session.exec(stmt):
        found.setdefault(slug, set()).add(goal_id)
    return found


_PLAN = Plan.__table__
_STATUS_OF = select(_PLAN.c.status).where(_PLAN.c.e_area_id == bindparam("area"), _PLAN.c.year == bindparam("year"))


def status_of(session: Session, e_area_id: int, year: int) -> PlanStatus | None:
    """The status of the e-area's plan for the year; None when there is no plan (Core, built
    once: the need submit asks it on every registration)."""
    status = session.connection().execute(_STATUS_OF, {"area": e_area_id, "year": year}).scalar()
    return None if status is None else PlanStatus(status)


@dataclass(frozen=True)
class GoalRow:
    support_area: str
    title: str
    why: str
    effect: str
    units: str
    dependencies: str
    start: str
    end: str
    priority: int
    period: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportResult:
    created: bool
    added: int
    updated: int
    removed: int
    kept_linked: int  # goals missing from the file but kept because needs refer to them
    kept_missing: int = 0  # goals missing from the file, kept because --replace was not given
    removed_titles: tuple[str, ...] = ()


def import_goals(session: Session, area: EArea, year: int, rows: Sequence[GoalRow], *,
                 title: str | None = None, status: PlanStatus | None = None,
                 frame_sek: int | None = None, frame_hours: int | None = None,
                 replace: bool = False) -> ImportResult:
    """Add or update the rows' goals. Goals are matched by title, so needs keep their links.

    A goal missing from the file is kept, unless `replace`: then it is removed, except when a
    need refers to it (it is kept and counted).
    """
    plan = plan_for(session, area.id, year)
    created = plan is None
    if plan is None:
        plan = Plan(e_area_id=area.id, year=year, title=title or f"E-förvaltningsplan {area.name} {year}")
        session.add(plan)
        session.flush()
    if title:
        plan.title = title
    if status is not None:
        plan.status = status
    if frame_sek is not None:
        plan.frame_sek = frame_sek
    if frame_hours is not None:
        plan.frame_hours = frame_hours
    plan.updated_at = utcnow()
    current = goals(session, plan.id)
    existing = {g.title.casefold(): g for g in current}
    seen: set[int] = set()
    added = updated = 0
    for position, row in enumerate(rows, 1):
        goal = existing.get(row.title.casefold())
        if goal is None or goal.id in seen:
            goal = PlanGoal(plan_id=plan.id, title=row.title)
            session.add(goal)
            added += 1
        else:
            updated += 1
        goal.position = position
        goal.support_area, goal.why, goal.effect = row.support_area, row.why, row.effect
        goal.units, goal.dependencies, goal.start, goal.end = row.units, row.dependencies, row.start, row.end
        goal.period, goal.starts_on, goal.ends_on = row.period, row.starts_on, row.ends_on
        goal.extra = json.dumps(row.extra, ensure_ascii=False)
        goal.priority = row.priority or position
        session.flush()
        seen.add(goal.id)
    removed: list[str] = []
    kept = kept_missing = 0
    for goal in current:
        if goal.id in seen:
            continue
        if not replace:
            kept_missing += 1
            # Kept goals follow the file's goals, in their old order.
            goal.position = len(rows) + kept_missing
            continue
        linked = session.exec(select(func.count()).select_from(NeedGoal).where(NeedGoal.goal_id == goal.id)).one()
        if linked:
            kept += 1
        else:
            removed.append(goal.title)
            session.delete(goal)
    session.flush()
    return ImportResult(created, added, updated, len(removed), kept, kept_missing, tuple(removed))


def extra_of(goal: PlanGoal) -> dict[str, str]:
    """The goal's kept columns that Styra has no place for, {header: value}."""
    try:
        value = json.loads(goal.extra or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
