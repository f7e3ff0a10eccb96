"""The facts the access policy (bot/rules/policy.py) decides on, each read in one query.

`facts(session, kind, key, aad_id, conversation_id)` returns the record's e-area, status, a few
flags and how this person relates to it, or None when there is no such record. Kinds and
relations are the policy's names as plain strings (storage knows no rules). Commissions and
status reports are read from their own tables, imported when asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, literal, select
from sqlmodel import Session

from storage.access_tables import NeedOffer
from storage.models import (
    Assessment,
    Decision,
    DecisionBasis,
    EArea,
    Need,
    NeedAffected,
    RoleAssignment,
    SentCard,
)
from storage.reminder_tables import ReminderOccurrence
from storage.upsert import insert_missing

PORTFOLIO_SCOPE = "portfolio"
MAX_ID = 2**31 - 1  # ids are 32-bit on PostgreSQL; larger ones exist nowhere


@dataclass(frozen=True)
class Found:
    scope: str | None
    status: str = ""
    relations: frozenset[str] = frozenset()
    flags: frozenset[str] = field(default_factory=frozenset)


def roles(session: Session, aad_id: str) -> dict[str, frozenset[str]]:
    """The person's roles by scope (e-area slug or "portfolio")."""
    held: dict[str, set[str]] = {}
    if aad_id:
        stmt = select(RoleAssignment.scope, RoleAssignment.role).where(RoleAssignment.aad_id == aad_id)
        for scope, role in session.execute(stmt):
            held.setdefault(scope, set()).add(getattr(role, "value", role))
    return {scope: frozenset(names) for scope, names in held.items()}


def record_offers(session: Session, aad_id: str, need_ids: Iterable[int], now: datetime) -> None:
    """Remember that the similar-need check showed these needs to this person (once each)."""
    rows = [{"need_id": need_id, "aad_id": aad_id, "offered_at": now} for need_id in dict.fromkeys(need_ids)]
    if aad_id and rows:
        insert_missing(session, NeedOffer.__table__, rows, ("need_id", "aad_id"))


def _text(value: Any) -> str:
    return str(getattr(value, "value", value) or "")


def _is(column, aad_id: str):
    return column == aad_id if aad_id else literal(False)


def _posted(subjects: list[str], conversation_id: str | None):
    if not conversation_id:
        return literal(False)
    return exists().where(SentCard.subject.in_(subjects), SentCard.conversation_id == conversation_id)


def _relations(**named: Any) -> frozenset[str]:
    return frozenset(name for name, present in named.items() if present)


def _need(session: Session, key: int, aad_id: str, conversation_id: str | None) -> Found | None:
    stmt = (
        select(EArea.slug, Need.status, _is(Need.raised_by, aad_id),
               exists().where(NeedAffected.need_id == Need.id, _is(NeedAffected.aad_id, aad_id)),
               exists().where(NeedOffer.need_id == Need.id, _is(NeedOffer.aad_id, aad_id)))
        .join(EArea, EArea.id == Need.e_area_id).where(Need.id == key)
    )
    row = session.execute(stmt).first()
    if row is None:
        return None
    slug, status, raiser, affected, offered = row
    return Found(slug, _text(status), _relations(raiser=raiser, affected=affected, offered=offered))


def _steering_outcome():
    return (select(Decision.outcome).where(Decision.basis_id == DecisionBasis.id, Decision.level == "steering")
            .limit(1).scalar_subquery())


def _basis(session: Session, key: int, aad_id: str, conversation_id: str | None) -> Found | None:
    stmt = (
        select(EArea.slug, DecisionBasis.status, DecisionBasis.escalate, _steering_outcome(),
               _is(Need.raised_by, aad_id), _posted([f"basis:{key}", f"basis:{key}:portfolio"], conversation_id))
        .join(Need, Need.id == DecisionBasis.need_id).join(EArea, EArea.id == Need.e_area_id)
        .where(DecisionBasis.id == key)
    )
    row = session.execute(stmt).first()
    if row is None:
        return None
    slug, status, escalate, steering, raiser, posted = row
    steering = _text(steering) or None
    escalated = steering == "escalated" or (steering == "approved" and bool(escalate))
    flags = {"decided"} if _text(status) == "decided" else set()
    if escalated:
        flags.add("escalated")
    if steering is not None:
        flags.add("before_steering")
    return Found(slug, _text(status), _relations(raiser=raiser, audience=posted), frozenset(flags))


