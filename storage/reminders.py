"""Repository for annual-wheel occurrences: materialise, claim, record delivery and answers.

Every state change that two instances could race on is a single conditional UPDATE (the WHERE
clause states the state it expects), so exactly one writer wins on SQLite (serialised by
BEGIN IMMEDIATE) and on PostgreSQL (the row lock makes the loser re-check the WHERE clause and
update nothing). Functions take the caller's session and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlmodel import Session

from storage import org
from storage.models import ChannelPurpose, ConversationRef, EArea, LinkedChannel, Role, SentCard
from storage.reminder_tables import FINAL_ANSWERS, Answer, OccurrenceStatus, ReminderOccurrence
from storage.types import utcnow
from storage.upsert import insert_missing

T = ReminderOccurrence
DIGEST_KEY = "~digest"  # never a wheel key: those are lower-case letters, digits and dashes
# Delivery rounds before a channel that keeps failing (timeouts, 5xx, long 429s) counts as failed.
MAX_DELIVERY_ROUNDS = 3
OPEN_STATUSES = (OccurrenceStatus.sent.value,)
# A missed reminder is posted ("still relevant?") only when it came due within this long: after a
# long outage, or a wheel file with new activities, the year's backlog is listed in `styra
# reminders status`, not poured into the channel.
MISSED_POST_WINDOW = timedelta(days=45)


def subject_of(occurrence_id: int) -> str:
    """The SentCard subject of an occurrence's card, used to update every copy in place."""
    return f"reminder:{occurrence_id}"


def materialise(session: Session, rows: list[dict]) -> int:
    """Insert occurrences that do not exist yet (INSERT .. ON CONFLICT DO NOTHING); returns how
    many were new. Safe to call from every instance at every tick."""
    if not rows:
        return 0
    now = utcnow()
    values = [
        {"status": OccurrenceStatus.due.value, "attempts": 0, "sent_count": 0,
         "answered_by_name": "", "reason": "", "created_at": now, "updated_at": now, **row}
        for row in rows
    ]
    return insert_missing(session, T.__table__, values, ["activity_key", "period", "scope"])


