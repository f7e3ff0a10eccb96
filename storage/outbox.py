"""Outbox rows: written in the transaction of the change they report, claimed and recorded by
whoever sends them (bot/outbox.py).

A claim is a token (`instance:attempt`) and a short lease, taken by a conditional UPDATE on the
token the row had, renewed while the send is in flight. Only the holder of the current token
records the outcome; a sender that lost its claim still adds the ids of what it posted, so a
row sent twice keeps every copy (and `Recipient.updates` reaches them all).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, tuple_, update
from sqlmodel import Session

from storage import org
from storage.models import ChannelPurpose, ConversationRef, SentCard
from storage.outbox_tables import OutboxMessage
from storage.types import utcnow
from storage.upsert import insert_missing

MAX_ERROR = 300
T = OutboxMessage


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
    # Where to post, found in the claim's own trip when the database knows it (None: a person
    # without a 1:1 chat yet, an unlinked channel, or an update of posted copies).
    ref: ConversationRef | None = None

    @property
    def lane(self) -> str:
        """Rows of one lane are sent one after the other, in order."""
        return self.recipient.address


def enqueue(session: Session, *, key: str, to: Recipient, activity: dict, kind: str = "notice",
            subject: str | None = None, now: datetime | None = None,
            due_at: datetime | None = None) -> bool:
    """Add a row unless one with this key exists (a replayed use case sends nothing twice).
    True when added."""
    now = now or utcnow()
    values = {"key": key[:200], "kind": kind, "recipient": to.address, "subject": subject,
              "activity": json.dumps(activity, ensure_ascii=False), "status": "pending", "attempts": 0,
              "created_at": now, "due_at": due_at or now}
    return insert_missing(session, T.__table__, values, ["key"]) == 1


def enqueue_later(session: Session, *, key: str, to: Recipient, activity: dict, kind: str,
                  delay: timedelta) -> bool:
    """A row due after `delay` (e.g. a reply Teams throttled), stamped with the database clock."""
    now = utcnow()
    return enqueue(session, key=key, to=to, activity=activity, kind=kind, now=now, due_at=now + delay)


def _claimable(now: datetime):
    return (T.status == "pending") & (T.due_at <= now) & (T.lease_until.is_(None) | (T.lease_until < now))


def claim(session: Session, instance: str, now: datetime, lease: timedelta, limit: int = 50, *,
          exclude: list[int] | None = None) -> list[Claimed]:
    """Take up to `limit` due rows whose claim is free or expired (not those in `exclude`, which
    the caller is sending). A row is taken by a conditional UPDATE on the token it had, so two
    instances never both hold it."""
    query = select(T.id, T.claim_token, T.attempts).where(_claimable(now))
    if exclude:
        query = query.where(T.id.not_in(exclude))
    candidates = session.execute(query.order_by(T.due_at, T.id).limit(limit)).all()
    return _take(session, instance, now, lease, candidates)


def _take(session: Session, instance: str, now: datetime, lease: timedelta, candidates) -> list[Claimed]:
    tokens: dict[int, str] = {}
    for row_id, old_token, attempts in candidates:
        token = f"{instance}:{attempts + 1}"
        condition = T.claim_token.is_(None) if old_token is None else T.claim_token == old_token
        done = session.execute(
            update(T).where(T.id == row_id, _claimable(now), condition)
            .values(claim_token=token, lease_until=now + lease, attempts=attempts + 1)
        ).rowcount
        if done == 1:
            tokens[row_id] = token
    if not tokens:
        return []
    rows = session.execute(select(T).where(T.id.in_(list(tokens)))).scalars().all()
    return [Claimed(r.id, r.key, r.kind, Recipient(r.recipient), json.loads(r.activity), r.subject,
                    tokens[r.id], r.attempts, resolve(session, Recipient(r.recipient)))
            for r in sorted(rows, key=lambda r: (r.due_at, r.id))]


def resolve(session: Session, to: Recipient) -> ConversationRef | None:
    """The conversation a recipient's message goes to, when the database already knows it."""
    if to.kind == "person":
        return org.personal_ref(session, to.value)
    if to.kind == "linked":
        purpose, scope = to.value.split(":", 1)
        return org.linked_channel(session, ChannelPurpose(purpose), scope)
    if to.kind == "conversation":
        found = session.get(ConversationRef, to.value)
        if found is None and ";messageid=" in to.value:  # a thread: the channel knows the way
            found = session.get(ConversationRef, to.value.split(";messageid=")[0])
            if found is not None:
                found = ConversationRef(**{**found.model_dump(), "conversation_id": to.value})
        return found
    return None


