"""Repository for commissions (DOMAIN.md §4): drafts, versions, approvals, decision, closing.

Functions take the caller's session and never commit. Every use case that changes a commission
locks its row first (`SELECT … FOR UPDATE`; SQLite serialises writers with BEGIN IMMEDIATE), asks
the pure status machine (bot.rules.commissions) and writes what it answers, so two managers
clicking at once, or one clicking twice, give exactly one answer per manager and version.
`notify(session, change)` runs in the same transaction after the change: the caller enqueues its
follow-up messages there, so they exist exactly when the change does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, select

from bot.rules import commissions as rules
from bot.rules.commissions import Answer, Closure, State, Status
from storage.commission_queries import document, report, state_of, version_row
from storage.commission_tables import (
    Commission,
    CommissionApproval,
    CommissionEvent,
    CommissionPerson,
    CommissionReport,
    CommissionVersion,
)
from storage.counters import next_number

PEOPLE_ROLES = {"lead": "lead", "responsible_manager": "responsible_manager", "participants": "participant",
                "managers": "manager", "project_group": "project_group", "steering_group": "steering_group"}


@dataclass(frozen=True)
class Change:
    """What a use case did, for the caller's follow-up messages."""

    commission: Commission
    document: dict[str, Any]
    notes: tuple[str, ...]
    actor: str
    asked: tuple[str, ...] = ()  # managers asked to approve the newest version
    previous: tuple[str, ...] = ()  # managers whose answers no longer count (the document changed)
    answers: dict[str, str] = field(default_factory=dict)  # manager -> answer, newest version
    comment: str = ""


@dataclass(frozen=True)
class Done:
    commission: Commission | None
    notes: tuple[str, ...] = ()
    error: str | None = None  # msgid when refused; nothing was written

    @property
    def ok(self) -> bool:
        return self.error is None and self.commission is not None


Notify = Callable[[Session, Change], None] | None
E_NOT_FOUND = "There is no such commission."


