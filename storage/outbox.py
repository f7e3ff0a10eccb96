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
from typing import Any

from sqlalchemy import String, cast, delete, exists, func, literal, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from storage.models import ConversationRef, SentCard
from storage.outbox_address import Recipient, lane_of, personal_refs, resolve
from storage.outbox_tables import OutboxLane, OutboxMessage
from storage.types import utcnow
from storage.upsert import inserted

MAX_ERROR = 300
T = OutboxMessage
C = OutboxMessage.__table__.c  # the hot statements are Core: no ORM evaluation of their WHERE


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
    lane: str = ""  # rows of one lane are sent one after the other, in order

    def __post_init__(self) -> None:
        if not self.lane:
            object.__setattr__(self, "lane", self.recipient.address)


@dataclass(frozen=True)
class Batch:
    rows: list[Claimed]
    senders: int  # instances sending now (holding a lane), this one included
    more: bool = False  # due rows were left (the limit, or a lane's share in hand): claim again soon


# After its last post, a lane stays with its sender this long: Teams' 1 s and 2 s per-thread
# windows then hold across a hand-over to another instance.
LANE_REST = timedelta(seconds=2)
# Rows of one lane in hand at once: the burst Teams allows a thread (8 in 2 s).
PER_LANE = 8


def enqueue(session: Session, *, key: str, to: Recipient, activity: dict, kind: str = "notice",
            subject: str | None = None, now: datetime | None = None,
            due_at: datetime | None = None) -> bool:
    """Add a row unless one with this key exists (a replayed use case sends nothing twice).
    True when added."""
    now = now or utcnow()
    values = {"key": key[:200], "kind": kind, "recipient": to.address, "subject": subject,
              "lane": lane_of(session, to)[:400],
              "activity": json.dumps(activity, ensure_ascii=False), "status": "pending", "attempts": 0,
              "created_at": now, "due_at": due_at or now}
    if not session.execute(_insert_row(session), values).first():
        return False
    session.info.setdefault(ENQUEUED, []).append(values["key"])
    return True


ENQUEUED = "styra_outbox_enqueued"  # session.info: the keys of the rows this transaction added
_INSERTS: dict[str, Any] = {}


def _insert_row(session: Session):
    """INSERT … ON CONFLICT (key) DO NOTHING RETURNING key, built once per dialect (hot)."""
    dialect = session.get_bind().dialect.name
    if dialect not in _INSERTS:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        _INSERTS[dialect] = (insert(T.__table__).on_conflict_do_nothing(index_elements=["key"])
                             .returning(C.key))
    return _INSERTS[dialect]


def fill_in(session: Session, placeholder: str, value: str) -> int:
    """Replace a placeholder in the rows this transaction enqueued (e.g. a number handed out
    last, see storage/decisions.number_decision); how many rows had it."""
    keys = session.info.get(ENQUEUED)
    if not keys:
        return 0
    return session.execute(update(T.__table__).where(C.key.in_(keys), C.activity.contains(placeholder, autoescape=True))
                           .values(activity=func.replace(C.activity, placeholder, value))).rowcount


def enqueue_later(session: Session, *, key: str, to: Recipient, activity: dict, kind: str,
                  delay: timedelta) -> bool:
    """A row due after `delay` (e.g. a reply Teams throttled), stamped with the database clock."""
    now = utcnow()
    return enqueue(session, key=key, to=to, activity=activity, kind=kind, now=now, due_at=now + delay)


def _claimable(now: datetime):
    return (T.status == "pending") & (T.due_at <= now) & (T.lease_until.is_(None) | (T.lease_until < now))


def claim(session: Session, instance: str, now: datetime, lease: timedelta, limit: int = 50, *,
          exclude: list[int] | None = None, per_lane: int = PER_LANE) -> list[Claimed]:
    return claim_batch(session, instance, now, lease, limit, exclude=exclude, per_lane=per_lane).rows


def claim_batch(session: Session, instance: str, now: datetime, lease: timedelta, limit: int = 50, *,
                exclude: list[int] | None = None, per_lane: int = PER_LANE) -> Batch:
    """Take up to `limit` due rows whose claim is free or expired, in lanes no other instance
    holds, at most `per_lane` in hand per lane (rows in `exclude` are in the caller's hand).
    Lanes and rows are taken by conditional UPDATEs, so two instances never hold the same."""
    found = _candidates(session, instance, now, limit + 1, exclude, per_lane + 1)
    candidates = [(row_id, lane) for row_id, lane, rn in found if rn <= per_lane][:limit]
    lanes = _take_lanes(session, instance, now, now + lease, sorted({lane for _, lane in candidates}))
    rows = _take(session, instance, now, lease, [row_id for row_id, lane in candidates if lane in lanes])
    return Batch(rows, senders(session, instance, now), more=len(found) > len(candidates))


