"""Reading commissions (DOMAIN.md §4 and §8): one commission, its versions, approvals, people,
history and report; lists; who may read the document in full. Writing is storage/commissions.py."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from bot.rules.commissions import Answer, Closure, State, Status
from storage.commission_tables import (
    Commission,
    CommissionApproval,
    CommissionEvent,
    CommissionPerson,
    CommissionReport,
    CommissionVersion,
)
from storage.models import Need, Person


def get(session: Session, commission_id: int) -> Commission | None:
    return session.get(Commission, commission_id)


def by_number(session: Session, number: str) -> Commission | None:
    return session.exec(select(Commission).where(Commission.number == number.strip().upper())).first()


def version_row(session: Session, commission_id: int, version: int) -> CommissionVersion | None:
    return session.exec(select(CommissionVersion).where(CommissionVersion.commission_id == commission_id,
                                                        CommissionVersion.version == version)).first()


def document(session: Session, commission: Commission, version: int | None = None) -> dict[str, Any]:
    row = version_row(session, commission.id, version or commission.version)
    return json.loads(row.document) if row else {}


def approvals(session: Session, commission_id: int, version: int | None = None) -> list[CommissionApproval]:
    query = select(CommissionApproval).where(CommissionApproval.commission_id == commission_id)
    if version is not None:
        query = query.where(CommissionApproval.version == version)
    return list(session.exec(query.order_by(CommissionApproval.version, CommissionApproval.position)))


def state_of(session: Session, commission: Commission) -> State:
    rows = approvals(session, commission.id, commission.version)
    return State(status=Status(commission.status), version=commission.version, frozen=commission.frozen,
                 decided_version=commission.decided_version, approvers=tuple(r.manager for r in rows),
                 answers={r.manager: Answer(r.answer) for r in rows if r.answer},
                 closure=Closure(commission.closure) if commission.closure else None)


def people(session: Session, commission_id: int) -> list[CommissionPerson]:
    return list(session.exec(select(CommissionPerson).where(CommissionPerson.commission_id == commission_id)))


def may_read_in_full(session: Session, commission: Commission, aad_id: str) -> bool:
    """The lead, participants, their managers and the responsible manager (DOMAIN.md §8), and
    whoever wrote it or was asked to approve any version."""
    if aad_id in (commission.created_by, commission.lead, commission.responsible_manager):
        return True
    if any(p.aad_id == aad_id for p in people(session, commission.id)):
        return True
    return any(a.manager == aad_id for a in approvals(session, commission.id))


def open_drafts(session: Session, aad_id: str) -> list[Commission]:
    """Drafts this person is writing (never decided), newest first: `nytt uppdrag` continues one."""
    return list(session.exec(select(Commission).where(
        Commission.created_by == aad_id, Commission.status == Status.draft.value,
        Commission.decided_version.is_(None), Commission.frozen.is_(False)).order_by(Commission.id.desc())))


def listing(session: Session, *, mine: str | None = None, active: bool = False, kind: str | None = None,
            unit: str | None = None, limit: int = 50) -> list[Commission]:
    query = select(Commission)
    if mine:
        involved = select(CommissionPerson.commission_id).where(CommissionPerson.aad_id == mine)
        asked = select(CommissionApproval.commission_id).where(CommissionApproval.manager == mine)
        shown = or_(Commission.frozen.is_(True), Commission.decided_version.is_not(None))  # sent at least once
        query = query.where(or_(Commission.created_by == mine,
                                and_(shown, or_(Commission.id.in_(involved), Commission.id.in_(asked)))))
    else:
        query = query.where(Commission.decided_version.is_not(None))  # others' drafts are not listed
    if active:
        query = query.where(Commission.decided_version.is_not(None), Commission.status != Status.closed.value)
    if kind:
        query = query.where(Commission.kind == kind)
    if unit:
        query = query.where(Commission.unit.ilike(f"%{unit}%"))
    return list(session.exec(query.order_by(Commission.id.desc()).limit(limit)))


def versions(session: Session, commission_id: int) -> list[CommissionVersion]:
    return list(session.exec(select(CommissionVersion).where(CommissionVersion.commission_id == commission_id)
                             .order_by(CommissionVersion.version)))


def events(session: Session, commission_id: int) -> list[CommissionEvent]:
    return list(session.exec(select(CommissionEvent).where(CommissionEvent.commission_id == commission_id)
                             .order_by(CommissionEvent.id)))


def report(session: Session, commission_id: int) -> CommissionReport | None:
    return session.exec(select(CommissionReport).where(CommissionReport.commission_id == commission_id)).first()


def report_sections(found: CommissionReport | None) -> dict[str, Any]:
    return json.loads(found.sections or "{}") if found else {}


def names(session: Session, ids: set[str]) -> dict[str, str]:
    """Display names of the people Styra knows (aad id -> name); unknown ids are left out."""
    if not ids:
        return {}
    rows = session.exec(select(Person).where(Person.aad_id.in_(sorted(ids)))).all()
    return {p.aad_id: p.name for p in rows if p.name}


def register_rows(session: Session) -> list[tuple[Commission, dict[str, Any]]]:
    """Every decided commission with the document in force, for the intranet register."""
    rows = session.exec(select(Commission).where(Commission.decided_version.is_not(None))
                        .order_by(Commission.number)).all()
    return [(c, document(session, c, c.decided_version)) for c in rows]




def spawned(session: Session, commission_id: int) -> list[Commission]:
    """Commissions started from this one's ideas (never others' unsent drafts)."""
    return list(session.exec(select(Commission).where(
        Commission.origin_commission_id == commission_id,
        or_(Commission.frozen.is_(True), Commission.decided_version.is_not(None))).order_by(Commission.id)))


def of_need(session: Session, need_id: int) -> list[Commission]:
    """Commissions made from a need (sent at least once), for the need's detail card."""
    return list(session.exec(select(Commission).where(
        Commission.origin_need_id == need_id,
        or_(Commission.frozen.is_(True), Commission.decided_version.is_not(None))).order_by(Commission.id)))


