"""Pages of needs for the lists (an e-area's needs, a person's, the ones waiting for assessment)
and where a page stands in its list: prebuilt Core statements over the lists' own indexes."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Row, bindparam, case, func, tuple_
from sqlmodel import Session, select

from storage.models import EArea, Need, NeedAffected, NeedStatus
from storage.types import UTCDateTime

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