def due(session: Session, instance: str, now: datetime, exclude: list[int] | None = None) -> bool:
    """Whether `claim_batch` would find a row now: a read, so an idle outbox's poll writes nothing."""
    return bool(_candidates(session, instance, now, 1, exclude, PER_LANE))


def _candidates(session: Session, instance: str, now: datetime, limit: int, exclude: list[int] | None,
                per_lane: int) -> list[tuple[int, str, int]]:
    """Due rows with a free or expired claim, in lanes free for this instance, the first
    `per_lane` of each lane counted with those in hand: (id, lane, place in its lane)."""
    L = OutboxLane
    lane_free = L.lane.is_(None) | (L.holder == instance) | (L.held_until < now)
    ranked = (
        select(T.id, T.lane, T.due_at, T.lease_until,
               func.row_number().over(partition_by=T.lane, order_by=(T.due_at, T.id)).label("rn"))
        .outerjoin(L, L.lane == T.lane)
        .where(T.status == "pending", T.due_at <= now, lane_free)
        .subquery()
    )
    query = select(ranked.c.id, ranked.c.lane, ranked.c.rn).where(
        ranked.c.rn <= per_lane, ranked.c.lease_until.is_(None) | (ranked.c.lease_until < now))
    if exclude:
        query = query.where(ranked.c.id.not_in(exclude))
    return [tuple(r) for r in session.execute(query.order_by(ranked.c.due_at, ranked.c.id).limit(limit))]


def _take_lanes(session: Session, instance: str, now: datetime, until: datetime, lanes: list[str]) -> set[str]:
    """The lanes this instance holds now: its own or expired ones taken over, and new ones."""
    if not lanes:
        return set()
    L = OutboxLane.__table__
    taken = session.execute(update(L).where(L.c.lane.in_(lanes), (L.c.holder == instance) | (L.c.held_until < now))
                            .values(holder=instance, held_until=until).returning(L.c.lane)).scalars().all()
    rest = [lane for lane in lanes if lane not in set(taken)]
    added = inserted(session, L, [{"lane": lane, "holder": instance, "held_until": until} for lane in rest],
                     ["lane"]) if rest else []
    return {*taken, *added}


def senders(session: Session, instance: str, now: datetime) -> int:
    """Instances sending now: this one and every other holding a lane."""
    L = OutboxLane
    others = session.execute(select(func.count(func.distinct(L.holder)))
                             .where(L.held_until > now, L.holder != instance)).scalar()
    return 1 + (others or 0)


def _take(session: Session, instance: str, now: datetime, lease: timedelta, ids: list[int]) -> list[Claimed]:
    """One UPDATE for the batch: the new token is `instance:attempts`; the rows it changed come back."""
    if not ids:
        return []
    token = literal(instance + ":") + cast(T.attempts + 1, String)
    t = T.__table__
    rows = session.execute(update(t).where(t.c.id.in_(ids), _claimable(now))
                           .values(claim_token=token, lease_until=now + lease, attempts=t.c.attempts + 1)
                           .returning(t.c.id, t.c.key, t.c.kind, t.c.recipient, t.c.activity, t.c.subject,
                                      t.c.claim_token, t.c.attempts, t.c.lane, t.c.due_at)).all()
    refs = personal_refs(session, [r.recipient for r in rows])
    return [Claimed(r.id, r.key, r.kind, Recipient(r.recipient), json.loads(r.activity), r.subject,
                    r.claim_token, r.attempts, refs.get(r.recipient) or resolve(session, Recipient(r.recipient)),
                    r.lane)
            for r in sorted(rows, key=lambda r: (r.due_at, r.id))]


def renew(session: Session, held: list[tuple[int, str]], until: datetime, instance: str | None = None) -> set[int]:
    """Extend the lease of the rows still held by these tokens (and the instance's hold on
    their lanes); the ids still held."""
    if not held:
        return set()
    pairs = tuple_(T.id, T.claim_token).in_(held)
    session.execute(update(T).where(pairs, T.status == "pending").values(lease_until=until)
                    .execution_options(synchronize_session=False))
    still = session.execute(select(T.id, T.lane).where(pairs, T.status == "pending")).all()
    if still and instance:
        L = OutboxLane.__table__
        session.execute(update(L).where(L.c.lane.in_({lane for _, lane in still}), L.c.holder == instance)
                        .values(held_until=until))
    return {row_id for row_id, _ in still}


