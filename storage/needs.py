"""Repository for needs: create, find, list, join as also affected, and the append-only history.

Functions take the caller's session and never commit. Every change to a need adds a NeedEvent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, case, func, literal_column, tuple_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.counters import next_number
from storage.models import EArea, Need, NeedAffected, NeedEvent, NeedGoal, NeedStatus, PlanGoal
from storage.types import UTCDateTime, utcnow


def add_event(session: Session, need_id: int, actor: str, actor_name: str, kind: str,
              detail: dict[str, Any] | None = None, at: datetime | None = None) -> NeedEvent:
    event = NeedEvent(need_id=need_id, actor=actor, actor_name=actor_name, kind=kind,
                      detail=json.dumps(detail or {}, ensure_ascii=False), at=at or utcnow())
    session.add(event)
    return event


def create(session: Session, *, e_area_id: int, year: int, title: str, description: str, source: str,
           raised_by: str, raised_by_name: str, on_behalf_of: str, benefit: str,
           effort_hours: int | None, cost_sek: int | None, wished_date, goal_ids: Iterable[int] = (),
           request_key: str | None = None, at: datetime | None = None) -> Need:
    """A new need with its number (B-<year>-NNNN) and its first history event."""
    at = at or utcnow()
    need = Need(number=next_number(session, "B", year), e_area_id=e_area_id, title=title,
                description=description, source=source, raised_by=raised_by,
                raised_by_name=raised_by_name, on_behalf_of=on_behalf_of, benefit=benefit,
                effort_hours=effort_hours, cost_sek=cost_sek, wished_date=wished_date,
                status=NeedStatus.registered, request_key=request_key, created_at=at, updated_at=at)
    session.add(need)
    session.flush()
    goal_ids = list(dict.fromkeys(goal_ids))
    for goal_id in goal_ids:
        session.add(NeedGoal(need_id=need.id, goal_id=goal_id))
    add_event(session, need.id, raised_by, raised_by_name, "registered",
              {"number": need.number, "goals": goal_ids}, at)
    session.flush()
    return need


def create_once(session: Session, *, request_key: str, **fields: Any) -> tuple[Need, bool]:
    """`create` keyed by the form's request key: (the need, True) when this call made it, or
    (the need already saved under that key, False), also when a concurrent transaction saved
    it first; then nothing of this attempt (number, goals, event) is kept."""
    found = by_request_key(session, request_key)
    if found is not None:
        return found, False
    try:
        with session.begin_nested():
            need = create(session, request_key=request_key, **fields)
    except IntegrityError:  # the same form saved by a redelivery in another transaction
        found = by_request_key(session, request_key)
        if found is None:
            raise
        return found, False
    return need, True


def by_id(session: Session, need_id: int) -> Need | None:
    return session.get(Need, need_id)


def by_number(session: Session, number: str) -> Need | None:
    return session.exec(select(Need).where(func.upper(Need.number) == number.strip().upper())).first()


def by_request_key(session: Session, key: str) -> Need | None:
    return session.exec(select(Need).where(Need.request_key == key)).first()


def set_status(session: Session, need: Need, status: NeedStatus, actor: str, actor_name: str = "",
               detail: dict[str, Any] | None = None) -> None:
    """Change the status and record it; callers check the lifecycle (bot.rules.needs.can_transition)."""
    if need.status == status:
        return
    old = need.status
    need.status = status
    need.updated_at = utcnow()
    add_event(session, need.id, actor, actor_name, "status_changed",
              {"from": NeedStatus(old).value, "to": NeedStatus(status).value, **(detail or {})})
    session.flush()


def add_affected(session: Session, need: Need, aad_id: str, name: str) -> bool:
    """"Same need, I am affected too": True when added, False when already listed (or the raiser)."""
    if need.raised_by == aad_id or session.get(NeedAffected, (need.id, aad_id)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(NeedAffected(need_id=need.id, aad_id=aad_id, name=name))
    except IntegrityError:  # a concurrent join of the same person won
        return False
    add_event(session, need.id, aad_id, name, "affected_added", {})
    need.updated_at = utcnow()
    session.flush()
    return True


def affected(session: Session, need_id: int) -> list[NeedAffected]:
    stmt = select(NeedAffected).where(NeedAffected.need_id == need_id).order_by(NeedAffected.added_at)
    return list(session.exec(stmt))


def affected_counts(session: Session, need_ids: list[int]) -> dict[int, int]:
    if not need_ids:
        return {}
    return dict(session.connection().execute(_AFFECTED_COUNTS, {"ids": list(need_ids)}).tuples().all())


def joined_of(session: Session, aad_id: str, need_ids: list[int]) -> set[int]:
    """Which of these needs the person joined as also affected (one query, not one a need)."""
    if not need_ids:
        return set()
    return set(session.connection().execute(_JOINED_OF, {"aad": aad_id, "ids": list(need_ids)}).scalars())


def goal_titles(session: Session, need_ids: list[int]) -> dict[int, list[str]]:
    """The plan goals each need refers to, by need id, in plan order."""
    if not need_ids:
        return {}
    stmt = (select(NeedGoal.need_id, PlanGoal.title).join(PlanGoal, PlanGoal.id == NeedGoal.goal_id)
            .where(NeedGoal.need_id.in_(need_ids)).order_by(PlanGoal.position, PlanGoal.id))
    found: dict[int, list[str]] = {}
    for need_id, title in session.exec(stmt):
        found.setdefault(need_id, []).append(title)
    return found


def history(session: Session, need_id: int) -> list[NeedEvent]:
    stmt = select(NeedEvent).where(NeedEvent.need_id == need_id).order_by(NeedEvent.at, NeedEvent.id)
    return list(session.exec(stmt))


def goals_of(session: Session, need_id: int) -> list[PlanGoal]:
    stmt = (select(PlanGoal).join(NeedGoal, NeedGoal.goal_id == PlanGoal.id)
            .where(NeedGoal.need_id == need_id).order_by(PlanGoal.position))
    return list(session.exec(stmt))


def of_area(session: Session, e_area_id: int | None, statuses: Iterable[NeedStatus] | None = None,
            limit: int | None = None) -> list[tuple[Need, EArea]]:
    """An e-area's needs (all e-areas when None), oldest first, optionally by status."""
    stmt = select(Need, EArea).join(EArea, EArea.id == Need.e_area_id)
    if e_area_id is not None:
        stmt = stmt.where(Need.e_area_id == e_area_id)
    if statuses:
        stmt = stmt.where(Need.status.in_(list(statuses)))
    stmt = stmt.order_by(Need.created_at, Need.id)
    if limit:
        stmt = stmt.limit(limit)
    return list(session.exec(stmt))


