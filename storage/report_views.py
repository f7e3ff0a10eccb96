"""What reports read from the rest of Styra: what happened since the last report, the
portfolio roll-up, imported outcome figures, and a deviation's decision basis.

Functions take the caller's session and never commit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from bot.rules import reports as rules
from bot.rules.reports import Colour, Period, ReportStatus
from storage import reports as repo
from storage.counters import next_number
from storage.models import (
    Assessment,
    Decision,
    DecisionBasis,
    EArea,
    Need,
    NeedEvent,
    NeedStatus,
)
from storage.report_tables import OutcomeFigure, ReportDeviation, ReportGoal, StatusReport

# --- what happened since the last report ---------------------------------------------------------


@dataclass(frozen=True)
class Since:
    start: datetime
    registered: tuple[tuple[str, str], ...]  # (number, title)
    handled: tuple[tuple[str, str, str], ...]  # (number, title, outcome of the assessment)
    decisions: tuple[tuple[str, str, str, str], ...]  # (number, registry number, outcome, need title)


def window_start(session: Session, report: StatusReport, timezone: str) -> datetime:
    """Since the previous submitted report (of this period or the one before), else the period's start."""
    stmt = (select(StatusReport.submitted_at).where(
        StatusReport.e_area_id == report.e_area_id, StatusReport.id != report.id,
        StatusReport.status.in_(repo.SENT), StatusReport.period <= report.period)
        .order_by(StatusReport.submitted_at.desc()))
    found = session.exec(stmt).first()
    if found is not None:
        return found
    start = rules.parse_period(report.period).start
    return datetime.combine(start, time(0), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def since(session: Session, report: StatusReport, until: datetime, timezone: str, limit: int = 50) -> Since:
    start = window_start(session, report, timezone)
    area_id = report.e_area_id
    registered = session.exec(select(Need.number, Need.title).where(
        Need.e_area_id == area_id, Need.created_at > start, Need.created_at <= until).order_by(Need.number).limit(limit))
    handled_rows = session.exec(select(Need.number, Need.title, NeedEvent.detail).join(
        NeedEvent, NeedEvent.need_id == Need.id).where(
        Need.e_area_id == area_id, NeedEvent.kind == "assessed", NeedEvent.at > start, NeedEvent.at <= until)
        .order_by(NeedEvent.at).limit(limit))
    handled = []
    for number, title, detail in handled_rows:
        handled.append((number, title, json.loads(detail or "{}").get("outcome", "")))
    decided = session.exec(select(Decision.number, Decision.registry_number, Decision.outcome, Need.title).join(
        DecisionBasis, DecisionBasis.id == Decision.basis_id).join(Need, Need.id == DecisionBasis.need_id).where(
        Decision.e_area_id == area_id, Decision.decided_at > start, Decision.decided_at <= until)
        .order_by(Decision.decided_at).limit(limit))
    return Since(start, tuple(tuple(r) for r in registered), tuple(handled),
                 tuple((n, reg, getattr(o, "value", o), title) for n, reg, o, title in decided))


def needs_next_year(session: Session, e_area_id: int, limit: int = 40) -> list[tuple[str, str]]:
    """The needs inventory of the e-area (the June report's needs for next year)."""
    stmt = (select(Need.number, Need.title).where(Need.e_area_id == e_area_id, Need.status == NeedStatus.inventory)
            .order_by(Need.number).limit(limit))
    return [tuple(r) for r in session.exec(stmt)]


# --- the portfolio roll-up -------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaLine:
    slug: str
    name: str
    name_en: str
    period: str  # the period of the report shown ('' when none)
    status: str  # draft | submitted | reviewed | none
    version: int
    counts: dict[Colour, int] = field(default_factory=dict)
    worst: Colour | None = None
    open_deviations: int = 0
    escalations: int = 0
    used_percent: int | None = None
    submitted_on: datetime | None = None
    report_id: int | None = None


def rollup(session: Session, period: Period) -> list[AreaLine]:
    """Every e-area's newest sent report of `period` (or its draft, or nothing), for one card."""
    areas = list(session.exec(select(EArea).order_by(EArea.name)))
    reports = list(session.exec(select(StatusReport).where(StatusReport.period == str(period))
                                .order_by(StatusReport.e_area_id, StatusReport.version)))
    chosen: dict[int, StatusReport] = {}
    for report in reports:  # the newest sent version wins; a draft only when nothing was sent
        held = chosen.get(report.e_area_id)
        if held is None or report.status in repo.SENT or held.status not in repo.SENT:
            chosen[report.e_area_id] = report
    ids = [r.id for r in chosen.values()]
    goals: dict[int, list[Colour | None]] = {}
    devs: dict[int, list[bool]] = {}  # report id -> escalate, per open deviation
    if ids:
        for rid, colour in session.exec(select(ReportGoal.report_id, ReportGoal.colour)
                                        .where(ReportGoal.report_id.in_(ids))):
            goals.setdefault(rid, []).append(Colour(colour) if colour else None)
        stmt = select(ReportDeviation.report_id, ReportDeviation.escalate).where(
            ReportDeviation.report_id.in_(ids), ReportDeviation.closed.is_(False))
        for rid, escalate in session.exec(stmt):
            devs.setdefault(rid, []).append(bool(escalate))
    out = []
    for area in areas:
        report = chosen.get(area.id)
        if report is None:
            out.append(AreaLine(area.slug, area.name, area.name_en or area.name, "", "none", 0))
            continue
        colours = goals.get(report.id, [])
        open_devs = devs.get(report.id, [])
        used = rules.frame_used_percent(report.outcome_sek, report.frame_sek) if report.outcome_sek is not None else None
        out.append(AreaLine(
            area.slug, area.name, area.name_en or area.name, report.period, report.status, report.version,
            rules.counts(colours), rules.worst(colours), len(open_devs), sum(open_devs),
            used, report.submitted_at, report.id))
    return out


def all_submitted(lines: list[AreaLine]) -> bool:
    return bool(lines) and all(line.status in repo.SENT for line in lines)


# --- outcome from finance and time reporting -------------------------------------------------------


def set_outcomes(session: Session, rows: list[tuple[int, str, int, int]], *, source: str, actor: str,
                 now: datetime) -> int:
    """Store (e-area id, period, SEK, hours) rows; the caller has checked every row first.

    A draft of that period takes the figures too (its revision moves, so a form opened before
    the import is told the report changed rather than overwriting the figures).
    """
    for area_id, period, sek, hours in rows:
        found = session.exec(select(OutcomeFigure).where(OutcomeFigure.e_area_id == area_id,
                                                         OutcomeFigure.period == period)).first()
        if found is None:
            found = OutcomeFigure(e_area_id=area_id, period=period)
        found.outcome_sek, found.outcome_hours = sek, hours
        found.source, found.imported_by, found.imported_at = source[:200], actor, now
        session.add(found)
        draft = repo.latest(session, area_id, period)
        if draft is not None and draft.status == ReportStatus.draft.value:
            draft.outcome_sek, draft.outcome_hours = sek, hours
            draft.revision += 1
            draft.updated_by, draft.updated_by_name, draft.updated_at = actor, source[:200], now
            session.add(draft)
    session.flush()
    return len(rows)


# --- a deviation to the steering group ----------------------------------------------------------


@dataclass(frozen=True)
class DeviationCase:
    need: Need
    assessment: Assessment
    created: bool


def deviation_to_need(session: Session, report: StatusReport, ref: str, *, year: int, actor: str,
                      actor_name: str, now: datetime) -> DeviationCase | None:
    """The need (awaiting a decision, assessed as a deviation outside the plan) that carries
    this deviation's decision basis: made once, found again on a second click.

    The decision basis itself is then written, anchored and decided in the existing flow.
    """
    link = repo.basis_link(session, ref)
    if link is not None:
        need = session.get(Need, link.need_id)
        last = session.exec(select(Assessment).where(Assessment.need_id == need.id)
                            .order_by(Assessment.id.desc())).first()
        return DeviationCase(need, last, False)
    dev = repo.deviation(session, report.id, ref)
    if dev is None:
        return None
    description = "\n\n".join(part for part in (dev.cause, dev.consequences) if part)
    need = Need(number=next_number(session, "B", year), e_area_id=report.e_area_id, title=dev.title,
                description=description, source="deviation", raised_by=actor, raised_by_name=actor_name,
                benefit=dev.proposal, effort_hours=dev.extra_hours, cost_sek=dev.extra_sek,
                status=NeedStatus.awaiting_decision, request_key=f"deviation:{ref}", created_at=now, updated_at=now)
    session.add(need)
    session.flush()
    row = Assessment(need_id=need.id, plan_id=report.plan_id, assessor=actor, serves_goals=True,
                     hours=dev.extra_hours, cost_sek=dev.extra_sek, urgent=True, affects_areas=dev.other_areas,
                     whole_portfolio=dev.whole_portfolio, outcome="decision_basis", escalate=dev.escalate,
                     reason=dev.cause, request_key=f"deviation:{ref}", created_at=now)
    session.add(row)
    session.flush()
    detail = {"number": need.number, "report_id": report.id, "period": report.period, "deviation": ref}
    session.add(NeedEvent(need_id=need.id, actor=actor, actor_name=actor_name, kind="registered", at=now,
                          detail=json.dumps(detail, ensure_ascii=False)))
    session.add(NeedEvent(need_id=need.id, actor=actor, actor_name=actor_name, kind="assessed", at=now,
                          detail=json.dumps({"assessment_id": row.id, "outcome": "decision_basis",
                                             "reasons": [rules.R_STEERING], "deviation": ref}, ensure_ascii=False)))
    repo.link_basis(session, ref, need.id, actor, now)
    session.flush()
    return DeviationCase(need, row, True)
