"""Styra's tables. Names follow DOMAIN.md's glossary (English in code).

Identities: people are keyed by their Azure AD object id (`aad_id`), which Teams sends as
`from.aadObjectId`; roles and authorisation always use it, never a name.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


def _ts(**kw) -> Field:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kw)


class Role(str, Enum):
    coordinator = "coordinator"
    area_owner = "area_owner"
    chair = "chair"
    deputy_chair = "deputy_chair"
    member = "member"
    portfolio_office = "portfolio_office"
    portfolio_chair = "portfolio_chair"


# Roles that belong to the whole portfolio rather than to one e-area.
PORTFOLIO_ROLES = frozenset({Role.portfolio_office, Role.portfolio_chair})


class EArea(SQLModel, table=True):
    __tablename__ = "e_area"
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, unique=True, index=True)
    name: str = Field(max_length=120)
    name_en: str | None = Field(default=None, max_length=120)
    # New-need notices for the coordinators: "each", "digest" (one a day) or "off"; None: the
    # organisation's default (STYRA_NEED_NOTICES). Set with `aviseringar <e-område> …`.
    need_notices: str | None = Field(default=None, max_length=12)
    created_at: datetime = _ts()


class RoleAssignment(SQLModel, table=True):
    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("scope", "aad_id", "role", name="uq_role_scope_user"),)
    id: int | None = Field(default=None, primary_key=True)
    # scope is the e-area's slug, or "portfolio" for portfolio-wide roles (no NULL in the key).
    scope: str = Field(max_length=60, index=True)
    e_area_id: int | None = Field(default=None, foreign_key="e_area.id", ondelete="CASCADE")
    aad_id: str = Field(max_length=64, index=True)
    role: Role = Field(max_length=20)
    granted_by: str = Field(max_length=64)
    granted_at: datetime = _ts()


class Person(SQLModel, table=True):
    __tablename__ = "person"
    aad_id: str = Field(primary_key=True, max_length=64)
    teams_id: str | None = Field(default=None, max_length=200)
    name: str = Field(default="", max_length=200)
    locale: str | None = Field(default=None, max_length=10)  # chosen language, overrides the client
    # The language of the person's Teams client when they last wrote: what proactive messages use
    # when they have not chosen one (their English client must not get a Swedish notice).
    client_locale: str | None = Field(default=None, max_length=10)
    personal_conversation_id: str | None = Field(default=None, max_length=300)
    welcomed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = _ts()


class ConversationRef(SQLModel, table=True):
    """What a proactive send needs: where the conversation lives and how to reach it."""

    __tablename__ = "conversation_ref"
    conversation_id: str = Field(primary_key=True, max_length=300)
    kind: str = Field(max_length=20)  # personal | channel | groupChat
    service_url: str = Field(max_length=300)
    tenant_id: str | None = Field(default=None, max_length=64)
    team_id: str | None = Field(default=None, max_length=300, index=True)
    channel_id: str | None = Field(default=None, max_length=300)
    name: str | None = Field(default=None, max_length=200)
    bot_id: str | None = Field(default=None, max_length=200)
    aad_id: str | None = Field(default=None, max_length=64, index=True)  # personal chats
    installed: bool = True
    failed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failure: str | None = Field(default=None, max_length=300)
    updated_at: datetime = _ts()


class ChannelPurpose(str, Enum):
    steering = "steering"
    portfolio = "portfolio"
    commission = "commission"  # where decided commissions are announced


class LinkedChannel(SQLModel, table=True):
    __tablename__ = "linked_channel"
    __table_args__ = (UniqueConstraint("purpose", "scope", name="uq_linked_purpose_scope"),)
    id: int | None = Field(default=None, primary_key=True)
    purpose: ChannelPurpose = Field(max_length=20)
    scope: str = Field(max_length=60)  # e-area slug, or "portfolio"
    e_area_id: int | None = Field(default=None, foreign_key="e_area.id", ondelete="CASCADE")
    conversation_id: str = Field(foreign_key="conversation_ref.conversation_id", max_length=300)
    linked_by: str = Field(max_length=64)
    linked_at: datetime = _ts()


class SentCard(SQLModel, table=True):
    """A card Styra posted, so it can be updated in place later; every copy when one was
    posted twice (a send whose answer was lost)."""

    __tablename__ = "sent_card"
    __table_args__ = (UniqueConstraint("subject", "conversation_id", "activity_id", name="uq_sent_copy"),)
    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=120, index=True)  # e.g. "decision-basis:7", "reminder:42"
    conversation_id: str = Field(max_length=300)
    activity_id: str | None = Field(default=None, max_length=300)
    sent_at: datetime = _ts()


class ProcessedActivity(SQLModel, table=True):
    """Activity ids claimed by a turn, so a redelivered activity is processed once. A claim whose
    turn never completed (the process died mid-turn) expires, so Teams' resend is processed."""

    __tablename__ = "processed_activity"
    key: str = Field(primary_key=True, max_length=200)
    processed_at: datetime = _ts(index=True)  # when the turn claimed it
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class BotStateRow(SQLModel, table=True):
    """botbuilder state (dialog stacks, user state) with an eTag for optimistic concurrency."""

    __tablename__ = "bot_state"
    key: str = Field(primary_key=True, max_length=400)
    data: str = Field(sa_column=Column(Text, nullable=False))
    etag: int = 1
    updated_at: datetime = _ts()


