"""Repository for needs: create, find, list, join as also affected, and the append-only history.

Functions take the caller's session and never commit. Every change to a need adds a NeedEvent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, literal_column
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.counters import give_back, next_number
from storage.models import (
    Counter,
    EArea,
    Need,
    NeedAffected,
    NeedEvent,
    NeedGoal,
    NeedStatus,
    Plan,
    PlanGoal,
    PlanStatus,
)
from storage.org import Area
from storage.types import utcnow


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


_NEED = Need.__table__
_NEED_COLUMNS = [c.name for c in _NEED.columns if c.name != "id"]


# SQLite: the need unless its request key is taken (then no row, no error).
_INSERT_NEW = sqlite.insert(_NEED).on_conflict_do_nothing(index_elements=["request_key"]).returning(_NEED.c.id)
_INSERT_GOAL = insert(NeedGoal.__table__)
_INSERT_EVENT = insert(NeedEvent.__table__)


def create_once(session: Session, *, request_key: str, e_area_id: int, year: int, title: str, description: str,
                source: str, raised_by: str, raised_by_name: str, on_behalf_of: str, benefit: str,
                effort_hours: int | None, cost_sek: int | None, wished_date, goal_ids: Iterable[int] = (),
                at: datetime | None = None) -> tuple[Need, bool]:
    """`create` keyed by the form's request key: (the need, True) when this call made it, or
    (the need already saved under that key, False), also when a concurrent transaction saved
    it first; then nothing of this attempt is kept and its number is given back.

    SQLAlchemy Core, no flush: the number (one statement), the need (INSERT … ON CONFLICT DO
    NOTHING on the key, so the key is not looked up first), its goals and its first event; on
    PostgreSQL number, need and event are one statement. The need returned is not attached to
    the session: it holds what was written, id included."""
    at = at or utcnow()
    conn = session.connection()
    postgres = conn.dialect.name == "postgresql"
    goal_ids = list(dict.fromkeys(goal_ids))
    need = Need(number="", e_area_id=e_area_id, title=title,
                description=description, source=source, raised_by=raised_by,
                raised_by_name=raised_by_name, on_behalf_of=on_behalf_of, benefit=benefit,
                effort_hours=effort_hours, cost_sek=cost_sek, wished_date=wished_date,
                status=NeedStatus.registered, request_key=request_key, created_at=at, updated_at=at)
    row = {name: getattr(need, name) for name in _NEED_COLUMNS}
    if postgres:  # one round trip: the number, the need and its event (_pg_register)
        value, need_id, need.number = conn.execute(_PG_REGISTER, {
            **{f"n_{name}": value for name, value in row.items() if name != "number"}, "series": f"B-{year}",
            "at": at, "actor": raised_by, "actor_name": raised_by_name,
            "goals_tail": '", "goals": ' + json.dumps(goal_ids) + "}"}).one()
        need.number = need.number or f"B-{year}-{value:04d}"
    else:
        need.number = row["number"] = next_number(session, "B", year)
        need_id = conn.execute(_INSERT_NEW, row).scalar()
    if need_id is None:  # the same form saved by a redelivery, in another transaction or before
        give_back(session, need.number)
        found = by_request_key(session, request_key)
        if found is None:
            raise RuntimeError(f"request key {request_key!r} is taken but no need holds it")
        return found, False
    need.id = need_id
    if goal_ids:
        conn.execute(_INSERT_GOAL, [{"need_id": need_id, "goal_id": goal_id} for goal_id in goal_ids])
    if not postgres:
        conn.execute(_INSERT_EVENT, {"need_id": need_id, "actor": raised_by, "actor_name": raised_by_name,
                                     "kind": "registered", "at": at,
                                     "detail": json.dumps({"number": need.number, "goals": goal_ids}, ensure_ascii=False)})
    return need, True


def _pg_register():
    """PostgreSQL: the number drawn, the need inserted unless its key is taken, and its first
    event, as one statement of data-modifying CTEs. Returns (counter value, need id, number);
    id and number are NULL when the key was taken (the caller gives the number back)."""
    from sqlalchemy import Text, cast, literal, true

    counter = Counter.__table__
    drawn = (postgresql.insert(counter).values(name=bindparam("series"), value=1)
             .on_conflict_do_update(index_elements=["name"], set_={"value": counter.c.value + 1})
             .returning(counter.c.value).cte("drawn"))
    digits = cast(drawn.c.value, Text)
    number = bindparam("series", type_=Text) + "-" + func.lpad(digits, func.greatest(4, func.length(digits)), "0")
    columns = [name for name in _NEED_COLUMNS if name != "number"]
    values = select(number, *[cast(bindparam(f"n_{name}", type_=_NEED.c[name].type), _NEED.c[name].type)
                              for name in columns]).select_from(drawn)
    made = (postgresql.insert(_NEED).from_select(["number", *columns], values)
            .on_conflict_do_nothing(index_elements=["request_key"]).returning(_NEED.c.id, _NEED.c.number).cte("made"))
    event = NeedEvent.__table__
    detail = literal('{"number": "', Text) + made.c.number + bindparam("goals_tail", type_=Text)
    first = (insert(event).from_select(
        ["need_id", "at", "actor", "actor_name", "kind", "detail"],
        select(made.c.id, cast(bindparam("at", type_=event.c.at.type), event.c.at.type), bindparam("actor", type_=Text),
               bindparam("actor_name", type_=Text), literal("registered", Text), detail).select_from(made))
        .returning(event.c.id).cte("first_event"))
    return (select(drawn.c.value, made.c.id, made.c.number)
            .select_from(drawn.outerjoin(made, true()).outerjoin(first, true())))


_PG_REGISTER = _pg_register()


def by_id(session: Session, need_id: int) -> Need | None:
    return session.get(Need, need_id)


def by_number(session: Session, number: str) -> Need | None:
    return session.exec(select(Need).where(func.upper(Need.number) == number.strip().upper())).first()


def by_request_key(session: Session, key: str) -> Need | None:
    return session.exec(select(Need).where(Need.request_key == key)).first()


@dataclass(frozen=True)
class FormFacts:
    """What a need form's check reads before the similarity search, in one statement."""

    taken: int | None  # the need already saved under the form's request key
    areas: dict[str, Area]  # every e-area by slug
    plans: dict[int, PlanStatus | None]  # each e-area's plan status for the year (None: no plan)


