"""Status reports (DOMAIN.md §5): one row per e-area, period and version, and what it holds.

A version walks draft -> submitted (frozen: `snapshot` keeps what the steering group got)
-> reviewed. Reopening adds the next version as a draft; the old one stays as it was.
`revision` counts saves of a draft: a save names the revision it was based on, so two
coordinators editing at once never overwrite each other unseen.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


def _ts(**kw) -> Field:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kw)


def _text() -> Field:
    return Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class StatusReport(SQLModel, table=True):
    __tablename__ = "status_report"
    __table_args__ = (
        UniqueConstraint("e_area_id", "period", "version", name="uq_report_area_period_version"),
        Index("ix_report_period_status", "period", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    e_area_id: int = Field(foreign_key="e_area.id", ondelete="CASCADE")
    period: str = Field(max_length=8)  # "2026-Q2"
    version: int = 1
    # Plain text (bot.rules.reports.ReportStatus values): no PostgreSQL enum type to migrate.
    status: str = Field(default="draft", max_length=12)
    revision: int = 1
    plan_id: int | None = Field(default=None, foreign_key="plan.id", ondelete="SET NULL")
    # The frame as the plan had it when the draft was opened or last saved.
    frame_sek: int = 0
    frame_hours: int = 0
    committed_sek: int = 0
    committed_hours: int = 0
    outcome_sek: int | None = None
    outcome_hours: int | None = None
    resources_comment: str = _text()
    new_conditions: str = _text()
    extras: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))  # JSON
    created_by: str = Field(max_length=64)
    created_at: datetime = _ts()
    updated_by: str = Field(default="", max_length=64)
    updated_by_name: str = Field(default="", max_length=200)
    updated_at: datetime = _ts()
    submit_key: str | None = Field(default=None, max_length=200, unique=True)
    submitted_by: str | None = Field(default=None, max_length=64)
    submitted_by_name: str = Field(default="", max_length=200)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    snapshot: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))  # JSON at submit
    reviewed_by: str | None = Field(default=None, max_length=64)
    reviewed_by_name: str = Field(default="", max_length=200)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    review_comment: str = _text()


class ReportGoal(SQLModel, table=True):
    __tablename__ = "report_goal"
    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="status_report.id", index=True, ondelete="CASCADE")
    position: int = 0
    goal_id: int = Field(foreign_key="plan_goal.id", ondelete="CASCADE")
    title: str = Field(max_length=300)  # as the goal was titled when reported
    colour: str | None = Field(default=None, max_length=8)
    previous: str | None = Field(default=None, max_length=8)  # colour in the previous period's report
    comment: str = _text()
    forecast: str = _text()


class ReportDimension(SQLModel, table=True):
    __tablename__ = "report_dimension"
    report_id: int = Field(foreign_key="status_report.id", primary_key=True, ondelete="CASCADE")
    name: str = Field(primary_key=True, max_length=12)  # time | cost | resources | scope
    colour: str | None = Field(default=None, max_length=8)
    comment: str = _text()


class ReportDeviation(SQLModel, table=True):
    __tablename__ = "report_deviation"
    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="status_report.id", index=True, ondelete="CASCADE")
    position: int = 0
    ref: str = Field(max_length=32, index=True)  # the same deviation across versions and reports
    kind: str = Field(max_length=20)
    title: str = Field(max_length=200)
    cause: str = _text()
    consequences: str = _text()
    options: str = _text()
    proposal: str = _text()
    extra_hours: int = 0
    extra_sek: int = 0
    changes_goals: bool = False
    whole_portfolio: bool = False
    other_areas: str = Field(default="[]", max_length=500)  # JSON list of e-area slugs
    closed: bool = False
    handling: str = Field(max_length=20)  # bot.rules.reports.Handling, as routed when saved
    escalate: bool = False


class DeviationBasis(SQLModel, table=True):
    """A deviation taken to the steering group: the need that carries its decision basis.

    Keyed by the deviation's ref, so the link survives new versions and later reports, and a
    second click (or a resend) finds it instead of making another basis.
    """

    __tablename__ = "deviation_basis"
    ref: str = Field(primary_key=True, max_length=32)
    need_id: int = Field(foreign_key="need.id", ondelete="CASCADE")
    created_by: str = Field(max_length=64)
    created_at: datetime = _ts()


class ReportRisk(SQLModel, table=True):
    __tablename__ = "report_risk"
    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="status_report.id", index=True, ondelete="CASCADE")
    position: int = 0
    title: str = Field(max_length=200)
    probability: int = 0  # 1-5
    consequence: int = 0  # 1-5
    mitigation: str = _text()


class OutcomeFigure(SQLModel, table=True):
    """Outcome from finance and time reporting (imported), read into the period's draft."""

    __tablename__ = "outcome_figure"
    __table_args__ = (UniqueConstraint("e_area_id", "period", name="uq_outcome_area_period"),)
    id: int | None = Field(default=None, primary_key=True)
    e_area_id: int = Field(foreign_key="e_area.id", ondelete="CASCADE")
    period: str = Field(max_length=8)
    outcome_sek: int = 0
    outcome_hours: int = 0
    source: str = Field(default="", max_length=200)
    imported_by: str = Field(default="", max_length=64)
    imported_at: datetime = _ts()


class ReportFile(SQLModel, table=True):
    """A link to a status-report document (the report, a meeting's agenda or its minutes).

    The document is built when the link is opened, from stored data: a submitted version is
    frozen, so its .docx is the same every time. The token is the only key a browser has, so
    it is long, random and expires; `key` names what the link is for, one live link each.
    """

    __tablename__ = "report_file"
    token: str = Field(primary_key=True, max_length=64)
    key: str = Field(max_length=200, unique=True)  # kind:area id:period:report id:language
    kind: str = Field(max_length=12)  # report | agenda | minutes
    e_area_id: int = Field(foreign_key="e_area.id", ondelete="CASCADE")
    period: str = Field(max_length=8)
    report_id: int | None = Field(default=None, foreign_key="status_report.id", ondelete="CASCADE")
    lang: str = Field(default="sv", max_length=5)
    created_by: str = Field(default="", max_length=64)
    created_at: datetime = _ts()
    expires_at: datetime = Field(sa_type=UTCDateTime)