def _assessment(session: Session, key: int, aad_id: str, conversation_id: str | None) -> Found | None:
    stmt = (
        select(EArea.slug, Need.status, Assessment.escalate, _is(Need.raised_by, aad_id))
        .join(Need, Need.id == Assessment.need_id).join(EArea, EArea.id == Need.e_area_id)
        .where(Assessment.id == key)
    )
    row = session.execute(stmt).first()
    if row is None:
        return None
    slug, need_status, escalate, raiser = row
    need_status = _text(need_status)
    flags: set[str] = set()
    if need_status == "awaiting_decision":
        flags.add("escalated" if escalate else "before_steering")
    elif need_status not in ("registered", "under_assessment"):
        flags.add("decided")
    return Found(slug, need_status, _relations(raiser=raiser), frozenset(flags))


def _decision(session: Session, key: int, aad_id: str, conversation_id: str | None) -> Found | None:
    stmt = (
        select(EArea.slug, _is(Need.raised_by, aad_id))
        .select_from(Decision).join(EArea, EArea.id == Decision.e_area_id)
        .join(DecisionBasis, DecisionBasis.id == Decision.basis_id).join(Need, Need.id == DecisionBasis.need_id)
        .where(Decision.id == key)
    )
    row = session.execute(stmt).first()
    return None if row is None else Found(row[0], "decided", _relations(raiser=row[1]))


def _reminder(session: Session, key: int, aad_id: str, conversation_id: str | None) -> Found | None:
    here = and_(literal(bool(conversation_id)), ReminderOccurrence.conversation_id == (conversation_id or ""))
    stmt = (select(ReminderOccurrence.scope, ReminderOccurrence.status, here,
                   _posted([f"reminder:{key}"], conversation_id))
            .where(ReminderOccurrence.id == key))
    row = session.execute(stmt).first()
    if row is None:
        return None
    scope, status, sent_here, posted = row
    return Found(scope, _text(status), _relations(audience=bool(sent_here) or bool(posted)))


def _plan(session: Session, key: str, aad_id: str, conversation_id: str | None) -> Found | None:
    slug = session.execute(select(EArea.slug).where(EArea.slug == key)).scalar()
    return None if slug is None else Found(slug)


def _commission(session: Session, key: int, aad_id: str, conversation_id: str | None) -> Found | None:
    from storage.commission_tables import Commission, CommissionApproval, CommissionPerson

    def person(*roles: str):
        wanted = [CommissionPerson.role.in_(roles)] if roles else []
        return exists().where(CommissionPerson.commission_id == Commission.id,
                              _is(CommissionPerson.aad_id, aad_id), *wanted)

    stmt = select(
        Commission.status, Commission.frozen, Commission.decided_version, _is(Commission.created_by, aad_id),
        _is(Commission.lead, aad_id), _is(Commission.responsible_manager, aad_id), person(), person("manager"),
        exists().where(CommissionApproval.commission_id == Commission.id, _is(CommissionApproval.manager, aad_id)),
    ).where(Commission.id == key)
    row = session.execute(stmt).first()
    if row is None:
        return None
    status, frozen, decided_version, author, lead, responsible, takes_part, manager, asked = row
    flags = set()
    if frozen or decided_version is not None or _text(status) != "draft":
        flags.add("sent")
    if decided_version is not None:
        flags.add("decided")
    relations = _relations(author=author, lead=lead, responsible_manager=responsible, participant=takes_part,
                           manager=manager, approving_manager=asked)
    return Found(None, _text(status), relations, frozenset(flags))


def _report(session: Session, key: int, aad_id: str, conversation_id: str | None) -> Found | None:
    from storage.report_tables import StatusReport

    stmt = (select(EArea.slug, StatusReport.status).join(EArea, EArea.id == StatusReport.e_area_id)
            .where(StatusReport.id == key))
    row = session.execute(stmt).first()
    return None if row is None else Found(row[0], _text(row[1]))


LOADERS: dict[str, Callable[..., Found | None]] = {
    "need": _need, "basis": _basis, "assessment": _assessment, "decision": _decision,
    "reminder": _reminder, "plan": _plan, "commission": _commission, "report": _report,
}


def facts(session: Session, kind: str, key: Any, aad_id: str, conversation_id: str | None = None) -> Found | None:
    """The facts of one record for one person; None when it does not exist (or the key cannot name one)."""
    loader = LOADERS.get(kind)
    if loader is None:
        raise KeyError(f"no facts loader for {kind!r}")
    if kind == "plan":
        return loader(session, key, aad_id, conversation_id) if isinstance(key, str) and len(key) <= 60 else None
    if isinstance(key, bool) or not isinstance(key, int) or not 1 <= key <= MAX_ID:
        return None
    return loader(session, key, aad_id, conversation_id)