def to_json(values: dict[str, Any]) -> dict[str, Any]:
    """A document as JSON: dates as ISO text, tuples as lists, enums as their values."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, (date, datetime)):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = [str(v) for v in value]
        elif hasattr(value, "value"):
            value = value.value
        out[key] = value
    return out


# --- writing ---------------------------------------------------------------------------------


def _lock(session: Session, commission_id: int) -> Commission | None:
    # populate_existing: a row read earlier in this session is refreshed with what the lock saw.
    return session.exec(select(Commission).where(Commission.id == commission_id).with_for_update()
                        .execution_options(populate_existing=True)).first()


def _event(session: Session, c: Commission, actor: str, kind: str, now: datetime, **detail: Any) -> None:
    session.add(CommissionEvent(commission_id=c.id, at=now, actor=actor, kind=kind, version=c.version,
                                detail=json.dumps(detail, ensure_ascii=False)))


def _put_state(c: Commission, state: State, now: datetime) -> None:
    c.status, c.version, c.frozen = state.status.value, state.version, state.frozen
    c.decided_version = state.decided_version
    c.closure = state.closure.value if state.closure else None
    c.updated_at = now


def _denormalise(c: Commission, doc: dict[str, Any]) -> None:
    c.title = (doc.get("title") or c.title)[:200]
    c.lead = doc.get("lead") or ""
    c.responsible_manager = doc.get("responsible_manager") or ""
    c.start = date.fromisoformat(doc["start"]) if doc.get("start") else None
    c.end = date.fromisoformat(doc["end"]) if doc.get("end") else None
    c.cadence = doc.get("cadence") or ""


def _put_people(session: Session, c: Commission, doc: dict[str, Any]) -> None:
    session.execute(delete(CommissionPerson).where(CommissionPerson.commission_id == c.id))
    seen: set[tuple[str, str]] = set()
    for name, role in PEOPLE_ROLES.items():
        value = doc.get(name) or []
        for aad in [value] if isinstance(value, str) else value:
            if aad and (aad, role) not in seen:
                seen.add((aad, role))
                session.add(CommissionPerson(commission_id=c.id, aad_id=aad, role=role))


def _ask(session: Session, c: Commission, managers: tuple[str, ...], now: datetime) -> None:
    for position, manager in enumerate(managers):
        session.add(CommissionApproval(commission_id=c.id, version=c.version, manager=manager,
                                       position=position, asked_at=now))


def create_draft(session: Session, *, key: str, creator: str, title: str, kind: str, length: str,
                 fields: dict[str, Any], now: datetime, origin_need_id: int | None = None,
                 origin_commission_id: int | None = None, unit: str = "", step: int = 2) -> Commission:
    """A new draft from step 1; the same form submitted again finds the first one."""
    existing = session.exec(select(Commission).where(Commission.request_key == key)).first()
    if existing is not None:
        return existing
    c = Commission(title=title[:200], kind=kind, length=length, unit=unit[:120], created_by=creator,
                   lead=creator, request_key=key, origin_need_id=origin_need_id,
                   origin_commission_id=origin_commission_id, step=step, created_at=now, updated_at=now)
    session.add(c)
    session.flush()
    doc = to_json({"title": title, "kind": kind, "length": length, **fields})
    session.add(CommissionVersion(commission_id=c.id, version=1, document=json.dumps(doc, ensure_ascii=False),
                                  created_by=creator, created_at=now))
    _event(session, c, creator, "created", now, origin_need_id=origin_need_id,
           origin_commission_id=origin_commission_id)
    return c


def save_draft(session: Session, commission_id: int, *, actor: str, fields: dict[str, Any], now: datetime,
               step: int | None = None, notify: Notify = None) -> Done:
    """Merge the form's fields into the newest version. A version already sent for approval is
    never edited: the change becomes the next version, and approvals in flight start over."""
    c = _lock(session, commission_id)
    if c is None:
        return Done(None, error=E_NOT_FOUND)
    row = version_row(session, c.id, c.version)
    old = json.loads(row.document)
    new = {**old, **to_json(fields)}
    state = state_of(session, c)
    result = rules.apply(state, rules.Edit(changed=new != old))
    if not result.ok:
        return Done(c, error=result.error)
    asked_before = state.approvers
    if rules.N_NEW_VERSION in result.notes:
        row.status = "replaced" if state.status is Status.awaiting_approval else row.status
        _put_state(c, result.state, now)
        session.add(CommissionVersion(commission_id=c.id, version=c.version, created_by=actor, created_at=now,
                                      document=json.dumps(new, ensure_ascii=False),
                                      status="submitted" if c.frozen else "draft",
                                      submitted_at=now if c.frozen else None))
    elif rules.N_UNCHANGED not in result.notes:
        row.document = json.dumps(new, ensure_ascii=False)
    for name in ("kind", "length", "form", "recommended_form", "unit"):
        if name in fields and fields[name] is not None:
            setattr(c, name, to_json({name: fields[name]})[name])
    if c.decided_version is None:
        _denormalise(c, new)
    if step is not None:
        c.step = step
    c.updated_at = now
    _put_people(session, c, new)
    session.flush()
    asked: tuple[str, ...] = ()
    if rules.N_APPROVALS_RESET in result.notes:
        asked = rules.approvers(new.get("responsible_manager") or "", tuple(new.get("managers") or ())) or asked_before
        _ask(session, c, asked, now)
        _event(session, c, actor, "approvals_reset", now, approvers=list(asked))
    else:
        _event(session, c, actor, "saved", now, step=step)
    if notify and rules.N_UNCHANGED not in result.notes:
        notify(session, Change(c, new, result.notes, actor, asked=asked, previous=asked_before if asked else ()))
    return Done(c, result.notes)


def submit(session: Session, commission_id: int, *, actor: str, now: datetime, notify: Notify = None) -> Done:
    """Send the newest version to every manager concerned (approval rows + messages, one transaction)."""
    c = _lock(session, commission_id)
    if c is None:
        return Done(None, error=E_NOT_FOUND)
    doc = document(session, c)
    asked = rules.approvers(doc.get("responsible_manager") or "", tuple(doc.get("managers") or ()))
    result = rules.apply(state_of(session, c), rules.Submit(asked))
    if not result.ok:
        return Done(c, error=result.error)
    if rules.N_NEW_VERSION in result.notes:  # a declined version asked again: same text, next number
        _put_state(c, result.state, now)
        session.add(CommissionVersion(commission_id=c.id, version=c.version, document=json.dumps(doc, ensure_ascii=False),
                                      created_by=actor, created_at=now, status="submitted", submitted_at=now))
    else:
        _put_state(c, result.state, now)
        row = version_row(session, c.id, c.version)
        row.status, row.submitted_at = "submitted", now
    c.step = 4
    session.flush()
    _ask(session, c, asked, now)
    _event(session, c, actor, "submitted", now, approvers=list(asked))
    if notify:
        notify(session, Change(c, doc, result.notes, actor, asked=asked))
    return Done(c, result.notes)


def respond(session: Session, commission_id: int, *, version: int, manager: str, answer: Answer,
            comment: str, now: datetime, prefix: str = "U", notify: Notify = None) -> Done:
    """A manager's answer on one version: written once; the last approval decides and numbers it."""
    c = _lock(session, commission_id)
    if c is None:
        return Done(None, error=E_NOT_FOUND)
    result = rules.apply(state_of(session, c), rules.Respond(manager, version, answer, comment))
    if not result.ok or rules.N_DUPLICATE in result.notes:
        return Done(c, result.notes, result.error)
    table = CommissionApproval.__table__
    written = session.execute(update(table).where(
        table.c.commission_id == c.id, table.c.version == version, table.c.manager == manager,
        table.c.answer.is_(None)).values(answer=answer.value, comment=comment.strip(), answered_at=now)).rowcount
    if written != 1:  # the row lock makes this unreachable; never record a second answer
        return Done(c, (rules.N_DUPLICATE,))
    _put_state(c, result.state, now)
    row = version_row(session, c.id, version)
    _event(session, c, manager, answer.value, now, comment=comment.strip())
    if rules.N_RETURNED in result.notes:
        row.status = "declined"
    if rules.N_DECIDED in result.notes:
        if rules.N_FIRST_DECISION not in result.notes:  # a change decided: the version before steps down
            previous = session.exec(select(CommissionVersion).where(
                CommissionVersion.commission_id == c.id, CommissionVersion.status == "approved")).all()
            for old in previous:
                old.status = "replaced"
        row.status, row.decided_at = "approved", now
        _denormalise(c, json.loads(row.document))
        if rules.N_FIRST_DECISION in result.notes:
            c.number = next_number(session, prefix, now.year)  # taken last: the counter lock is short
            c.decided_at = now
        _event(session, c, manager, "decided", now, number=c.number)
    session.flush()
    if notify:
        notify(session, Change(c, json.loads(row.document), result.notes, manager,
                               asked=result.state.approvers, comment=comment.strip(),
                               answers={m: a.value for m, a in result.state.answers.items()}))
    return Done(c, result.notes)


