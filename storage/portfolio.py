"""What the portfolio tab reads: the roll-up of a period with each goal's colour, and one e-area
at a glance (its goals per quarter, frame, needs, decisions, commissions).

The roll-up itself is `storage.report_views.rollup`, the same query the chat card uses; this
module adds what a web page has room for. Functions take the caller's session and never commit;
each page is a handful of grouped queries, whatever the number of needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from bot.rules.reports import Period
from storage import reports as repo
from storage.models import (
    BasisStatus,
    Decision,
    DecisionBasis,
    EArea,
    Need,
    NeedStatus,
    Person,
    Plan,
    PlanGoal,
)
from storage.report_tables import ReportGoal, StatusReport
from storage.report_views import AreaLine, rollup


@dataclass(frozen=True)
class GoalStatus:
    goal_id: int
    title: str
    colour: str | None
    previous: str | None  # the colour in the previous period's report


@dataclass(frozen=True)
class Overview:
    lines: list[AreaLine]  # every e-area, as the chat roll-up has it
    area_ids: dict[str, int]  # slug -> id
    goals: dict[int, list[GoalStatus]]  # report id -> its goals in order
    awaiting_chair: dict[str, int]  # slug -> decision bases before the steering group
    latest_sent: dict[str, str]  # slug -> the newest period with a sent report, up to the period


def overview(session: Session, period: Period) -> Overview:
    lines = rollup(session, period)
    area_ids = dict(session.exec(select(EArea.slug, EArea.id)).all())
    report_ids = [line.report_id for line in lines if line.report_id is not None]
    goals: dict[int, list[GoalStatus]] = {}
    if report_ids:
        rows = session.exec(select(ReportGoal.report_id, ReportGoal.goal_id, ReportGoal.title, ReportGoal.colour,
                                   ReportGoal.previous).where(ReportGoal.report_id.in_(report_ids))
                            .order_by(ReportGoal.report_id, ReportGoal.position, ReportGoal.id))
        for report_id, goal_id, title, colour, previous in rows:
            goals.setdefault(report_id, []).append(GoalStatus(goal_id, title, colour, previous))
    awaiting = dict(session.exec(
        select(EArea.slug, func.count(DecisionBasis.id)).join(Need, Need.e_area_id == EArea.id)
        .join(DecisionBasis, DecisionBasis.need_id == Need.id)
        .where(DecisionBasis.status == BasisStatus.ready).group_by(EArea.slug)).all())
    latest = dict(session.exec(
        select(EArea.slug, func.max(StatusReport.period)).join(StatusReport, StatusReport.e_area_id == EArea.id)
        .where(StatusReport.status.in_(repo.SENT), StatusReport.period <= str(period)).group_by(EArea.slug)).all())
    return Overview(lines, area_ids, goals, awaiting, latest)


# --- one e-area ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuarterReport:
    period: str
    status: str  # submitted | reviewed | draft
    colours: dict[int, str | None]  # plan goal id -> colour


@dataclass(frozen=True)
class DecisionLine:
    number: str
    registry_number: str
    decided_at: datetime
    outcome: str
    level: str
    need_number: str
    title: str


@dataclass(frozen=True)
class CommissionLine:
    number: str
    title: str
    lead: str
    start: str
    end: str


@dataclass(frozen=True)
class AreaDetail:
    area: EArea
    plan: Plan | None
    goals: list[PlanGoal]
    quarters: list[QuarterReport]  # of the year, oldest first; a quarter without a report is absent
    needs_by_status: dict[str, int]
    inventory: list[tuple[str, str]]  # (number, title) of the needs inventory, the first ones
    inventory_total: int
    awaiting_chair: list[tuple[str, str]]  # (need number, title) before the steering group
    decisions: list[DecisionLine]  # newest first, the first ones
    decisions_total: int
    commissions: list[CommissionLine] | None  # None: commissions are not kept by this Styra


def areas(session: Session) -> list[EArea]:
    return list(session.exec(select(EArea).order_by(EArea.name)))


def area_by_id(session: Session, area_id: int) -> EArea | None:
    return session.get(EArea, area_id)


def area_detail(session: Session, area_id: int, year: int, *, drafts: bool, limit: int = 30) -> AreaDetail | None:
    area = session.get(EArea, area_id)
    if area is None:
        return None
    plan = session.exec(select(Plan).where(Plan.e_area_id == area.id, Plan.year == year)).first()
    goals = list(session.exec(select(PlanGoal).where(PlanGoal.plan_id == plan.id)
                              .order_by(PlanGoal.position, PlanGoal.id))) if plan else []
    counts = {getattr(s, "value", s): n for s, n in session.exec(
        select(Need.status, func.count(Need.id)).where(Need.e_area_id == area.id).group_by(Need.status)).all()}
    inventory = [tuple(r) for r in session.exec(
        select(Need.number, Need.title).where(Need.e_area_id == area.id, Need.status == NeedStatus.inventory)
        .order_by(Need.number).limit(limit))]
    awaiting = [tuple(r) for r in session.exec(
        select(Need.number, Need.title).join(DecisionBasis, DecisionBasis.need_id == Need.id)
        .where(Need.e_area_id == area.id, DecisionBasis.status == BasisStatus.ready).order_by(Need.number))]
    decided = session.exec(
        select(Decision.number, Decision.registry_number, Decision.decided_at, Decision.outcome, Decision.level,
               Need.number, Need.title)
        .join(DecisionBasis, DecisionBasis.id == Decision.basis_id).join(Need, Need.id == DecisionBasis.need_id)
        .where(Decision.e_area_id == area.id).order_by(Decision.decided_at.desc(), Decision.id.desc()).limit(limit))
    decisions = [DecisionLine(n, reg or "", at, getattr(o, "value", o), level, need, title)
                 for n, reg, at, o, level, need, title in decided]
    decisions_total = session.exec(select(func.count(Decision.id)).where(Decision.e_area_id == area.id)).one()
    return AreaDetail(area, plan, goals, _quarters(session, area.id, year, drafts), counts, inventory,
                      counts.get(NeedStatus.inventory.value, 0), awaiting, decisions, decisions_total,
                      _commissions(session, area.id, limit))


def _quarters(session: Session, area_id: int, year: int, drafts: bool) -> list[QuarterReport]:
    """Per quarter of the year the newest sent report (a draft only for those who may read it)."""
    reports = session.exec(select(StatusReport).where(
        StatusReport.e_area_id == area_id, StatusReport.period >= f"{year:04d}-Q1",
        StatusReport.period <= f"{year:04d}-Q4").order_by(StatusReport.period, StatusReport.version))
    chosen: dict[str, StatusReport] = {}
    for report in reports:
        sent = report.status in repo.SENT
        if not sent and not drafts:
            continue
        held = chosen.get(report.period)
        if held is None or sent or held.status not in repo.SENT:
            chosen[report.period] = report
    if not chosen:
        return []
    colours: dict[int, dict[int, str | None]] = {}
    for report_id, goal_id, colour in session.exec(select(ReportGoal.report_id, ReportGoal.goal_id, ReportGoal.colour)
                                                   .where(ReportGoal.report_id.in_([r.id for r in chosen.values()]))):
        colours.setdefault(report_id, {})[goal_id] = colour
    return [QuarterReport(period, r.status, colours.get(r.id, {})) for period, r in sorted(chosen.items())]


def _commissions(session: Session, area_id: int, limit: int) -> list[CommissionLine] | None:
    """Decided commissions that came from the e-area's needs, while they run."""
    try:  # commissions are their own tables; a Styra without them shows no such section
        from storage.commission_tables import Commission
    except ImportError:
        return None
    rows = session.exec(
        select(Commission, Person.name).join(Need, Need.id == Commission.origin_need_id)
        .join(Person, Person.aad_id == Commission.lead, isouter=True)
        .where(Need.e_area_id == area_id, Commission.status == "decided")
        .order_by(Commission.number).limit(limit))
    return [CommissionLine(c.number or "", c.title, name or "", c.start.isoformat() if c.start else "",
                           c.end.isoformat() if c.end else "") for c, name in rows]


def person_name(session: Session, aad_id: str) -> str:
    found = session.get(Person, aad_id)
    return found.name if found and found.name else ""