def mark_missed(session: Session, older_than: datetime, now: datetime) -> int:
    """Due occurrences whose send time lies before `older_than` (Styra was down) are missed: the
    next claim posts each once more, as "missed - still relevant?", never silently dropped."""
    result = session.execute(
        update(T)
        .where(T.status == OccurrenceStatus.due.value, T.send_after < older_than)
        .values(status=OccurrenceStatus.missed.value, missed_at=now, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def _claimable(now: datetime):
    expired = and_(T.status == OccurrenceStatus.claimed.value, T.claim_expires < now)
    missed = and_(T.status == OccurrenceStatus.missed.value, T.due_at >= now - MISSED_POST_WINDOW)
    return and_(T.send_after <= now, or_(T.status == OccurrenceStatus.due.value, missed, expired))


def claim(session: Session, instance: str, now: datetime, lease: timedelta,
          limit: int = 1000) -> list[ReminderOccurrence]:
    """Claim up to `limit` occurrences that are due (or whose claim expired) for `instance`.

    Candidates are read first, then each is taken with a conditional UPDATE; only rows this
    instance actually updated are returned, so two instances never both hold one.
    """
    ids = list(session.execute(
        select(T.id).where(_claimable(now)).order_by(T.send_after, T.id).limit(limit)
    ).scalars())
    won = []
    for occurrence_id in ids:
        result = session.execute(
            update(T)
            .where(T.id == occurrence_id, _claimable(now))
            .values(status=OccurrenceStatus.claimed.value, claimed_by=instance,
                    claim_expires=now + lease, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            won.append(occurrence_id)
    if not won:
        return []
    rows = session.execute(select(T).where(T.id.in_(won)).order_by(T.send_after, T.id)).scalars()
    return list(rows)


def mark_sent(session: Session, occurrence_id: int, conversation_id: str,
              activity_id: str | None, now: datetime, closed: bool = False) -> bool:
    """Record a successful post and remember the activity id (for in-place updates), in one
    transaction. `closed`: nothing to answer (the digest). False if the row was no longer
    claimed (nothing changed)."""
    status = OccurrenceStatus.answered if closed else OccurrenceStatus.sent
    result = session.execute(
        update(T)
        .where(T.id == occurrence_id, T.status == OccurrenceStatus.claimed.value)
        .values(status=status.value, conversation_id=conversation_id,
                activity_id=activity_id, sent_at=now, sent_count=T.sent_count + 1,
                attempts=T.attempts + 1, claimed_by=None, claim_expires=None,
                last_error=None, last_status=None, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if activity_id:
        # Every post is kept (a snooze that wakes posts again): an answer, and the wake-up
        # itself, update each copy in place, so no old copy is left saying "snoozed".
        subject = subject_of(occurrence_id)
        known = session.execute(
            select(SentCard.id).where(SentCard.subject == subject, SentCard.conversation_id == conversation_id,
                                      SentCard.activity_id == activity_id)
        ).first()
        if known is None:
            session.add(SentCard(subject=subject, conversation_id=conversation_id,
                                 activity_id=activity_id))
        session.flush()
    return result.rowcount == 1


def mark_failed(session: Session, occurrence_id: int, now: datetime, *, status: int | None,
                error: str | None, permanent: bool, retry_in: timedelta) -> str:
    """A delivery round failed. Permanent failures and channels that keep failing end as
    `failed` (visible in `styra reminders status`); others go back to `due` for a later round."""
    row = session.get(T, occurrence_id)
    if row is None or row.status != OccurrenceStatus.claimed.value:
        return row.status if row else "gone"
    row.attempts += 1
    row.last_status = status
    row.last_error = (error or "")[:300] or None
    row.claimed_by = None
    row.claim_expires = None
    row.updated_at = utcnow()
    if permanent or row.attempts >= MAX_DELIVERY_ROUNDS:
        row.status = OccurrenceStatus.failed.value
    else:
        row.status = OccurrenceStatus.due.value
        row.send_after = now + retry_in
    session.flush()
    return row.status


def release(session: Session, occurrence_id: int) -> None:
    """Give a claim back untouched (e.g. the e-area's channel was unlinked meanwhile)."""
    session.execute(
        update(T).where(T.id == occurrence_id, T.status == OccurrenceStatus.claimed.value)
        .values(status=OccurrenceStatus.due.value, claimed_by=None, claim_expires=None)
        .execution_options(synchronize_session=False)
    )


def get(session: Session, occurrence_id: int) -> ReminderOccurrence | None:
    return session.get(T, occurrence_id)


def by_key(session: Session, activity_key: str, period: str, scope: str) -> ReminderOccurrence | None:
    return session.execute(
        select(T).where(T.activity_key == activity_key, T.period == period, T.scope == scope)
    ).scalars().first()


def answer(session: Session, occurrence_id: int, kind: Answer, aad_id: str, name: str,
           now: datetime, *, snooze_until: date | None = None, reason: str = "") -> tuple[str, ReminderOccurrence | None]:
    """Record a coordinator's answer. Returns (outcome, row): outcome is "answered", "stale"
    (already closed: the row shows by whom) or "not_open" (not posted yet / failed / missed)."""
    row = session.get(T, occurrence_id)
    if row is None:
        return "not_open", None
    if row.status == OccurrenceStatus.answered.value:
        return "stale", row
    if row.status != OccurrenceStatus.sent.value:
        return "not_open", row
    final = kind in FINAL_ANSWERS
    # Conditional on the state read above: a concurrent answer makes this one stale.
    result = session.execute(
        update(T)
        .where(T.id == occurrence_id, T.status == OccurrenceStatus.sent.value)
        .values(status=OccurrenceStatus.answered.value if final else OccurrenceStatus.sent.value,
                answer=kind.value, answered_by=aad_id, answered_by_name=name[:200],
                answered_at=now, snooze_until=snooze_until if kind is Answer.snoozed else None,
                reason=reason, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.expire(row)
    row = session.get(T, occurrence_id)
    return ("answered" if result.rowcount == 1 else "stale"), row


def wake_snoozed(session: Session, today: date, now: datetime) -> list[ReminderOccurrence]:
    """Snoozes that end today or earlier go back to `due`, to be posted again; the rows woken
    (each by a conditional UPDATE, so two instances never both wake one)."""
    snoozing = and_(T.status == OccurrenceStatus.sent.value, T.answer == Answer.snoozed.value,
                    T.snooze_until <= today)
    woken = []
    for occurrence_id in session.execute(select(T.id).where(snoozing).order_by(T.id)).scalars().all():
        result = session.execute(
            update(T)
            .where(T.id == occurrence_id, snoozing)
            .values(status=OccurrenceStatus.due.value, send_after=now, answer=None,
                    snooze_until=None, escalated_at=None, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            woken.append(occurrence_id)
    if not woken:
        return []
    return list(session.execute(select(T).where(T.id.in_(woken)).order_by(T.id)).scalars())


def unanswered(session: Session) -> list[ReminderOccurrence]:
    """Posted wheel reminders nobody has answered at all and that were not escalated yet."""
    return list(session.execute(
        select(T).where(T.status == OccurrenceStatus.sent.value, T.answer.is_(None),
                        T.escalated_at.is_(None), T.activity_key != DIGEST_KEY)
    ).scalars())


def claim_escalation(session: Session, occurrence_id: int, now: datetime) -> bool:
    """Take the right to escalate once (at most once: set before the chair is told)."""
    result = session.execute(
        update(T)
        .where(T.id == occurrence_id, T.escalated_at.is_(None), T.answer.is_(None),
               T.status == OccurrenceStatus.sent.value)
        .values(escalated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def open_in_area(session: Session, scope: str, sent_before: datetime | None = None) -> list[ReminderOccurrence]:
    """Reminders posted in the e-area and not closed (no answer, started or snoozed)."""
    stmt = select(T).where(T.scope == scope, T.status == OccurrenceStatus.sent.value,
                           T.activity_key != DIGEST_KEY).order_by(T.due_at)
    if sent_before is not None:
        stmt = stmt.where(T.sent_at <= sent_before)
    return list(session.execute(stmt).scalars())


def missed_open(session: Session, scope: str, now: datetime) -> list[ReminderOccurrence]:
    """Reminders of the e-area that were missed while Styra was down, posted (or to be posted)
    as "still relevant?", and have no final answer."""
    waiting = and_(T.status == OccurrenceStatus.missed.value, T.due_at >= now - MISSED_POST_WINDOW)
    posted = T.status.in_((OccurrenceStatus.due.value, OccurrenceStatus.claimed.value, OccurrenceStatus.sent.value))
    return list(session.execute(
        select(T).where(T.scope == scope, T.missed_at.is_not(None), T.activity_key != DIGEST_KEY,
                        or_(waiting, posted))
    ).scalars())


def digest_rows(session: Session, scope: str, moment: datetime) -> list[ReminderOccurrence]:
    """What the weekly digest lists: reminders open since before its moment, and the missed ones
    (posted again in the same round, or still waiting to be)."""
    rows = {row.id: row for row in open_in_area(session, scope, moment)}
    rows.update((row.id, row) for row in missed_open(session, scope, moment))
    return sorted(rows.values(), key=lambda row: (row.due_at, row.id))


def in_year(session: Session, scope: str, year: int) -> list[ReminderOccurrence]:
    return list(session.execute(
        select(T).where(T.scope == scope, T.period.like(f"{year:04d}-%"),
                        T.activity_key != DIGEST_KEY)
    ).scalars())


def all_rows(session: Session, *, statuses: tuple[str, ...] | None = None,
             limit: int = 500) -> list[ReminderOccurrence]:
    stmt = select(T).order_by(T.due_at.desc(), T.scope).limit(limit)
    if statuses:
        stmt = stmt.where(T.status.in_(statuses))
    return list(session.execute(stmt).scalars())


def resend(session: Session, activity_key: str, period: str, scope: str, now: datetime) -> ReminderOccurrence | None:
    """An administrator asks for another delivery round (after fixing a channel)."""
    row = by_key(session, activity_key, period, scope)
    if row is None:
        return None
    row.status = OccurrenceStatus.due.value
    row.send_after = now
    row.attempts = 0
    row.claimed_by = None
    row.claim_expires = None
    row.updated_at = utcnow()
    session.flush()
    return row


# --- who the wheel talks to ------------------------------------------------------------------


@dataclass(frozen=True)
class SteeringLink:
    """An e-area's linked steering-group channel, as the tick materialises for it."""

    scope: str
    e_area_id: int | None
    linked_at: datetime


def steering_links(session: Session) -> list[SteeringLink]:
    stmt = (select(LinkedChannel.scope, EArea.id, LinkedChannel.linked_at)
            .join(EArea, EArea.slug == LinkedChannel.scope, isouter=True)
            .where(LinkedChannel.purpose == ChannelPurpose.steering)
            .order_by(LinkedChannel.scope))
    return [SteeringLink(scope, area_id, linked_at) for scope, area_id, linked_at in session.execute(stmt)]


@dataclass(frozen=True)
class SteeringChannel:
    ref: ConversationRef
    area_name: str
    area_name_en: str
    coordinator_ids: tuple[str, ...]  # Teams ids: who gets the card's buttons (its refresh)
    coordinators: tuple[tuple[str, str], ...] = ()  # (Teams id, else AAD id; name): @mentioned


def steering_channels(session: Session, scope: str | None = None) -> dict[str, SteeringChannel]:
    """The linked steering-group channels (or the one of `scope`), by e-area slug."""
    out = {}
    for slug, ref in org.linked_channels(session, ChannelPurpose.steering):
        if scope is not None and slug != scope:
            continue
        area = org.e_area_by_slug(session, slug)
        ids, named = [], []
        for aad in org.holders(session, slug, Role.coordinator):
            person = org.person(session, aad)
            if person is not None and person.teams_id:
                ids.append(person.teams_id)
            if person is not None and person.name:
                named.append((person.teams_id or aad, person.name))
        name = area.name if area else slug
        out[slug] = SteeringChannel(ref, name, (area.name_en if area else None) or name, tuple(ids),
                                    tuple(named))
    return out


@dataclass(frozen=True)
class Chair:
    aad_id: str
    locale: str | None  # the language they chose (or their client's); None: the default
    area_name: str
    area_name_en: str


def chairs(session: Session, scope: str) -> list[Chair]:
    area = org.e_area_by_slug(session, scope)
    name = area.name if area else scope
    name_en = (area.name_en if area else None) or name
    return [Chair(aad, org.language_of_person(org.person(session, aad)), name, name_en)
            for aad in org.holders(session, scope, Role.chair)]