class Counter(SQLModel, table=True):
    """Gap-free yearly numbering (B-2026-0042, D-2026-0007)."""

    __tablename__ = "counter"
    name: str = Field(primary_key=True, max_length=40)
    value: int = 0


# --- Plans and needs -------------------------------------------------------------------------


class PlanStatus(str, Enum):
    draft = "draft"
    decided = "decided"


class Plan(SQLModel, table=True):
    __tablename__ = "plan"
    __table_args__ = (UniqueConstraint("e_area_id", "year", name="uq_plan_area_year"),)
    id: int | None = Field(default=None, primary_key=True)
    e_area_id: int = Field(foreign_key="e_area.id", ondelete="CASCADE")
    year: int
    title: str = Field(default="", max_length=200)
    status: PlanStatus = Field(default=PlanStatus.draft, max_length=10)
    frame_sek: int = 0
    frame_hours: int = 0
    # Kept equal to the sum over needs handled within the plan; updated in the same
    # transaction as the assessment so concurrent assessments cannot overspend.
    committed_sek: int = 0
    committed_hours: int = 0
    updated_at: datetime = _ts()


class PlanGoal(SQLModel, table=True):
    __tablename__ = "plan_goal"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True, ondelete="CASCADE")
    position: int = 0
    support_area: str = Field(default="", max_length=200)
    title: str = Field(max_length=300)
    why: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    effect: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    units: str = Field(default="", max_length=500)
    dependencies: str = Field(default="", max_length=500)
    start: str = Field(default="", max_length=200)  # as plans write it: "2024", "Q3 2024", "HT23"
    end: str = Field(default="", max_length=200)
    # A plan's single "Planerad start/slut" column, as written ("Första steg HT23 och fullt 2024")
    period: str = Field(default="", max_length=500)
    # The dates read from start/end/period by bot/rules/plan_periods.py; None when not dated
    starts_on: date | None = None
    ends_on: date | None = None
    # Columns of the imported file Styra has no place for: {header: value}, kept, not dropped
    extra: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    priority: int = 0


class NeedStatus(str, Enum):
    registered = "registered"
    under_assessment = "under_assessment"
    within_plan = "within_plan"
    awaiting_decision = "awaiting_decision"
    inventory = "inventory"
    declined = "declined"
    approved = "approved"
    done = "done"
    withdrawn = "withdrawn"  # by its raiser before it was assessed: kept, never listed as open


OPEN_NEED_STATUSES = (
    NeedStatus.registered,
    NeedStatus.under_assessment,
    NeedStatus.awaiting_decision,
)


class Need(SQLModel, table=True):
    __tablename__ = "need"
    # In the lists' order: an e-area's needs by status and date, a person's raised needs by date.
    __table_args__ = (Index("ix_need_area_status_created", "e_area_id", "status", "created_at", "id"),
                      Index("ix_need_raiser_created", "raised_by", "created_at", "id"))
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)  # B-2026-0042
    e_area_id: int = Field(foreign_key="e_area.id", ondelete="CASCADE")
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    source: str = Field(default="", max_length=40)
    raised_by: str = Field(max_length=64)  # aad id
    raised_by_name: str = Field(default="", max_length=200)
    on_behalf_of: str = Field(default="", max_length=200)
    benefit: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    effort_hours: int | None = None
    cost_sek: int | None = None
    wished_date: date | None = None
    status: NeedStatus = Field(default=NeedStatus.registered, max_length=20)
    # Business idempotency: the same submit delivered twice finds this key and changes nothing.
    request_key: str | None = Field(default=None, max_length=200, unique=True)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class NeedGoal(SQLModel, table=True):
    __tablename__ = "need_goal"
    need_id: int = Field(foreign_key="need.id", primary_key=True, ondelete="CASCADE")
    goal_id: int = Field(foreign_key="plan_goal.id", primary_key=True, ondelete="CASCADE")


