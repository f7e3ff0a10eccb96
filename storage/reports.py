"""Repository for status reports: open a draft, save, submit, review, reopen (DOMAIN.md §5).

Functions take the caller's session and never commit. Concurrency is settled by conditional
UPDATEs on the report row: a save must name the revision it was based on (`WHERE revision =
:seen`), a submit needs a draft (`WHERE status = 'draft'`); the loser learns who changed it
and loses nothing (the caller still holds the input). A submit's key is unique, so the same
click delivered twice finds the first result.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from bot.rules import reports as rules
from bot.rules.report_content import (
    DeviationEntry,
    DimensionEntry,
    GoalEntry,
    ReportContent,
    RiskEntry,
    carried_forward,
)
from bot.rules.reports import Colour, DeviationFacts, DeviationKind, Period, ReportStatus
from bot.rules.routing import Frame
from storage.models import EArea, Plan, PlanGoal
from storage.report_tables import (
    DeviationBasis,
    OutcomeFigure,
    ReportDeviation,
    ReportDimension,
    ReportGoal,
    ReportRisk,
    StatusReport,
)
from storage.upsert import insert_missing

SENT = (ReportStatus.submitted.value, ReportStatus.reviewed.value)


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    report: StatusReport


@dataclass(frozen=True)
class Stale:
    """Someone saved since this form was opened: here is who, and the report as it is now."""

    report: StatusReport
    changed_by: str


@dataclass(frozen=True)
class NotDraft:
    report: StatusReport


@dataclass(frozen=True)
class Duplicate:
    """This submit (same key) was stored already."""

    report: StatusReport


# --- reading ---------------------------------------------------------------------------------


def get(session: Session, report_id: int) -> StatusReport | None:
    return session.get(StatusReport, report_id)


def versions(session: Session, e_area_id: int, period: str) -> list[StatusReport]:
    stmt = (select(StatusReport).where(StatusReport.e_area_id == e_area_id, StatusReport.period == period)
            .order_by(StatusReport.version))
    return list(session.exec(stmt))


def latest(session: Session, e_area_id: int, period: str) -> StatusReport | None:
    stmt = (select(StatusReport).where(StatusReport.e_area_id == e_area_id, StatusReport.period == period)
            .order_by(StatusReport.version.desc()))
    return session.exec(stmt).first()


def latest_sent(session: Session, e_area_id: int, period: str) -> StatusReport | None:
    """The newest submitted (or reviewed) version of the period: what the steering group has."""
    stmt = (select(StatusReport).where(StatusReport.e_area_id == e_area_id, StatusReport.period == period,
                                       StatusReport.status.in_(SENT))
            .order_by(StatusReport.version.desc()))
    return session.exec(stmt).first()


def by_submit_key(session: Session, key: str) -> StatusReport | None:
    return session.exec(select(StatusReport).where(StatusReport.submit_key == key)).first()


def _colour(value: str | None) -> Colour | None:
    return Colour(value) if value else None


def content_of(session: Session, report: StatusReport) -> ReportContent:
    """The report's content from its rows (a submitted one could equally be read from its snapshot)."""
    rid = report.id
    goals = session.exec(select(ReportGoal).where(ReportGoal.report_id == rid).order_by(ReportGoal.position))
    dims = {d.name: d for d in session.exec(select(ReportDimension).where(ReportDimension.report_id == rid))}
    devs = list(session.exec(select(ReportDeviation).where(ReportDeviation.report_id == rid)
                             .order_by(ReportDeviation.position)))
    links = {}
    if devs:
        stmt = select(DeviationBasis).where(DeviationBasis.ref.in_([d.ref for d in devs]))
        links = {link.ref: link.need_id for link in session.exec(stmt)}
    risks = session.exec(select(ReportRisk).where(ReportRisk.report_id == rid).order_by(ReportRisk.position))
    return ReportContent(
        goals=tuple(GoalEntry(g.goal_id, g.title, _colour(g.colour), g.comment, g.forecast, _colour(g.previous))
                    for g in goals),
        dimensions=tuple(DimensionEntry(name, _colour(dims[name].colour), dims[name].comment) if name in dims
                         else DimensionEntry(name) for name in ("time", "cost", "resources", "scope")),
        deviations=tuple(DeviationEntry(
            ref=d.ref, kind=DeviationKind(d.kind), title=d.title, cause=d.cause, consequences=d.consequences,
            options=d.options, proposal=d.proposal, extra_hours=d.extra_hours, extra_sek=d.extra_sek,
            changes_goals=d.changes_goals, whole_portfolio=d.whole_portfolio,
            other_areas=tuple(json.loads(d.other_areas or "[]")), closed=d.closed, need_id=links.get(d.ref))
            for d in devs),
        risks=tuple(RiskEntry(k.title, k.probability, k.consequence, k.mitigation) for k in risks),
        outcome_sek=report.outcome_sek, outcome_hours=report.outcome_hours,
        resources_comment=report.resources_comment, new_conditions=report.new_conditions,
        extras=json.loads(report.extras or "{}"),
    )


