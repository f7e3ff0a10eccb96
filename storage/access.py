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
from functools import cache
from typing import Any

from sqlalchemy import Integer, String, bindparam, exists, select
from sqlmodel import Session

from storage import reminders
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
# Under which subjects a basis card is remembered when posted (dialogs/decisions/views.py subject;
# tests/storage/test_access.py holds the two together).
BASIS_SUBJECTS = ("decision-basis:{id}", "decision-basis:{id}:portfolio")
MAX_ID = 2**31 - 1  # ids are 32-bit on PostgreSQL; larger ones exist nowhere


@dataclass(frozen=True)
class Found:
    scope: str | None
    status: str = ""
    relations: frozenset[str] = frozenset()
    flags: frozenset[str] = field(default_factory=frozenset)


def _run(session: Session, stmt, **params: Any):
    """One row of a prepared statement, on the session's connection (no ORM round trip)."""
    return session.connection().execute(stmt, params).first()


_AAD, _KEY, _CONV = bindparam("aad", type_=String), bindparam("key", type_=Integer), bindparam("conv", type_=String)
_ROLES = select(RoleAssignment.scope, RoleAssignment.role).where(RoleAssignment.aad_id == _AAD)


def roles(session: Session, aad_id: str) -> dict[str, frozenset[str]]:
    """The person's roles by scope (e-area slug or "portfolio")."""
    held: dict[str, set[str]] = {}
    if aad_id:
        for scope, role in session.connection().execute(_ROLES, {"aad": aad_id}):
            held.setdefault(scope, set()).add(getattr(role, "value", role))
    return {scope: frozenset(names) for scope, names in held.items()}


def record_offers(session: Session, aad_id: str, need_ids: Iterable[int], now: datetime) -> None:
    """Remember that the similar-need check showed these needs to this person (once each)."""
    rows = [{"need_id": need_id, "aad_id": aad_id, "offered_at": now} for need_id in dict.fromkeys(need_ids)]
    if aad_id and rows:
        insert_missing(session, NeedOffer.__table__, rows, ("need_id", "aad_id"))


def _text(value: Any) -> str:
    return str(getattr(value, "value", value) or "")


def _relations(**named: Any) -> frozenset[str]:
    return frozenset(name for name, present in named.items() if present)


def _posted(first: str, second: str):
    """The record's card was posted in the asking conversation (subjects bound as `first`, `second`)."""
    return exists().where(SentCard.subject.in_([bindparam(first, type_=String), bindparam(second, type_=String)]),
                          SentCard.conversation_id == _CONV)


# Statements are built once; each check only binds the record's id, the person and the conversation.
_NEED = (
    select(EArea.slug, Need.status, Need.raised_by == _AAD,
           exists().where(NeedAffected.need_id == Need.id, NeedAffected.aad_id == _AAD),
           exists().where(NeedOffer.need_id == Need.id, NeedOffer.aad_id == _AAD),
           exists().where(Assessment.need_id == Need.id))
    .join(EArea, EArea.id == Need.e_area_id).where(Need.id == _KEY)
)
_BASIS = (
    select(EArea.slug, DecisionBasis.status, DecisionBasis.escalate,
           select(Decision.outcome).where(Decision.basis_id == DecisionBasis.id, Decision.level == "steering")
           .limit(1).scalar_subquery(),
           Need.raised_by == _AAD, _posted("s1", "s2"))
    .join(Need, Need.id == DecisionBasis.need_id).join(EArea, EArea.id == Need.e_area_id)
    .where(DecisionBasis.id == _KEY)
)
_ASSESSMENT = (
    select(EArea.slug, Need.status, Assessment.escalate, Need.raised_by == _AAD)
    .join(Need, Need.id == Assessment.need_id).join(EArea, EArea.id == Need.e_area_id)
    .where(Assessment.id == _KEY)
)
_DECISION = (
    select(EArea.slug, Need.raised_by == _AAD)
    .select_from(Decision).join(EArea, EArea.id == Decision.e_area_id)
    .join(DecisionBasis, DecisionBasis.id == Decision.basis_id).join(Need, Need.id == DecisionBasis.need_id)
    .where(Decision.id == _KEY)
)
_REMINDER = (
    select(ReminderOccurrence.scope, ReminderOccurrence.status, ReminderOccurrence.conversation_id == _CONV,
           _posted("s1", "s2"))
    .where(ReminderOccurrence.id == _KEY)
)
_PLAN = select(EArea.slug).where(EArea.slug == bindparam("slug", type_=String))


