"""Outbox rows: written in the transaction of the change they report, claimed and recorded by
whoever sends them (bot/outbox.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from storage.models import ChannelPurpose
from storage.outbox_tables import OutboxMessage
from storage.types import utcnow

MAX_ERROR = 300


@dataclass(frozen=True)
class Recipient:
    """Where an outbox row goes; resolved when it is sent, so a 1:1 chat can be opened then."""

    address: str

    @classmethod
    def person(cls, aad_id: str) -> Recipient:
        return cls(f"person:{aad_id}")

    @classmethod
    def conversation(cls, conversation_id: str) -> Recipient:
        return cls(f"conversation:{conversation_id}")

    @classmethod
    def linked(cls, purpose: ChannelPurpose, scope: str) -> Recipient:
        return cls(f"linked:{purpose.value}:{scope}")

    @classmethod
    def updates(cls, subject: str) -> Recipient:
        """Every posted copy of this subject's card, replaced in place."""
        return cls(f"updates:{subject}")

    @property
    def kind(self) -> str:
        return self.address.split(":", 1)[0]

    @property
    def value(self) -> str:
        return self.address.split(":", 1)[1]


@dataclass(frozen=True)
class Claimed:
    id: int
    key: str
    kind: str
    recipient: Recipient
    activity: dict
    subject: str | None
    token: str
    attempts: int


def enqueue(session: Session, *, key: str, to: Recipient, activity: dict, kind: str = "notice",
            subject: str | None = None, now: datetime | None = None,
            due_at: datetime | None = None) -> bool:
    """Add a row unless one with this key exists (a replayed use case sends nothing twice).
    True when added. One statement (insert, or nothing on a key already there), whoever wins a race."""
    now = now or utcnow()
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(OutboxMessage.__table__).values(
        key=key[:200], kind=kind, recipient=to.address, subject=subject, status="pending", attempts=0,
        activity=json.dumps(activity, ensure_ascii=False), created_at=now, due_at=due_at or now,
    ).on_conflict_do_nothing(index_elements=["key"]).returning(OutboxMessage.__table__.c.id)
    return session.execute(statement).first() is not None


def claim(session: Session, instance: str, now: datetime, lease: timedelta, limit: int = 50) -> list[Claimed]:
    """Take up to `limit` due rows whose claim is free or expired. A row is taken by a
    conditional UPDATE on the token it had, so two instances never both hold it."""
    candidates = session.execute(
        select(OutboxMessage.id, OutboxMessage.claim_token, OutboxMessage.attempts)
        .where(OutboxMessage.status == "pending", OutboxMessage.due_at <= now,
               (OutboxMessage.lease_until.is_(None)) | (OutboxMessage.lease_until < now))
        .order_by(OutboxMessage.due_at, OutboxMessage.id).limit(limit)
    ).all()
    taken: list[int] = []
    tokens: dict[int, str] = {}
    for row_id, old_token, attempts in candidates:
        token = f"{instance}:{attempts + 1}"
        condition = (OutboxMessage.claim_token.is_(None) if old_token is None
                     else OutboxMessage.claim_token == old_token)
        done = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id, OutboxMessage.status == "pending", condition)
            .values(claim_token=token, lease_until=now + lease, attempts=attempts + 1)
        ).rowcount
        if done == 1:
            taken.append(row_id)
            tokens[row_id] = token
    if not taken:
        return []
    rows = session.execute(select(OutboxMessage).where(OutboxMessage.id.in_(taken))).scalars().all()
    return [Claimed(r.id, r.key, r.kind, Recipient(r.recipient), json.loads(r.activity), r.subject,
                    tokens[r.id], r.attempts) for r in sorted(rows, key=lambda r: (r.due_at, r.id))]


def _held(row_id: int, token: str):
    return (OutboxMessage.id == row_id) & (OutboxMessage.claim_token == token)


def mark_sent(session: Session, row_id: int, token: str, activity_ids: list[str], now: datetime) -> bool:
    """Record the send; only the holder of the current claim may. Ids of every copy are kept."""
    row = session.execute(select(OutboxMessage.activity_ids).where(OutboxMessage.id == row_id)).first()
    known = json.loads(row[0]) if row and row[0] else []
    ids = known + [i for i in activity_ids if i not in known]
    return session.execute(
        update(OutboxMessage).where(_held(row_id, token))
        .values(status="sent", sent_at=now, lease_until=None, activity_ids=json.dumps(ids))
    ).rowcount == 1


def retry_later(session: Session, row_id: int, token: str, due_at: datetime, error: str) -> bool:
    return session.execute(
        update(OutboxMessage).where(_held(row_id, token))
        .values(due_at=due_at, lease_until=None, last_error=error[:MAX_ERROR])
    ).rowcount == 1


def mark_failed(session: Session, row_id: int, token: str, error: str) -> bool:
    return session.execute(
        update(OutboxMessage).where(_held(row_id, token))
        .values(status="failed", lease_until=None, last_error=error[:MAX_ERROR])
    ).rowcount == 1


def next_due(session: Session) -> datetime | None:
    return session.execute(
        select(func.min(OutboxMessage.due_at)).where(OutboxMessage.status == "pending")
    ).scalar()


def status_counts(session: Session, now: datetime) -> list[tuple[str, str, int]]:
    """(kind, state, count) with state pending | in_flight | sent | failed."""
    in_flight = (OutboxMessage.status == "pending") & (OutboxMessage.lease_until > now)
    rows = session.execute(
        select(OutboxMessage.kind, OutboxMessage.status, in_flight.label("flying"), func.count())
        .group_by(OutboxMessage.kind, OutboxMessage.status, "flying")
    ).all()
    return sorted((kind, "in_flight" if flying else status, n) for kind, status, flying, n in rows)


def rows_for(session: Session, key_prefix: str) -> list[OutboxMessage]:
    """Rows whose key starts with this prefix (tests and the CLI)."""
    return list(session.execute(
        select(OutboxMessage).where(OutboxMessage.key.startswith(key_prefix)).order_by(OutboxMessage.id)
    ).scalars())


def supersede(session: Session, *to: Recipient, now: datetime) -> int:
    """Newer cards for these recipients make older ones not yet sent pointless: they are marked
    superseded and never sent (a row being sent right now is left alone). The number superseded."""
    if not to:
        return 0
    free = OutboxMessage.lease_until.is_(None) | (OutboxMessage.lease_until < now)
    return session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.recipient.in_([r.address for r in to]), OutboxMessage.status == "pending", free)
        .values(status="superseded")
    ).rowcount