def routings_of(session: Session, report_id: int) -> dict[str, tuple[str, bool]]:
    """ref -> (handling, escalate) as routed when the report was last saved."""
    stmt = select(ReportDeviation).where(ReportDeviation.report_id == report_id)
    return {d.ref: (d.handling, d.escalate) for d in session.exec(stmt)}


def frame_of(report: StatusReport) -> Frame:
    return Frame(report.frame_hours, report.frame_sek, report.committed_hours, report.committed_sek)


# --- writing the rows ------------------------------------------------------------------------


def _write_content(session: Session, report: StatusReport, content: ReportContent, own_area: str) -> None:
    """Replace the report's rows with `content` (one multi-row INSERT per table: a save rewrites
    every row of the draft, and the unit of work's per-object bookkeeping is not needed here)."""
    rid = report.id
    for table in (ReportGoal, ReportDimension, ReportDeviation, ReportRisk):
        session.execute(delete(table).where(table.report_id == rid))
    goals = [dict(report_id=rid, position=n, goal_id=goal.goal_id, title=goal.title[:300],
                  colour=goal.colour.value if goal.colour else None,
                  previous=goal.previous.value if goal.previous else None, comment=goal.comment,
                  forecast=goal.forecast) for n, goal in enumerate(content.goals)]
    dims = [dict(report_id=rid, name=dim.name, colour=dim.colour.value if dim.colour else None, comment=dim.comment)
            for dim in content.dimensions]
    frame = frame_of(report)
    devs = []
    for n, dev in enumerate(content.deviations):
        routed = rules.route_deviation(DeviationFacts(
            dev.kind, dev.extra_hours, dev.extra_sek, dev.changes_goals, dev.whole_portfolio, dev.other_areas,
            own_area), frame)
        devs.append(dict(
            report_id=rid, position=n, ref=dev.ref, kind=dev.kind.value, title=dev.title[:200], cause=dev.cause,
            consequences=dev.consequences, options=dev.options, proposal=dev.proposal,
            extra_hours=dev.extra_hours, extra_sek=dev.extra_sek, changes_goals=dev.changes_goals,
            whole_portfolio=dev.whole_portfolio, other_areas=json.dumps(list(dev.other_areas)), closed=dev.closed,
            handling=routed.handling.value, escalate=routed.escalate))
    risks = [dict(report_id=rid, position=n, title=risk.title[:200], probability=risk.probability,
                  consequence=risk.consequence, mitigation=risk.mitigation) for n, risk in enumerate(content.risks)]
    for table, rows in ((ReportGoal, goals), (ReportDimension, dims), (ReportDeviation, devs), (ReportRisk, risks)):
        if rows:
            session.execute(insert(table.__table__), rows)
    report.outcome_sek, report.outcome_hours = content.outcome_sek, content.outcome_hours
    report.resources_comment, report.new_conditions = content.resources_comment, content.new_conditions
    report.extras = json.dumps(content.extras, ensure_ascii=False)
    session.add(report)
    session.flush()


# --- opening a draft -------------------------------------------------------------------------


def _plan(session: Session, e_area_id: int, year: int) -> Plan | None:
    return session.exec(select(Plan).where(Plan.e_area_id == e_area_id, Plan.year == year)).first()