class NeedAffected(SQLModel, table=True):
    """People who said "same need, I am affected too" instead of registering a duplicate."""

    __tablename__ = "need_affected"
    __table_args__ = (Index("ix_need_affected_person", "aad_id", "need_id"),)  # `mina behov`
    need_id: int = Field(foreign_key="need.id", primary_key=True, ondelete="CASCADE")
    aad_id: str = Field(primary_key=True, max_length=64)
    name: str = Field(default="", max_length=200)
    added_at: datetime = _ts()


class NeedEvent(SQLModel, table=True):
    """Append-only history of a need: who did what, when."""

    __tablename__ = "need_event"
    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True, ondelete="CASCADE")
    at: datetime = _ts()
    actor: str = Field(max_length=64)
    actor_name: str = Field(default="", max_length=200)
    kind: str = Field(max_length=40)  # registered, affected_added, status_changed, assessed, ...
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))


# --- Assessment, decision bases and decisions (DOMAIN.md §2-3) ------------------------------


class Assessment(SQLModel, table=True):
    """One assessment of a need; a re-assessment adds a row, history keeps both."""

    __tablename__ = "assessment"
    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True, ondelete="CASCADE")
    plan_id: int | None = Field(default=None, foreign_key="plan.id")
    assessor: str = Field(max_length=64)
    serves_goals: bool = False
    goal_ids: str = Field(default="[]", max_length=500)  # JSON list of plan_goal ids
    business_goals: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    hours: int = 0
    cost_sek: int = 0
    urgent: bool = False
    affects_areas: str = Field(default="[]", max_length=500)  # JSON list of e-area slugs
    whole_portfolio: bool = False
    outcome: str = Field(max_length=30)  # within_plan | decision_basis | inventory | declined
    escalate: bool = False
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    request_key: str | None = Field(default=None, max_length=200, unique=True)
    created_at: datetime = _ts()


class BasisStatus(str, Enum):
    anchoring = "anchoring"  # waiting for the area owners
    ready = "ready"  # anchored: posted to the steering group
    decided = "decided"
    sent_back = "sent_back"
    superseded = "superseded"


class DecisionBasis(SQLModel, table=True):
    """The consequence analysis a steering group decides on (versioned per need)."""

    __tablename__ = "decision_basis"
    __table_args__ = (UniqueConstraint("need_id", "version", name="uq_basis_need_version"),)
    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True, ondelete="CASCADE")
    assessment_id: int | None = Field(default=None, foreign_key="assessment.id")
    version: int = 1
    status: BasisStatus = Field(default=BasisStatus.anchoring, max_length=20)
    business_goals: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    risk: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    risk_likelihood: int = 0  # 1-5
    risk_impact: int = 0  # 1-5
    resources: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    hours: int = 0
    cost_sek: int = 0
    dependencies: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    proposal: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    frame_change_sek: int = 0  # proposed change to the plan's frame if approved
    frame_change_hours: int = 0
    escalate: bool = False  # affects the whole portfolio or other e-areas
    created_by: str = Field(max_length=64)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class Anchoring(SQLModel, table=True):
    """An area owner's answer on a decision basis before it goes to the steering group."""

    __tablename__ = "anchoring"
    basis_id: int = Field(foreign_key="decision_basis.id", primary_key=True, ondelete="CASCADE")
    aad_id: str = Field(primary_key=True, max_length=64)
    agreed: bool
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    at: datetime = _ts()


class DecisionOutcome(str, Enum):
    approved = "approved"
    rejected = "rejected"
    deferred = "deferred"
    sent_back = "sent_back"
    escalated = "escalated"


class Decision(SQLModel, table=True):
    """Immutable: one decision per basis and level, with the basis as it was when decided."""

    __tablename__ = "decision"
    __table_args__ = (UniqueConstraint("basis_id", "level", name="uq_decision_basis_level"),
                      Index("ix_decision_area_decided", "e_area_id", "decided_at", "id"))  # `beslut <e-område>`
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)  # D-2026-0007
    basis_id: int = Field(foreign_key="decision_basis.id", index=True)
    level: str = Field(default="steering", max_length=20)  # steering | portfolio
    parent_id: int | None = Field(default=None, foreign_key="decision.id")
    e_area_id: int = Field(foreign_key="e_area.id")
    outcome: DecisionOutcome = Field(max_length=20)
    decided_by: str = Field(max_length=64)
    decided_by_name: str = Field(default="", max_length=200)
    decided_at: datetime = _ts()
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    registry_number: str = Field(default="", max_length=60)  # diarienummer
    basis_snapshot: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))


def _load_feature_tables() -> None:
    """Feature modules named storage/*_tables.py add their tables on import."""
    import importlib
    import pkgutil
    from pathlib import Path

    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name.endswith("_tables"):
            importlib.import_module(f"storage.{info.name}")


_load_feature_tables()
