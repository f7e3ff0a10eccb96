"""`styra reminders preview`: one reminder posted now, in development, so the wheel can be tried
without waiting for its dates. The occurrence is the real one of its period (created, or taken
as it stands), marked sent; the post itself is an outbox row of the same transaction, remembered
under the occurrence's subject so the answers update it in place like any reminder."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from storage import outbox
from storage.models import ChannelPurpose
from storage.outbox import Recipient
from storage.reminder_tables import OccurrenceStatus
from storage.reminder_tables import ReminderOccurrence as T
from storage.reminders import by_key, subject_of
from storage.types import utcnow

# A row in one of these states has not reached the channel: the preview counts as its post.
NOT_POSTED = (OccurrenceStatus.due.value, OccurrenceStatus.missed.value, OccurrenceStatus.failed.value)


def occurrence(session: Session, *, activity_key: str, period: str, scope: str, e_area_id: int | None,
               due_at: datetime, answer_by: date | None, now: datetime) -> T:
    """The occurrence to show, as posted now (a new row, or the existing one of that period)."""
    row = by_key(session, activity_key, period, scope)
    if row is None:
        row = T(activity_key=activity_key, period=period, scope=scope, e_area_id=e_area_id, due_at=due_at,
                send_after=now, answer_by=answer_by, created_at=utcnow(), updated_at=utcnow())
        session.add(row)
    if row.status in NOT_POSTED:
        row.status = OccurrenceStatus.sent.value
        row.sent_at = now
        row.sent_count = (row.sent_count or 0) + 1
        row.claimed_by = row.claim_expires = row.last_error = row.last_status = None
        row.updated_at = utcnow()
    session.flush()
    return row


def post(session: Session, row: T, activity: dict, now: datetime) -> bool:
    """The card to the e-area's steering-group channel, through the outbox."""
    return outbox.enqueue(session, key=f"reminder-preview:{row.id}:{now.isoformat()}",
                          to=Recipient.linked(ChannelPurpose.steering, row.scope), activity=activity,
                          kind="post", subject=subject_of(row.id), now=now)