def _prefill(session: Session, area: EArea, period: Period, plan: Plan | None,
             extras: dict[str, str]) -> ReportContent:
    goals: tuple[GoalEntry, ...] = ()
    if plan is not None:
        rows = session.exec(select(PlanGoal).where(PlanGoal.plan_id == plan.id).order_by(PlanGoal.position))
        goals = tuple(GoalEntry(g.id, g.title) for g in rows)
    before = latest_sent(session, area.id, str(period.previous()))
    content = carried_forward(content_of(session, before), goals) if before else ReportContent(goals=goals)
    figure = session.exec(select(OutcomeFigure).where(OutcomeFigure.e_area_id == area.id,
                                                      OutcomeFigure.period == str(period))).first()
    return ReportContent(
        goals=content.goals, dimensions=content.dimensions, deviations=content.deviations, risks=content.risks,
        outcome_sek=figure.outcome_sek if figure else None, outcome_hours=figure.outcome_hours if figure else None,
        extras=dict(extras))


def _insert_version(session: Session, values: dict) -> bool:
    """Insert a report version unless it exists; True when this call made it (RETURNING, not
    rowcount, which some drivers do not report for ON CONFLICT DO NOTHING)."""
    table = StatusReport.__table__
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = (insert(table).values(values).on_conflict_do_nothing(index_elements=["e_area_id", "period", "version"])
            .returning(table.c.id))
    return session.execute(stmt).first() is not None


def open_draft(session: Session, area: EArea, period: Period, *, actor: str, now: datetime,
               extras: dict[str, str] | None = None) -> StatusReport:
    """The period's newest version; a first draft is made (prefilled) if there is none.

    Two coordinators opening at once make one draft: the insert skips an existing version 1.
    `extras` prefills the quarter's extra sections (e.g. next year's needs from the inventory).
    """
    found = latest(session, area.id, str(period))
    if found is not None:
        return found
    plan = _plan(session, area.id, period.year)
    values = dict(e_area_id=area.id, period=str(period), version=1, status=ReportStatus.draft.value, revision=1,
                  plan_id=plan.id if plan else None, frame_sek=plan.frame_sek if plan else 0,
                  frame_hours=plan.frame_hours if plan else 0, committed_sek=plan.committed_sek if plan else 0,
                  committed_hours=plan.committed_hours if plan else 0, resources_comment="", new_conditions="",
                  extras="{}", created_by=actor, created_at=now, updated_by=actor, updated_at=now,
                  snapshot="", review_comment="")
    made = _insert_version(session, values)
    report = latest(session, area.id, str(period))
    if made:
        _write_content(session, report, _prefill(session, area, period, plan, extras or {}), area.slug)
    return report


# --- saving, submitting, reviewing, reopening ---------------------------------------------------


def _changed_by(report: StatusReport) -> str:
    return report.updated_by_name or report.updated_by


def save(session: Session, report_id: int, *, seen_revision: int, content: ReportContent, own_area: str,
         actor: str, actor_name: str, now: datetime) -> Saved | Stale | NotDraft:
    """Store the draft's content if nobody saved since `seen_revision`; the revision goes up by one."""
    table = StatusReport.__table__
    stmt = (update(table).where(table.c.id == report_id, table.c.status == ReportStatus.draft.value,
                                table.c.revision == seen_revision)
            .values(revision=table.c.revision + 1, updated_by=actor, updated_by_name=actor_name, updated_at=now))
    moved = session.execute(stmt).rowcount == 1
    report = session.get(StatusReport, report_id)
    session.refresh(report)
    if not moved:
        if report.status != ReportStatus.draft.value:
            return NotDraft(report)
        return Stale(report, _changed_by(report))
    plan = session.get(Plan, report.plan_id) if report.plan_id else None
    if plan is not None:  # the frame as it is now: deviations are routed against it
        report.frame_sek, report.frame_hours = plan.frame_sek, plan.frame_hours
        report.committed_sek, report.committed_hours = plan.committed_sek, plan.committed_hours
    _write_content(session, report, content, own_area)
    return Saved(report)


def snapshot(report: StatusReport, content: ReportContent) -> str:
    """What the steering group received, frozen as JSON at the moment of submitting."""
    body = asdict(content)
    body.update(period=report.period, version=report.version, frame_sek=report.frame_sek,
                frame_hours=report.frame_hours, committed_sek=report.committed_sek,
                committed_hours=report.committed_hours)
    return json.dumps(body, ensure_ascii=False, default=str, sort_keys=True)


