"""What the outbox and the reminders are doing, for `styra delivery status`, `/healthz` and the
admins' daily notice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlmodel import Session

from storage.outbox_tables import OutboxMessage
from storage.reminder_tables import ReminderOccurrence

T = OutboxMessage
R = ReminderOccurrence
STATES = ("pending", "in_flight", "stuck", "failed", "sent", "superseded")
# A due row nobody is sending this long after it came due is stuck (a dead sender's expired
# claim, or no instance running the outbox).
STUCK_AFTER = timedelta(minutes=5)


@dataclass
class KindStatus:
    kind: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    oldest_due: datetime | None = None  # of the rows waiting (pending or stuck)


def _state(now: datetime, stuck_after: timedelta):
    return case(
        (T.status == "sent", "sent"),
        (T.status == "failed", "failed"),
        (T.status == "superseded", "superseded"),  # a newer card made it pointless
        (T.lease_until > now, "in_flight"),
        (T.due_at < now - stuck_after, "stuck"),
        else_="pending",
    )


def outbox_by_kind(session: Session, now: datetime, stuck_after: timedelta = STUCK_AFTER) -> list[KindStatus]:
    state = _state(now, stuck_after).label("state")
    rows = session.execute(
        select(T.kind, state, func.count(), func.min(T.due_at)).group_by(T.kind, state)
    ).all()
    found: dict[str, KindStatus] = {}
    for kind, st, count, oldest in rows:
        entry = found.setdefault(kind, KindStatus(kind))
        entry.counts[st] = count
        if st in ("pending", "stuck") and (entry.oldest_due is None or oldest < entry.oldest_due):
            entry.oldest_due = oldest
    return [found[k] for k in sorted(found)]


def reminders_by_status(session: Session, now: datetime) -> dict[str, int]:
    """Occurrences per status; `stuck`: claimed by a sender whose claim has run out."""
    counts = dict(session.execute(select(R.status, func.count()).group_by(R.status)).all())
    counts["stuck"] = session.execute(
        select(func.count()).where(R.status == "claimed", R.claim_expires < now)).scalar() or 0
    return counts


@dataclass(frozen=True)
class Lag:
    waiting: int  # due and not being sent
    in_flight: int
    failed: int
    oldest_due_s: float  # how long the oldest waiting row has been due (0 when none)


def lag(session: Session, now: datetime) -> Lag:
    waiting = (T.status == "pending") & (T.due_at <= now) & (T.lease_until.is_(None) | (T.lease_until <= now))
    row = session.execute(select(
        func.count().filter(waiting), func.min(T.due_at).filter(waiting),
        func.count().filter((T.status == "pending") & (T.lease_until > now)),
        func.count().filter(T.status == "failed"),
    )).one()
    oldest = (now - row[1]).total_seconds() if row[1] is not None else 0.0
    return Lag(row[0] or 0, row[2] or 0, row[3] or 0, max(0.0, oldest))


def failures_since(session: Session, since: datetime, exclude_prefix: str) -> dict[str, int]:
    """Rows that failed for good since `since`, per kind (the admins' own notices left out)."""
    rows = session.execute(
        select(T.kind, func.count()).where(T.status == "failed", T.failed_at > since,
                                          ~T.key.startswith(exclude_prefix)).group_by(T.kind)
    ).all()
    found = dict(rows)
    reminders = session.execute(
        select(func.count()).where(R.status == "failed", R.updated_at > since)).scalar() or 0
    if reminders:
        found["reminder"] = found.get("reminder", 0) + reminders
    return found


def last_created(session: Session, key_prefix: str) -> datetime | None:
    return session.execute(select(func.max(T.created_at)).where(T.key.startswith(key_prefix))).scalar()