def renew_batch(session: Session, instance: str, held: list[tuple[int, str]], until: datetime,
                now: datetime) -> tuple[set[int], int]:
    """`renew`, and how many instances send now."""
    return renew(session, held, until, instance), senders(session, instance, now)


def release(session: Session, held: list[tuple[int, str]], instance: str | None = None,
            unposted: list[int] = ()) -> int:
    """Give back claims that were not used, and the instance's lanes (a shutdown): anyone may
    take them at once. Rows in `unposted` were never tried: their attempt is not counted."""
    released = 0
    if held:
        mine = tuple_(T.id, T.claim_token).in_(held) & (T.status == "pending")
        released = session.execute(update(T).where(mine).values(lease_until=None)
                                   .execution_options(synchronize_session=False)).rowcount
        if unposted:
            session.execute(update(T).where(mine, T.id.in_(list(unposted)), T.attempts > 0)
                            .values(attempts=T.attempts - 1).execution_options(synchronize_session=False))
    if instance:
        L = OutboxLane.__table__
        session.execute(delete(L).where(L.c.holder == instance))
    return released


def _held(row_id: int, token: str):
    return (C.id == row_id) & (C.claim_token == token)


def mark_sent(session: Session, row_id: int, token: str, activity_ids: list[str], now: datetime, *,
              conversation_id: str | None = None, subject: str | None = None) -> bool:
    """Record the send; only the holder of the current claim may. The ids of every copy are
    kept even when the claim was lost (the row then was, or will be, sent twice), and, with a
    subject, remembered as posted copies of that card in that conversation."""
    fresh = json.dumps(list(activity_ids))
    if session.execute(update(T.__table__).where(_held(row_id, token), C.activity_ids.is_(None))
                       .values(status="sent", sent_at=now, lease_until=None, activity_ids=fresh)).rowcount == 1:
        held = True  # the usual case, one statement: held, and no copy recorded before
    else:
        held = _mark_sent_again(session, row_id, token, activity_ids, now)
    if subject and conversation_id:
        for activity_id in activity_ids:
            remember_copy(session, subject, conversation_id, activity_id, now)
    return held


def _mark_sent_again(session: Session, row_id: int, token: str, activity_ids: list[str], now: datetime) -> bool:
    """`mark_sent` when the claim was lost or an earlier claim's copies are recorded already."""
    row = session.execute(select(C.activity_ids).where(C.id == row_id)).first()
    known = json.loads(row[0]) if row and row[0] else []
    ids = known + [i for i in activity_ids if i not in known]
    held = session.execute(
        update(T.__table__).where(_held(row_id, token))
        .values(status="sent", sent_at=now, lease_until=None, activity_ids=json.dumps(ids))
    ).rowcount == 1
    if not held and ids != known:
        session.execute(update(T.__table__).where(C.id == row_id).values(activity_ids=json.dumps(ids)))
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


def record(session: Session, outcomes: list[Outcome], instance: str | None = None) -> set[int]:
    """Record several outcomes, each fenced on its own claim; the ids whose claim still held.
    A lane left with no row in the instance's hand stays its own for LANE_REST more."""
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
    if instance and outcomes:
        now = max(o.now for o in outcomes)
        L = OutboxLane.__table__
        lanes = select(C.lane).where(C.id.in_([o.row_id for o in outcomes])).scalar_subquery()
        in_hand = exists().where(C.lane == L.c.lane, C.status == "pending", C.lease_until > now,
                                 C.claim_token.startswith(instance + ":"))
        session.execute(update(L).where(L.c.lane.in_(lanes), L.c.holder == instance, ~in_hand)
                        .values(held_until=now + LANE_REST))
    return held


def retry_later(session: Session, row_id: int, token: str, due_at: datetime, error: str) -> bool:
    return session.execute(
        update(T.__table__).where(_held(row_id, token))
        .values(due_at=due_at, lease_until=None, last_error=error[:MAX_ERROR])
    ).rowcount == 1


def mark_failed(session: Session, row_id: int, token: str, error: str, now: datetime | None = None) -> bool:
    return session.execute(
        update(T.__table__).where(_held(row_id, token))
        .values(status="failed", lease_until=None, failed_at=now or utcnow(), last_error=error[:MAX_ERROR])
    ).rowcount == 1


def next_due(session: Session) -> datetime | None:
    return session.execute(select(func.min(T.due_at)).where(T.status == "pending")).scalar()


def rows_for(session: Session, key_prefix: str) -> list[OutboxMessage]:
    """Rows whose key starts with this prefix (tests and the CLI)."""
    return list(session.execute(select(T).where(T.key.startswith(key_prefix)).order_by(T.id)).scalars())


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