def need_number(session: Session, need_id: int | None) -> str:
    if need_id is None:
        return ""
    need = session.get(Need, need_id)
    return need.number if need else ""


def languages(session: Session, ids: set[str]) -> dict[str, str | None]:
    """The language each person chose (or their client's), None when unknown."""
    if not ids:
        return {}
    rows = session.exec(select(Person.aad_id, func.coalesce(Person.locale, Person.client_locale))
                        .where(Person.aad_id.in_(sorted(ids)))).all()
    return dict(rows)


def teams_ids(session: Session, ids: tuple[str, ...]) -> tuple[str, ...]:
    """Teams user ids (29:…) of these people, for a card's refresh.userIds (order kept)."""
    if not ids:
        return ()
    found = dict(session.exec(select(Person.aad_id, Person.teams_id).where(Person.aad_id.in_(ids))).all())
    return tuple(found[a] for a in ids if found.get(a))


def known_people(session: Session, first: tuple[str, ...] = (), limit: int = 15) -> list[tuple[str, str]]:
    """(aad id, name) of people Styra knows, for pickers: `first` in order, then by name."""
    wanted = [a for a in dict.fromkeys(first) if a]
    named = names(session, set(wanted))
    out = [(a, named[a]) for a in wanted if a in named]
    rest = session.exec(select(Person.aad_id, Person.name).where(Person.name != "", Person.aad_id.not_in(wanted or [""]))
                        .order_by(Person.name).limit(max(limit - len(out), 0))).all()
    return (out + [(a, n) for a, n in rest])[:limit]


def due_for_reminder(session: Session, today: date) -> list[Commission]:
    """Decided, running commissions with a reporting cadence (the tick decides which period is due)."""
    return list(session.exec(select(Commission).where(
        Commission.decided_version.is_not(None), Commission.status != Status.closed.value,
        Commission.cadence != "", or_(Commission.end.is_(None), Commission.end >= today))))


def count_started(session: Session, creator: str, *, need_id: int | None = None,
                  commission_id: int | None = None) -> int:
    """How many commissions this person started from a need or from a network's idea."""
    query = select(func.count()).select_from(Commission).where(Commission.created_by == creator)
    if need_id is not None:
        query = query.where(Commission.origin_need_id == need_id)
    if commission_id is not None:
        query = query.where(Commission.origin_commission_id == commission_id)
    return session.exec(query).one()


def sent_keys(session: Session, keys: list[str]) -> set[str]:
    """Which of these outbox keys were written already (reminders are checked before built)."""
    from storage.outbox_tables import OutboxMessage

    if not keys:
        return set()
    return set(session.exec(select(OutboxMessage.key).where(OutboxMessage.key.in_(keys))).all())