# The list pages read with prebuilt Core statements: only the columns a list row shows, no ORM
# objects, and compiled once per process (a page is a few index ranges of 26 rows).
_need = Need.__table__
_area = EArea.__table__
_counted = NeedAffected.__table__.alias("counted")
_joined = NeedAffected.__table__
_AFFECTED = (select(func.count()).select_from(_counted).where(_counted.c.need_id == _need.c.id)
             .correlate(_need).scalar_subquery().label("affected"))
LISTED = (_need.c.id, _need.c.number, _need.c.title, _need.c.status, _need.c.created_at, _need.c.e_area_id, _AFFECTED)
_KEY = tuple_(_need.c.created_at, _need.c.id)
_AT = tuple_(bindparam("at", type_=UTCDateTime()), bindparam("at_id"))
_ASC = (_need.c.created_at, _need.c.id)
_DESC = (_need.c.created_at.desc(), _need.c.id.desc())


def _in_area(after: bool):
    stmt = select(*LISTED).where(_need.c.e_area_id == bindparam("area"), _need.c.status == bindparam("status"))
    return (stmt.where(_KEY > _AT) if after else stmt).order_by(*_ASC).limit(bindparam("limit"))


def _of_person(after: bool):
    raised = select(*LISTED).where(_need.c.raised_by == bindparam("aad"))
    joined = (select(*LISTED).select_from(_need.join(_joined, _joined.c.need_id == _need.c.id))
              .where(_joined.c.aad_id == bindparam("aad"), _need.c.raised_by != bindparam("aad")))
    return tuple((stmt.where(_KEY < _AT) if after else stmt).order_by(*_DESC).limit(bindparam("limit"))
                 for stmt in (raised, joined))