def renew(session: Session, held: list[tuple[int, str]], until: datetime) -> set[int]:
    """Extend the lease of the rows still held by these tokens; the ids still held."""
    if not held:
        return set()
    pairs = tuple_(T.id, T.claim_token).in_(held)
    session.execute(update(T).where(pairs, T.status == "pending").values(lease_until=until))
    return set(session.execute(select(T.id).where(pairs, T.status == "pending")).scalars())


def release(session: Session, held: list[tuple[int, str]]) -> int:
    """Give back claims that were not used (a shutdown): anyone may take them at once."""
    if not held:
        return 0
    return session.execute(
        update(T).where(tuple_(T.id, T.claim_token).in_(held), T.status == "pending").values(lease_until=None)
    ).rowcount


def _held(row_id: int, token: str):
    return (T.id == row_id) & (T.claim_token == token)


def mark_sent(session: Session, row_id: int, token: str, activity_ids: list[str], now: datetime, *,
              conversation_id: str | None = None, subject: str | None = None) -> bool:
    """Record the send; only the holder of the current claim may. The ids of every copy are
    kept even when the claim was lost (the row then was, or will be, sent twice), and, with a
    subject, remembered as posted copies of that card in that conversation."""
    row = session.execute(select(T.activity_ids).where(T.id == row_id)).first()
    known = json.loads(row[0]) if row and row[0] else []
    ids = known + [i for i in activity_ids if i not in known]
    held = session.execute(
        update(T).where(_held(row_id, token))
        .values(status="sent", sent_at=now, lease_until=None, activity_ids=json.dumps(ids))
    ).rowcount == 1
    if not held and ids != known:
        session.execute(update(T).where(T.id == row_id).values(activity_ids=json.dumps(ids)))
    if subject and conversation_id:
        for activity_id in activity_ids:
            remember_copy(session, subject, conversation_id, activity_id, now)
    return held


def remember_copy(session: Session, subject: str, conversation_id: str, activity_id: str, now: datetime) -> None:
    """One posted copy of a card; a second copy in the same conversation is kept beside the first."""
    found = session.execute(select(SentCard.id).where(
        SentCard.subject == subject, SentCard.conversation_id == conversation_id,
        SentCard.activity_id == activity_id)).first()
    if found is None:
        session.add(SentCard(subject=subject, conversation_id=conversation_id, activity_id=activity_id,
                             sent_at=now))


@dataclass(frozen=True)
class Outcome:
    """What became of one claimed row, recorded with others in one trip (see `record`)."""

    row_id: int
    token: str
    state: str  # sent | retry | failed
    now: datetime
    activity_ids: tuple[str, ...] = ()
    conversation_id: str | None = None
    subject: str | None = None
    due_at: datetime | None = None
    error: str = ""


def record(session: Session, outcomes: list[Outcome]) -> set[int]:
    """Record several outcomes, each fenced on its own claim; the ids whose claim still held."""
    held = set()
    for o in outcomes:
        if o.state == "sent":
            done = mark_sent(session, o.row_id, o.token, list(o.activity_ids), o.now,
                             conversation_id=o.conversation_id, subject=o.subject)
        elif o.state == "failed":
            done = mark_failed(session, o.row_id, o.token, o.error or "failed", o.now)
        else:
            done = retry_later(session, o.row_id, o.token, o.due_at or o.now, o.error)
        if done:
            held.add(o.row_id)
    return held


def retry_later(session: Session, row_id: int, token: str, due_at: datetime, error: str) -> bool:
    return session.execute(
        update(T).where(_held(row_id, token))
        .values(due_at=due_at, lease_until=None, last_error=error[:MAX_ERROR])
    ).rowcount == 1


def mark_failed(session: Session, row_id: int, token: str, error: str, now: datetime | None = None) -> bool:
    return session.execute(
        update(T).where(_held(row_id, token))
        .values(status="failed", lease_until=None, failed_at=now or utcnow(), last_error=error[:MAX_ERROR])
    ).rowcount == 1


def next_due(session: Session) -> datetime | None:
    return session.execute(select(func.min(T.due_at)).where(T.status == "pending")).scalar()


def rows_for(session: Session, key_prefix: str) -> list[OutboxMessage]:
    """Rows whose key starts with this prefix (tests and the CLI)."""
    return list(session.execute(select(T).where(T.key.startswith(key_prefix)).order_by(T.id)).scalars())
