"""The need-history table: one row per edit or withdrawal of a need (who, when, what changed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


class NeedChange(SQLModel, table=True):
    """`changes` is JSON {field: [old, new]} in form terms (text as shown in the form).
    `request_key` is the form's business key: a double click or a redelivery writes no second row."""

    __tablename__ = "need_change"
    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True, ondelete="CASCADE")
    request_key: str = Field(max_length=200, unique=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = Field(max_length=64)
    actor_name: str = Field(default="", max_length=200)
    kind: str = Field(default="edited", max_length=20)  # edited | withdrawn
    changes: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