_AREA_PAGE = {after: _in_area(after) for after in (False, True)}
_PERSON_PAGE = {after: _of_person(after) for after in (False, True)}
_POSITION = select(_need.c.created_at, _need.c.id).where(_need.c.id == bindparam("id"))
_AREAS = select(_area.c.id, _area.c.name, _area.c.name_en).where(_area.c.id.in_(bindparam("ids", expanding=True)))
_STATUSES = bindparam("statuses", expanding=True)
_IDS = bindparam("ids", expanding=True)
_AFFECTED_COUNTS = select(_joined.c.need_id, func.count()).where(_joined.c.need_id.in_(_IDS)).group_by(_joined.c.need_id)
_JOINED_OF = select(_joined.c.need_id).where(_joined.c.aad_id == bindparam("aad"), _joined.c.need_id.in_(_IDS))
_COUNT = select(func.count()).select_from(_need).where(_need.c.e_area_id == bindparam("area"), _need.c.status.in_(_STATUSES))
_COUNT_UPTO = select(func.count(), func.sum(case((_KEY <= _AT, 1), else_=0))).select_from(_need).where(
    _need.c.e_area_id == bindparam("area"), _need.c.status.in_(_STATUSES))


def page_of_area(session: Session, e_area_id: int, statuses: Iterable[NeedStatus], *, after_id: int | None = None,
                 limit: int = 25) -> list[tuple[Row, Row]]:
    """One page of an e-area's needs in these statuses, oldest first, after the need `after_id`:
    (need, e-area) rows with what a list shows (`LISTED`, with `affected`: how many joined it).

    One index range per status (ix_need_area_status_created), each stopping at `limit`, merged
    here: a page costs the same on the 100,000th need as on the first."""
    return pages_of_areas(session, [e_area_id], statuses, after_id=after_id, limit=limit)


def pages_of_areas(session: Session, e_area_ids: Iterable[int], statuses: Iterable[NeedStatus], *,
                   after_id: int | None = None, limit: int = 25) -> list[tuple[Row, Row]]:
    """`page_of_area` over several e-areas: one index range per e-area and status."""
    after = _position(session, after_id)
    if after_id is not None and after is None:
        return []
    conn = session.connection()
    stmt = _AREA_PAGE[after is not None]
    found: list[Row] = []
    for area_id in dict.fromkeys(e_area_ids):
        for status in dict.fromkeys(statuses):
            found.extend(conn.execute(stmt, {"area": area_id, "status": status, "limit": limit, **(after or {})}))
    found.sort(key=lambda row: (row.created_at, row.id))
    return _with_areas(conn, found[:limit])


def page_of_person(session: Session, aad_id: str, *, before_id: int | None = None,
                   limit: int = 25) -> list[tuple[Row, Row]]:
    """One page of the needs a person raised or joined, newest first, before the need `before_id`.

    The raised ones through ix_need_raiser_created, the joined ones through ix_need_affected_person,
    each stopping at `limit` (an OR of both would read the whole table)."""
    before = _position(session, before_id)
    if before_id is not None and before is None:
        return []
    conn = session.connection()
    found: list[Row] = []
    for stmt in _PERSON_PAGE[before is not None]:
        found.extend(conn.execute(stmt, {"aad": aad_id, "limit": limit, **(before or {})}))
    found.sort(key=lambda row: (row.created_at, row.id), reverse=True)
    return _with_areas(conn, found[:limit])


