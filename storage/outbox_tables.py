"""The outbox: every message Styra sends after an answer, written with the change that causes it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "due_at"), Index("ix_outbox_lane", "lane", "status"))
    id: int | None = Field(default=None, primary_key=True)
    # The business key (e.g. "need:42:notice:<aad>"): a use case replayed adds no second row.
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=40)  # notice, post, update, reminder, ... (for status per kind)
    # person:<aad id> | conversation:<id> | linked:<purpose>:<scope> | updates:<subject>
    recipient: str = Field(max_length=400)
    # The conversation it goes to, when known at enqueue (else the recipient): a lane's rows
    # are sent in order, by one instance at a time (see OutboxLane).
    lane: str = Field(default="", max_length=400)
    activity: str = Field(sa_column=Column(Text, nullable=False))  # the activity JSON
    subject: str | None = Field(default=None, max_length=120)  # remember the posted id under this
    status: str = Field(default="pending", max_length=12)  # pending | sent | failed
    attempts: int = 0
    due_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # A claim: who is sending it (instance:attempt) until when. "Sent" is recorded only by the
    # holder of the current claim.
    claim_token: str | None = Field(default=None, max_length=80)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # for the admins' daily notice
    # JSON list of the ids Teams gave every copy posted (two if it was sent twice).
    activity_ids: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    last_error: str | None = Field(default=None, max_length=300)


class OutboxLane(SQLModel, table=True):
    """Which instance sends to a conversation now. Held while it has the lane's rows in hand
    and a moment after its last post, so Teams' per-thread limits, which one process paces,
    hold for the whole deployment; the number of live holders shares out the app-wide limit."""

    __tablename__ = "outbox_lane"
    lane: str = Field(primary_key=True, max_length=400)
    holder: str = Field(max_length=80)
    held_until: datetime = Field(sa_type=UTCDateTime, index=True)