def submit(session: Session, report_id: int, *, seen_revision: int, key: str, actor: str, actor_name: str,
           now: datetime) -> Saved | Duplicate | Stale | NotDraft:
    """Freeze the draft as submitted; the same key again returns the first result."""
    done = by_submit_key(session, key)
    if done is not None:
        return Duplicate(done)
    table = StatusReport.__table__
    stmt = (update(table).where(table.c.id == report_id, table.c.status == ReportStatus.draft.value,
                                table.c.revision == seen_revision)
            .values(status=ReportStatus.submitted.value, submit_key=key, submitted_by=actor,
                    submitted_by_name=actor_name, submitted_at=now))
    moved = session.execute(stmt).rowcount == 1
    report = session.get(StatusReport, report_id)
    session.refresh(report)
    if not moved:
        if report.submit_key == key:
            return Duplicate(report)
        if report.status != ReportStatus.draft.value:
            return NotDraft(report)
        return Stale(report, _changed_by(report))
    report.snapshot = snapshot(report, content_of(session, report))
    session.add(report)
    session.flush()
    return Saved(report)


def review(session: Session, report_id: int, *, actor: str, actor_name: str, comment: str,
           now: datetime) -> Saved | NotDraft:
    """The chair marks a submitted version reviewed (once); NotDraft carries the report as it is."""
    table = StatusReport.__table__
    stmt = (update(table).where(table.c.id == report_id, table.c.status == ReportStatus.submitted.value)
            .values(status=ReportStatus.reviewed.value, reviewed_by=actor, reviewed_by_name=actor_name,
                    reviewed_at=now, review_comment=comment))
    moved = session.execute(stmt).rowcount == 1
    report = session.get(StatusReport, report_id)
    session.refresh(report)
    return Saved(report) if moved else NotDraft(report)


def reopen(session: Session, report_id: int, *, actor: str, actor_name: str, now: datetime) -> Saved | NotDraft:
    """A new draft version copied from a submitted one (the old version is kept as it was).

    Only the newest version can be reopened; a second click finds the draft the first made.
    """
    report = session.get(StatusReport, report_id)
    newest = latest(session, report.e_area_id, report.period)
    if newest.id != report.id:
        if newest.version == report.version + 1 and newest.status == ReportStatus.draft.value:
            return Saved(newest)
        return NotDraft(newest)
    if report.status == ReportStatus.draft.value:
        return NotDraft(report)
    values = {c.name: getattr(report, c.name) for c in StatusReport.__table__.columns
              if c.name not in ("id", "submit_key", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at")}
    values.update(version=report.version + 1, status=ReportStatus.draft.value, revision=1, created_by=actor,
                  created_at=now, updated_by=actor, updated_by_name=actor_name, updated_at=now, snapshot="",
                  submitted_by_name="", reviewed_by_name="", review_comment="")
    made = _insert_version(session, values)
    fresh = latest(session, report.e_area_id, report.period)
    if made:
        area = session.get(EArea, report.e_area_id)
        _write_content(session, fresh, content_of(session, report), area.slug if area else "")
    return Saved(fresh)


# --- deviations and their decision bases ------------------------------------------------------


def deviation(session: Session, report_id: int, ref: str) -> ReportDeviation | None:
    stmt = select(ReportDeviation).where(ReportDeviation.report_id == report_id, ReportDeviation.ref == ref)
    return session.exec(stmt).first()


def basis_link(session: Session, ref: str) -> DeviationBasis | None:
    return session.get(DeviationBasis, ref)


def link_basis(session: Session, ref: str, need_id: int, actor: str, now: datetime) -> DeviationBasis:
    """Record the need that carries a deviation's decision basis (once per deviation)."""
    insert_missing(session, DeviationBasis.__table__,
                   {"ref": ref, "need_id": need_id, "created_by": actor, "created_at": now}, ("ref",))
    return session.get(DeviationBasis, ref)


def count_versions(session: Session, e_area_id: int) -> int:
    stmt = select(func.count()).select_from(StatusReport).where(StatusReport.e_area_id == e_area_id)
    return session.exec(stmt).one()