def _with_areas(conn, rows: list[Row]) -> list[tuple[Row, Row]]:
    """Each row with its e-area (id, name, name_en)."""
    if not rows:
        return []
    areas = {area.id: area for area in conn.execute(_AREAS, {"ids": sorted({row.e_area_id for row in rows})})}
    return [(row, areas[row.e_area_id]) for row in rows if row.e_area_id in areas]


def _position(session: Session, need_id: int | None) -> dict | None:
    """The keyset parameters (created_at, id) of a need, where a page after (or before) it
    starts; None for the first page or a need that is gone."""
    if need_id is None:
        return None
    row = session.connection().execute(_POSITION, {"id": need_id}).first()
    return {"at": row[0], "at_id": row[1]} if row is not None else None


def count_of_area(session: Session, e_area_id: int, statuses: Iterable[NeedStatus],
                  need_id: int | None = None) -> tuple[int, int]:
    """(the list's length, how many of it come before and with the need `need_id`: where a page
    starts, 0 without one), counted in one pass over the list's index range."""
    at = _position(session, need_id)
    params = {"area": e_area_id, "statuses": list(statuses)}
    if at is None:
        return session.connection().execute(_COUNT, params).scalar_one(), 0
    total, upto = session.connection().execute(_COUNT_UPTO, {**params, **at}).one()
    return total, upto or 0


def index_rows(session: Session, e_area_id: int, after_id: int = 0) -> list[tuple[int, str, str]]:
    """(id, title, description) of an e-area's needs newer than after_id, for the similarity index.

    Read by the id range (few rows: what came since the last lookup): `e_area_id + 0` keeps the
    planner off the e-area's index, which would walk all of the e-area's needs and sort them."""
    stmt = (select(Need.id, Need.title, func.substr(Need.description, 1, 600))
            .where((Need.e_area_id + literal_column("0")) == e_area_id, Need.id > after_id).order_by(Need.id))
    return [(row[0], row[1], row[2] or "") for row in session.exec(stmt)]


def index_chunk(engine, after_id: int, limit: int) -> list[tuple[int, int, str, str]]:
    """(id, e-area, title, description) of the needs after `after_id`, for the similarity index's
    start-up build. Read on a connection of its own, outside any unit of work: on SQLite a plain
    read (no BEGIN IMMEDIATE, so the write lock is never taken), on PostgreSQL a short read."""
    mark = "?" if engine.dialect.name == "sqlite" else "%s"
    sql = f"SELECT id, e_area_id, title, substr(description, 1, 600) FROM need WHERE id > {mark} ORDER BY id LIMIT {mark}"
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(sql, (after_id, limit))
        rows = cursor.fetchall()
        raw.rollback()
    finally:
        raw.close()
    return [(row[0], row[1], row[2], row[3] or "") for row in rows]


def newest_from(engine, count: int) -> int:
    """The id after which the newest `count` needs start (0 when there are fewer), read like
    index_chunk."""
    mark = "?" if engine.dialect.name == "sqlite" else "%s"
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(f"SELECT id FROM need ORDER BY id DESC LIMIT 1 OFFSET {mark}", (count,))
        row = cursor.fetchone()
        raw.rollback()
    finally:
        raw.close()
    return row[0] if row else 0


def title_matches(session: Session, e_area_ids: list[int], words: list[str], limit: int = 10) -> list[Need]:
    """Needs of these e-areas whose title holds every word, newest first: what `sök` finds while
    the similarity index is being built."""
    if not words or not e_area_ids:
        return []
    stmt = select(Need).where(Need.e_area_id.in_(e_area_ids))
    for word in words[:6]:
        stmt = stmt.where(func.lower(Need.title).contains(word.lower(), autoescape=True))
    return list(session.exec(stmt.order_by(Need.id.desc()).limit(limit)))


def by_ids(session: Session, ids: list[int]) -> dict[int, Need]:
    if not ids:
        return {}
    return {need.id: need for need in session.exec(select(Need).where(Need.id.in_(ids)))}
