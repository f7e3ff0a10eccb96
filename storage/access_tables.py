"""What the access policy needs that no other table holds: which needs the similar-need check
offered to whom (only those may be joined as "also affected")."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


class NeedOffer(SQLModel, table=True):
    __tablename__ = "need_offer"
    need_id: int = Field(foreign_key="need.id", primary_key=True, ondelete="CASCADE")
    aad_id: str = Field(primary_key=True, max_length=64)
    offered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
