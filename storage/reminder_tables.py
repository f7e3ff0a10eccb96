"""The annual wheel's occurrences: one row per activity, period and e-area, delivered once.

The unique key (activity_key, period, scope) is what makes a reminder exist once, whatever
fires the scheduler twice (two instances, a restart, a daylight-saving double hour).
`status` walks due -> claimed -> sent (-> answered), or ends in failed / missed.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


class OccurrenceStatus(str, Enum):
    due = "due"  # materialised, waiting to be claimed
    claimed = "claimed"  # one instance is sending it (claim_expires says until when)
    sent = "sent"  # posted in the steering-group channel, no final answer yet
    answered = "answered"  # done or not applicable: nothing more to do
    failed = "failed"  # the channel refused it (permanent) or kept failing
    missed = "missed"  # due while Styra was down, older than the grace period: posted once as
    # "missed - still relevant?" (then sent; `missed_at` keeps that it was missed)


class Answer(str, Enum):
    done = "done"
    started = "started"
    snoozed = "snoozed"
    not_applicable = "not_applicable"


# Final answers close the occurrence; "started" and "snoozed" leave it open.
FINAL_ANSWERS = (Answer.done, Answer.not_applicable)


class ReminderOccurrence(SQLModel, table=True):
    __tablename__ = "reminder_occurrence"
    __table_args__ = (
        UniqueConstraint("activity_key", "period", "scope", name="uq_occurrence_key"),
        Index("ix_occurrence_status_send", "status", "send_after"),
    )
    id: int | None = Field(default=None, primary_key=True)
    activity_key: str = Field(max_length=64)  # wheel key, or "~digest" for the weekly digest
    period: str = Field(max_length=10)  # "2026-03"; "2026-W47" for digests
    scope: str = Field(max_length=60, index=True)  # e-area slug
    e_area_id: int | None = Field(default=None, foreign_key="e_area.id", ondelete="CASCADE")
    due_at: datetime = Field(sa_type=UTCDateTime)  # when the wheel says it goes out
    send_after: datetime = Field(sa_type=UTCDateTime)  # due_at, or a snooze's wake-up
    answer_by: date | None = None
    # Plain text columns (values of OccurrenceStatus / Answer): no PostgreSQL enum types to migrate.
    status: str = Field(default=OccurrenceStatus.due.value, max_length=12)

    claimed_by: str | None = Field(default=None, max_length=64)
    claim_expires: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0  # delivery rounds (each may retry inside the deliverer)
    last_status: int | None = None
    last_error: str | None = Field(default=None, max_length=300)

    conversation_id: str | None = Field(default=None, max_length=300)
    activity_id: str | None = Field(default=None, max_length=300)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_count: int = 0  # posts made (1 normally; +1 per snooze wake-up)

    answer: str | None = Field(default=None, max_length=20)
    answered_by: str | None = Field(default=None, max_length=64)
    answered_by_name: str = Field(default="", max_length=200)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    snooze_until: date | None = None
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))

    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # When a tick found it missed (due while Styra was down, past the grace period); it stays
    # set, so the card, the digest and `styra reminders status` can say so after it is posted.
    missed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