_E, _P = EArea.__table__, Plan.__table__
_FORM_FACTS = (
    select(_E.c.id, _E.c.slug, _E.c.name, _E.c.name_en, _E.c.need_notices, _P.c.status,
           select(_NEED.c.id).where(_NEED.c.request_key == bindparam("key")).scalar_subquery())
    .select_from(_E.outerjoin(_P, (_P.c.e_area_id == _E.c.id) & (_P.c.year == bindparam("year"))))
    .order_by(_E.c.name)
)


def form_facts(session: Session, key: str, year: int) -> FormFacts:
    """The request key looked up, the e-areas and their plans' status, in one trip (a plan is
    unique per e-area and year)."""
    rows = session.connection().execute(_FORM_FACTS, {"key": key, "year": year}).all()
    if not rows:  # no e-area at all: still answer whether the key is taken
        return FormFacts(session.connection().execute(select(_NEED.c.id).where(_NEED.c.request_key == key)).scalar(), {}, {})
    return FormFacts(rows[0][6], {row[1]: Area(*row[:5]) for row in rows},
                     {row[0]: None if row[5] is None else PlanStatus(row[5]) for row in rows})


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


_joined = NeedAffected.__table__
_IDS = bindparam("ids", expanding=True)
_AFFECTED_COUNTS = select(_joined.c.need_id, func.count()).where(_joined.c.need_id.in_(_IDS)).group_by(_joined.c.need_id)
_JOINED_OF = select(_joined.c.need_id).where(_joined.c.aad_id == bindparam("aad"), _joined.c.need_id.in_(_IDS))


def index_rows(session: Session, e_area_id: int, after_id: int = 0) -> list[tuple[int, str, str]]:
    """(id, title, description) of an e-area's needs newer than after_id, for the similarity index.

    Read by the id range (few rows: what came since the last lookup): `e_area_id + 0` keeps the
    planner off the e-area's index, which would walk all of the e-area's needs and sort them."""
    return [(row[0], row[1], row[2] or "") for row in
            session.connection().execute(_INDEX_ROWS, {"area": e_area_id, "after": after_id})]


# Core and built once: this runs on every similarity check.
_INDEX_ROWS = (select(_NEED.c.id, _NEED.c.title, func.substr(_NEED.c.description, 1, 600))
               .where((_NEED.c.e_area_id + literal_column("0")) == bindparam("area"), _NEED.c.id > bindparam("after"))
               .order_by(_NEED.c.id))


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
