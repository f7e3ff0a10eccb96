"""Commissions (DOMAIN.md §4, seed 004): the commission, its frozen document versions, one
approval row per manager and version, who takes part, its history and its final report.

Status values are plain text (bot.rules.commissions enums): no PostgreSQL enum types to migrate.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


def _ts(**kw) -> Field:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kw)


def _text(default: str = "") -> Field:
    return Field(default=default, sa_column=Column(Text, nullable=False, server_default=default))


class Commission(SQLModel, table=True):
    __tablename__ = "commission"
    __table_args__ = (Index("ix_commission_status", "status", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    number: str | None = Field(default=None, max_length=30, unique=True)  # U-2026-0007, once decided
    registry_number: str = Field(default="", max_length=60)  # diarienummer, as the registry writes it
    title: str = Field(max_length=200)
    kind: str = Field(max_length=20)  # network | coordination | investigation
    length: str = Field(default="short", max_length=10)
    form: str = Field(default="", max_length=20)  # chosen organisation form
    recommended_form: str = Field(default="", max_length=20)
    unit: str = Field(default="", max_length=120)  # the unit the work belongs to, for lists
    status: str = Field(default="draft", max_length=20)
    closure: str | None = Field(default=None, max_length=12)
    version: int = 1  # the newest version
    frozen: bool = False  # the newest version was sent for approval: it is never edited in place
    decided_version: int | None = None  # the version in force
    step: int = 1  # where the guided form is (1 purpose, 2 organisation, 3 document, 4 done)
    # Denormalised from the version in force (or the draft before a first decision), for lists.
    lead: str = Field(default="", max_length=64, index=True)
    responsible_manager: str = Field(default="", max_length=64, index=True)
    start: date | None = None
    end: date | None = None
    cadence: str = Field(default="", max_length=20)
    origin_need_id: int | None = Field(default=None, foreign_key="need.id", index=True)
    origin_commission_id: int | None = Field(default=None, foreign_key="commission.id")
    created_by: str = Field(max_length=64, index=True)
    request_key: str | None = Field(default=None, max_length=200, unique=True)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CommissionVersion(SQLModel, table=True):
    """The document as it was written for one version; frozen once sent for approval."""

    __tablename__ = "commission_version"
    __table_args__ = (UniqueConstraint("commission_id", "version", name="uq_commission_version"),)
    id: int | None = Field(default=None, primary_key=True)
    commission_id: int = Field(foreign_key="commission.id", index=True, ondelete="CASCADE")
    version: int
    # draft | submitted | approved | declined | replaced (a newer version took over)
    status: str = Field(default="draft", max_length=12)
    document: str = _text("{}")  # JSON: every field of the commission document
    created_by: str = Field(max_length=64)
    created_at: datetime = _ts()
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CommissionApproval(SQLModel, table=True):
    """One row per manager asked for one version; `answer` is written once (NULL while pending)."""

    __tablename__ = "commission_approval"
    __table_args__ = (UniqueConstraint("commission_id", "version", "manager", name="uq_commission_approval"),)
    id: int | None = Field(default=None, primary_key=True)
    commission_id: int = Field(foreign_key="commission.id", index=True, ondelete="CASCADE")
    version: int
    manager: str = Field(max_length=64, index=True)
    position: int = 0  # the responsible manager first
    answer: str | None = Field(default=None, max_length=10)  # approved | declined
    comment: str = _text()
    asked_at: datetime = _ts()
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CommissionPerson(SQLModel, table=True):
    """Who takes part in the newest version, and how (one row per person and role)."""

    __tablename__ = "commission_person"
    commission_id: int = Field(foreign_key="commission.id", primary_key=True, ondelete="CASCADE")
    aad_id: str = Field(primary_key=True, max_length=64, index=True)
    # lead | responsible_manager | participant | manager | project_group | steering_group
    role: str = Field(primary_key=True, max_length=20)


class CommissionEvent(SQLModel, table=True):
    """Append-only history: who did what to which version, when."""

    __tablename__ = "commission_event"
    id: int | None = Field(default=None, primary_key=True)
    commission_id: int = Field(foreign_key="commission.id", index=True, ondelete="CASCADE")
    at: datetime = _ts()
    actor: str = Field(max_length=64)
    kind: str = Field(max_length=30)  # created, saved, submitted, approved, declined, decided, ...
    version: int = 1
    detail: str = _text("{}")


class CommissionReport(SQLModel, table=True):
    """The final report that closes a commission (seed 003's sections for projects)."""

    __tablename__ = "commission_report"
    id: int | None = Field(default=None, primary_key=True)
    commission_id: int = Field(foreign_key="commission.id", unique=True, ondelete="CASCADE")
    closure: str = Field(max_length=12)  # completed | partly | cancelled
    sections: str = _text("{}")  # JSON
    written_by: str = Field(max_length=64)
    written_at: datetime = _ts()
    acknowledged_by: str | None = Field(default=None, max_length=64)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
