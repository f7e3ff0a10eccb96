"""Data for the portfolio tab's tests and benchmark: status reports with goal colours, deviations,
needs in every status, decision bases before the steering group and decisions.

`scenario(session, now)` adds to the demo organisation (three e-areas) what the page tests
assert on; `bulk(session, areas=30, needs=10_000)` builds a portfolio of the benchmark's size.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import insert
from sqlmodel import Session, select

from storage import org
from storage.models import (
    BasisStatus,
    Decision,
    DecisionBasis,
    DecisionOutcome,
    EArea,
    Need,
    NeedStatus,
    Person,
    Plan,
    PlanGoal,
    PlanStatus,
    Role,
)
from storage.report_tables import ReportDeviation, ReportGoal, StatusReport

UTC = dt.UTC
COORDINATOR_ONLY = ("00000000-0000-0000-0000-0000000000031", "Cora Koordinator")


def add_report(session: Session, area: EArea, period: str, status: str, colours: list[str | None], *,
               previous: list[str | None] | None = None, submitted_at: dt.datetime | None = None,
               deviations: tuple[tuple[str, bool, bool], ...] = (), version: int = 1, outcome_sek: int | None = None,
               frame_sek: int = 0) -> StatusReport:
    plan = session.exec(select(Plan).where(Plan.e_area_id == area.id, Plan.year == int(period[:4]))).first()
    goals = list(session.exec(select(PlanGoal).where(PlanGoal.plan_id == plan.id).order_by(PlanGoal.position)))
    report = StatusReport(e_area_id=area.id, period=period, version=version, status=status, plan_id=plan.id,
                          frame_sek=frame_sek or plan.frame_sek, frame_hours=plan.frame_hours,
                          outcome_sek=outcome_sek, created_by="seed",
                          submitted_at=submitted_at if status != "draft" else None,
                          submitted_by="seed" if status != "draft" else None,
                          submit_key=f"seed:{area.slug}:{period}:{version}" if status != "draft" else None)
    session.add(report)
    session.flush()
    for i, (goal, colour) in enumerate(zip(goals, colours, strict=False)):
        session.add(ReportGoal(report_id=report.id, position=i, goal_id=goal.id, title=goal.title, colour=colour,
                               previous=(previous or [None] * len(goals))[i]))
    for i, (title, escalate, closed) in enumerate(deviations):
        session.add(ReportDeviation(report_id=report.id, position=i, ref=f"{area.slug}-{period}-{i}", kind="delay",
                                    title=title, handling="steering_group", escalate=escalate, closed=closed))
    session.flush()
    return report


def _need(session: Session, area: EArea, number: str, title: str, status: NeedStatus, now: dt.datetime) -> Need:
    need = Need(number=number, e_area_id=area.id, title=title, raised_by="seed", status=status,
                created_at=now, updated_at=now)
    session.add(need)
    session.flush()
    return need


def scenario(session: Session, now: dt.datetime) -> dict[str, int]:
    """Reports of 2026: Utbildning Q1 reviewed and Q2 submitted on time (a red goal, an escalated
    deviation, a basis before the chair, a decision); Forskning Q1 submitted, Q2 only a draft;
    Ekonomi Q1 submitted, nothing for Q2. Returns the e-areas' ids by slug."""
    areas = {a.slug: a for a in org.e_areas(session)}
    edu, res, eco = areas["utbildning"], areas["forskning"], areas["ekonomi"]
    march = dt.datetime(2026, 3, 20, 9, tzinfo=UTC)
    june = dt.datetime(2026, 6, 10, 9, tzinfo=UTC)
    add_report(session, edu, "2026-Q1", "reviewed", ["green", "green", "yellow"], submitted_at=march)
    add_report(session, edu, "2026-Q2", "submitted", ["green", "red", "yellow"], previous=["green", "green", "yellow"],
               submitted_at=june, deviations=(("Tentamenslokalen blir försenad", True, False), ("Stängd avvikelse", False, True)),
               outcome_sek=1_000_000)
    add_report(session, res, "2026-Q1", "submitted", ["green", "green"], submitted_at=march)
    add_report(session, res, "2026-Q2", "draft", ["red", "yellow"], previous=["green", "green"])
    add_report(session, eco, "2026-Q1", "submitted", ["yellow", "green"], submitted_at=march)
    plan = session.exec(select(Plan).where(Plan.e_area_id == edu.id, Plan.year == 2026)).one()
    plan.committed_sek, plan.committed_hours = 1_250_000, 4_400
    session.add(plan)
    statuses = [NeedStatus.registered, NeedStatus.inventory, NeedStatus.inventory, NeedStatus.within_plan,
                NeedStatus.awaiting_decision, NeedStatus.approved]
    for i, status in enumerate(statuses, 1):
        _need(session, edu, f"B-2026-{i:04d}", f"Utbildningsbehov {i} <b>fet</b>", status, now)
    _need(session, res, "B-2026-0101", "Forskningsbehov i inventeringen", NeedStatus.inventory, now)
    waiting = session.exec(select(Need).where(Need.number == "B-2026-0005")).one()
    session.add(DecisionBasis(need_id=waiting.id, status=BasisStatus.ready, created_by="seed"))
    decided = session.exec(select(Need).where(Need.number == "B-2026-0006")).one()
    basis = DecisionBasis(need_id=decided.id, status=BasisStatus.decided, created_by="seed")
    session.add(basis)
    session.flush()
    session.add(Decision(number="D-2026-0001", basis_id=basis.id, e_area_id=edu.id, outcome=DecisionOutcome.approved,
                         decided_by="seed", decided_at=june, registry_number="UFV 2026/117"))
    aad_id, name = COORDINATOR_ONLY
    session.add(Person(aad_id=aad_id, name=name))
    org.grant(session, eco, aad_id, Role.coordinator, by="seed")
    session.flush()
    return {slug: area.id for slug, area in areas.items()}


