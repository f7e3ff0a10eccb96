"""Editing and withdrawing a need, and the need-history rows (storage/need_tables.py).

Functions take the caller's session and never commit. Writers lock the need first, so a double
click waits for the first copy and then finds its row by the request key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, exists, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage import need_pages
from storage.assessments import _lock_need
from storage.models import Assessment, EArea, Need, NeedGoal, NeedStatus, PlanGoal
from storage.need_tables import NeedChange
from storage.types import utcnow


def as_form(session: Session, need: Need) -> dict[str, str]:
    """The need as the registration form's values (what the edit form is prefilled with)."""
    area = session.get(EArea, need.e_area_id)
    goals = session.exec(select(NeedGoal.goal_id).where(NeedGoal.need_id == need.id)).all()
    return {
        "title": need.title, "description": need.description, "e_area": area.slug if area else "",
        "source": need.source or "staff", "on_behalf_of": need.on_behalf_of, "benefit": need.benefit,
        "hours": "" if need.effort_hours is None else str(need.effort_hours),
        "cost": "" if need.cost_sek is None else str(need.cost_sek),
        "wished_date": need.wished_date.isoformat() if need.wished_date else "",
        "goals": ",".join(str(g) for g in sorted(goals)),
    }


def assessed(session: Session, need_id: int) -> bool:
    return bool(session.exec(select(exists().where(Assessment.need_id == need_id))).one())


def by_key(session: Session, key: str) -> NeedChange | None:
    return session.exec(select(NeedChange).where(NeedChange.request_key == key)).first()


def of_need(session: Session, need_id: int) -> list[NeedChange]:
    stmt = select(NeedChange).where(NeedChange.need_id == need_id).order_by(NeedChange.at, NeedChange.id)
    return list(session.exec(stmt))


def latest_id(session: Session, need_id: int) -> int:
    """The id of the need's latest change (0: none), which an edit form carries to find a newer one."""
    stmt = select(func.max(NeedChange.id)).where(NeedChange.need_id == need_id)
    return session.exec(stmt).one() or 0


def lock(session: Session, need_id: int) -> Need | None:
    return _lock_need(session, need_id)


def goal_titles(session: Session, goal_ids: list[int]) -> str:
    if not goal_ids:
        return ""
    stmt = select(PlanGoal.title).where(PlanGoal.id.in_(goal_ids)).order_by(PlanGoal.position, PlanGoal.id)
    return "; ".join(session.exec(stmt))


@dataclass(frozen=True)
class Written:
    change: NeedChange
    repeated: bool  # the key was already used: this is the first copy's row


def _record(session: Session, need: Need, *, key: str, kind: str, changes: dict[str, list[str]], actor: str,
            actor_name: str, at: datetime) -> Written:
    try:
        with session.begin_nested():
            change = NeedChange(need_id=need.id, request_key=key, at=at, actor=actor, actor_name=actor_name,
                                kind=kind, changes=json.dumps(changes, ensure_ascii=False))
            session.add(change)
            session.flush()
    except IntegrityError:  # a copy of this click in another transaction saved it first
        found = by_key(session, key)
        if found is None:
            raise
        return Written(found, True)
    return Written(change, False)


def edit(session: Session, need: Need, *, key: str, fields: dict[str, Any], goal_ids: list[int] | None,
         changes: dict[str, list[str]], actor: str, actor_name: str, at: datetime | None = None) -> Written:
    """Apply the changed fields (model attribute -> value) and the goals, with one history row.
    The caller has locked the need and looked the key up (a repeat changes nothing)."""
    at = at or utcnow()
    written = _record(session, need, key=key, kind="edited", changes=changes, actor=actor,
                      actor_name=actor_name, at=at)
    if written.repeated:
        return written
    for name, value in fields.items():
        setattr(need, name, value)
    if goal_ids is not None:
        for row in session.exec(select(NeedGoal).where(NeedGoal.need_id == need.id)):
            session.delete(row)
        session.flush()
        for goal_id in dict.fromkeys(goal_ids):
            session.add(NeedGoal(need_id=need.id, goal_id=goal_id))
    need.updated_at = at
    session.flush()
    return written


def withdraw(session: Session, need: Need, *, key: str, actor: str, actor_name: str,
             at: datetime | None = None) -> Written:
    at = at or utcnow()
    old = NeedStatus(need.status).value
    written = _record(session, need, key=key, kind="withdrawn", changes={"status": [old, "withdrawn"]},
                      actor=actor, actor_name=actor_name, at=at)
    if not written.repeated:
        need.status = NeedStatus.withdrawn
        need.updated_at = at
        session.flush()
    return written


UNASSESSED = (NeedStatus.registered, NeedStatus.under_assessment)


def to_assess(session: Session, e_area_ids: list[int], limit: int = 25,
              after_id: int | None = None) -> list[tuple[Row, Row]]:
    """Needs of these e-areas waiting for assessment (new, or sent back for another), oldest first;
    with `after_id`, the page after that need (keyset on registration time, then id). One index
    range per e-area and status (storage.need_pages.pages_of_areas): an IN over both would sort them all."""
    if not e_area_ids:
        return []
    return need_pages.pages_of_areas(session, e_area_ids, UNASSESSED, after_id=after_id, limit=limit)


def count_to_assess(session: Session, e_area_ids: list[int], after_id: int | None = None) -> tuple[int, int]:
    """(all waiting, those up to and including `after_id`): the list's length and where a page starts."""
    counted = [need_pages.count_of_area(session, area_id, UNASSESSED, after_id) for area_id in e_area_ids]
    return sum(total for total, _ in counted), sum(before for _, before in counted)