def start_change(session: Session, commission_id: int, *, actor: str, now: datetime) -> Done:
    """A change of a decided commission: the next version starts as a copy of the one in force."""
    c = _lock(session, commission_id)
    if c is None:
        return Done(None, error=E_NOT_FOUND)
    result = rules.apply(state_of(session, c), rules.StartChange())
    if not result.ok:
        return Done(c, error=result.error)
    doc = document(session, c)
    _put_state(c, result.state, now)
    c.step = 3
    session.add(CommissionVersion(commission_id=c.id, version=c.version, document=json.dumps(doc, ensure_ascii=False),
                                  created_by=actor, created_at=now))
    _event(session, c, actor, "change_started", now)
    return Done(c, result.notes)


def set_registry_number(session: Session, commission_id: int, *, registry_number: str, actor: str,
                        now: datetime) -> Done:
    c = _lock(session, commission_id)
    if c is None:
        return Done(None, error=E_NOT_FOUND)
    if c.decided_version is None:
        return Done(c, error=rules.E_NOT_DECIDED)
    c.registry_number = registry_number.strip()[:60]
    c.updated_at = now
    _event(session, c, actor, "registered", now, registry_number=c.registry_number)
    return Done(c)


def close(session: Session, commission_id: int, *, actor: str, closure: Closure, sections: dict[str, Any],
          now: datetime, notify: Notify = None) -> Done:
    """Close with a final report; the same closing sent twice changes nothing."""
    c = _lock(session, commission_id)
    if c is None:
        return Done(None, error=E_NOT_FOUND)
    if c.status == Status.closed.value and report(session, c.id) is not None:
        return Done(c, (rules.N_DUPLICATE,))
    result = rules.apply(state_of(session, c), rules.Close(closure))
    if not result.ok:
        return Done(c, error=result.error)
    _put_state(c, result.state, now)
    c.closed_at = now
    session.add(CommissionReport(commission_id=c.id, closure=closure.value, written_by=actor, written_at=now,
                                 sections=json.dumps(to_json(sections), ensure_ascii=False)))
    _event(session, c, actor, "closed", now, closure=closure.value)
    session.flush()
    if notify:
        notify(session, Change(c, document(session, c), result.notes, actor))
    return Done(c, result.notes)


def acknowledge(session: Session, commission_id: int, *, actor: str, now: datetime) -> Done:
    """The responsible manager acknowledges the final report (once; again is harmless)."""
    c = _lock(session, commission_id)
    if c is None:
        return Done(None, error=E_NOT_FOUND)
    found = report(session, c.id)
    if found is None:
        return Done(c, error=E_NO_REPORT)
    if actor != c.responsible_manager:
        return Done(c, error=E_NOT_RESPONSIBLE)
    if found.acknowledged_at is not None:
        return Done(c, (rules.N_DUPLICATE,))
    found.acknowledged_by, found.acknowledged_at = actor, now
    _event(session, c, actor, "acknowledged", now)
    return Done(c)


def discard(session: Session, commission_id: int, *, actor: str) -> Done:
    """Throw away a draft never sent for approval (only its writer may)."""
    c = _lock(session, commission_id)
    if c is None or c.created_by != actor:
        return Done(None, error=E_NOT_FOUND)
    result = rules.apply(state_of(session, c), rules.Discard())
    if not result.ok:
        return Done(c, error=result.error)
    session.delete(c)
    return Done(c, result.notes)


E_NO_REPORT = "The commission has no final report yet."
E_NOT_RESPONSIBLE = "Only the responsible manager acknowledges the final report."