def _need(session: Session, key: int, aad_id: str, conversation_id: str) -> Found | None:
    row = _run(session, _NEED, key=key, aad=aad_id)
    if row is None:
        return None
    slug, status, raiser, affected, offered, assessed = row
    return Found(slug, _text(status), _relations(raiser=raiser, affected=affected, offered=offered),
                 frozenset({"assessed"}) if assessed else frozenset())


def _basis(session: Session, key: int, aad_id: str, conversation_id: str) -> Found | None:
    steering, portfolio = (pattern.format(id=key) for pattern in BASIS_SUBJECTS)
    row = _run(session, _BASIS, key=key, aad=aad_id, conv=conversation_id, s1=steering, s2=portfolio)
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


def _assessment(session: Session, key: int, aad_id: str, conversation_id: str) -> Found | None:
    row = _run(session, _ASSESSMENT, key=key, aad=aad_id)
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


def _decision(session: Session, key: int, aad_id: str, conversation_id: str) -> Found | None:
    row = _run(session, _DECISION, key=key, aad=aad_id)
    return None if row is None else Found(row[0], "decided", _relations(raiser=row[1]))


def _reminder(session: Session, key: int, aad_id: str, conversation_id: str) -> Found | None:
    subject = reminders.subject_of(key)
    row = _run(session, _REMINDER, key=key, conv=conversation_id, s1=subject, s2=subject)
    if row is None:
        return None
    scope, status, sent_here, posted = row
    return Found(scope, _text(status), _relations(audience=bool(conversation_id) and (sent_here or posted)))


def _plan(session: Session, key: str, aad_id: str, conversation_id: str) -> Found | None:
    row = _run(session, _PLAN, slug=key)
    return None if row is None else Found(row[0])


@cache
def _commission_statement():
    from storage.commission_tables import Commission, CommissionApproval, CommissionPerson

    def person(*roles: str):
        wanted = [CommissionPerson.role.in_(roles)] if roles else []
        return exists().where(CommissionPerson.commission_id == Commission.id, CommissionPerson.aad_id == _AAD,
                              *wanted)

    return select(
        Commission.status, Commission.frozen, Commission.decided_version, Commission.created_by == _AAD,
        Commission.lead == _AAD, Commission.responsible_manager == _AAD, person(), person("manager"),
        exists().where(CommissionApproval.commission_id == Commission.id, CommissionApproval.manager == _AAD),
    ).where(Commission.id == _KEY)


def _commission(session: Session, key: int, aad_id: str, conversation_id: str) -> Found | None:
    row = _run(session, _commission_statement(), key=key, aad=aad_id)
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


@cache
def _report_statement():
    from storage.report_tables import StatusReport

    return (select(EArea.slug, StatusReport.status).join(EArea, EArea.id == StatusReport.e_area_id)
            .where(StatusReport.id == _KEY))


def _report(session: Session, key: int, aad_id: str, conversation_id: str) -> Found | None:
    row = _run(session, _report_statement(), key=key)
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
    aad_id, conversation_id = aad_id or "", conversation_id or ""  # "" matches no one and nowhere
    if kind == "plan":
        return loader(session, key, aad_id, conversation_id) if isinstance(key, str) and len(key) <= 60 else None
    if isinstance(key, bool) or not isinstance(key, int) or not 1 <= key <= MAX_ID:
        return None
    return loader(session, key, aad_id, conversation_id)