def bulk(session: Session, *, areas: int = 30, needs: int = 10_000, year: int = 2026, seed: int = 7) -> None:
    """A portfolio of `areas` e-areas with five goals each, a report per quarter of `year` (two
    versions for some), open deviations, `needs` needs spread over the statuses, bases and decisions."""
    rng = random.Random(seed)
    colours = ["green", "yellow", "red", None]
    now = dt.datetime(year, 12, 1, 9, tzinfo=UTC)
    made = []
    for n in range(areas):
        area = EArea(slug=f"omrade-{n:02d}", name=f"E-område {n:02d}", name_en=f"E-area {n:02d}")
        session.add(area)
        session.flush()
        plan = Plan(e_area_id=area.id, year=year, status=PlanStatus.decided, title=f"Plan {n} {year}",
                    frame_sek=2_000_000, frame_hours=3_000, committed_sek=rng.randint(0, 2_400_000),
                    committed_hours=rng.randint(0, 3_500))
        session.add(plan)
        session.flush()
        for g in range(5):
            session.add(PlanGoal(plan_id=plan.id, position=g, title=f"Mål {g + 1} för område {n}"))
        session.flush()
        made.append(area)
        for q in range(1, 5):
            picked = [rng.choice(colours) for _ in range(5)]
            for version in (1, 2) if rng.random() < 0.2 else (1,):
                add_report(session, area, f"{year}-Q{q}", "submitted", picked, previous=picked[::-1], version=version,
                           submitted_at=dt.datetime(year, 3 * q, 10, 9, tzinfo=UTC) + dt.timedelta(days=version),
                           deviations=tuple((f"Avvikelse {d}", d == 0, False) for d in range(rng.randint(0, 3))),
                           outcome_sek=rng.randint(0, 2_000_000))
    statuses = list(NeedStatus)
    rows = [{"number": f"B-{year}-{i:05d}", "e_area_id": made[i % areas].id, "title": f"Behov {i}",
             "description": "", "source": "staff", "raised_by": "seed", "raised_by_name": "", "on_behalf_of": "",
             "benefit": "", "status": rng.choice(statuses).name, "created_at": now, "updated_at": now}
            for i in range(needs)]
    session.execute(insert(Need), rows)
    session.flush()
    waiting = list(session.exec(select(Need.id, Need.e_area_id).where(Need.status == NeedStatus.awaiting_decision)
                                .limit(areas * 4)))
    for i, (need_id, area_id) in enumerate(waiting):
        basis = DecisionBasis(need_id=need_id, status=BasisStatus.ready if i % 2 else BasisStatus.decided,
                              created_by="seed")
        session.add(basis)
        session.flush()
        if i % 2 == 0:
            session.add(Decision(number=f"D-{year}-{i:05d}", basis_id=basis.id, e_area_id=area_id, decided_by="seed",
                                 outcome=DecisionOutcome.approved, decided_at=now - dt.timedelta(days=i)))
    session.flush()
