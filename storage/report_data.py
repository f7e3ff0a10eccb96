"""What the status-report dialogs and documents read in one go: a report with everything its card
shows, what a steering-group meeting has before it, who takes part, and links to the documents.

Functions take the caller's session and never commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from bot.rules.report_content import ReportContent
from storage import org
from storage import reports as repo
from storage.models import (
    Decision,
    DecisionBasis,
    EArea,
    Need,
    Person,
    Role,
    RoleAssignment,
)
from storage.report_tables import ReportFile, StatusReport
from storage.report_views import Since, since
from storage.upsert import insert_missing

STEERING = "steering"


@dataclass(frozen=True)
class BasisLink:
    """Where a deviation taken to the steering group stands: its need, basis and decision."""

    need_id: int
    need_number: str
    basis_id: int | None = None
    basis_status: str | None = None  # anchoring | ready | decided | sent_back | superseded
    decision_number: str | None = None
    outcome: str | None = None  # the steering group's decision, once taken


@dataclass(frozen=True)
class ReportData:
    report: StatusReport
    area: EArea
    content: ReportContent
    routings: dict[str, tuple[str, bool]]  # deviation ref -> (handling, escalate)
    links: dict[str, BasisLink]  # deviation ref -> its decision basis
    since: Since


def _value(status) -> str:
    return getattr(status, "value", status)


def basis_links(session: Session, need_ids: list[int]) -> dict[int, BasisLink]:
    """need id -> its newest decision basis and the steering group's decision on it."""
    if not need_ids:
        return {}
    needs = {n.id: n for n in session.exec(select(Need).where(Need.id.in_(need_ids)))}
    bases: dict[int, DecisionBasis] = {}
    for basis in session.exec(select(DecisionBasis).where(DecisionBasis.need_id.in_(need_ids))
                              .order_by(DecisionBasis.version)):
        bases[basis.need_id] = basis  # the newest version wins
    decisions: dict[int, Decision] = {}
    if bases:
        stmt = select(Decision).where(Decision.basis_id.in_([b.id for b in bases.values()]),
                                      Decision.level == STEERING)
        decisions = {d.basis_id: d for d in session.exec(stmt)}
    out = {}
    for need_id, need in needs.items():
        basis = bases.get(need_id)
        decision = decisions.get(basis.id) if basis else None
        out[need_id] = BasisLink(need_id, need.number, basis.id if basis else None,
                                 _value(basis.status) if basis else None,
                                 decision.number if decision else None, _value(decision.outcome) if decision else None)
    return out


def report_data(session: Session, report_id: int, *, timezone: str, now: datetime) -> ReportData | None:
    """A report version with its content, routings, decision-basis links and what happened since
    the previous report (up to its submission, or up to now for a draft)."""
    report = repo.get(session, report_id)
    if report is None:
        return None
    area = session.get(EArea, report.e_area_id)
    content = repo.content_of(session, report)
    by_need = basis_links(session, [d.need_id for d in content.deviations if d.need_id])
    links = {d.ref: by_need[d.need_id] for d in content.deviations if d.need_id in by_need}
    until = report.submitted_at or now
    return ReportData(report, area, content, repo.routings_of(session, report.id), links,
                      since(session, report, until, timezone))


def shown_report(session: Session, e_area_id: int, period: str) -> StatusReport | None:
    """What the steering group sees of a period: the newest sent version, else the draft."""
    return repo.latest_sent(session, e_area_id, period) or repo.latest(session, e_area_id, period)


def areas_without_sent(session: Session, period: str) -> int:
    """How many e-areas have no submitted (or reviewed) report for the period."""
    sent = select(StatusReport.e_area_id).where(StatusReport.period == period, StatusReport.status.in_(repo.SENT))
    return session.exec(select(func.count()).select_from(EArea).where(EArea.id.not_in(sent))).one()


# --- the steering-group meeting ---------------------------------------------------------------


def bases_awaiting(session: Session, e_area_id: int) -> list[tuple[int, str, str]]:
    """(basis id, need number, need title) of bases put before the steering group, undecided."""
    decided = select(Decision.basis_id).where(Decision.level == STEERING)
    stmt = (select(DecisionBasis.id, Need.number, Need.title).join(Need, Need.id == DecisionBasis.need_id)
            .where(Need.e_area_id == e_area_id, DecisionBasis.status == "ready",
                   DecisionBasis.id.not_in(decided))
            .order_by(Need.number))
    return [tuple(row) for row in session.exec(stmt)]


def decisions_between(session: Session, e_area_id: int, start: datetime,
                      end: datetime) -> list[tuple[str, str, str, str, datetime]]:
    """The steering group's decisions in [start, end): (number, registry no., outcome, need title, when)."""
    stmt = (select(Decision.number, Decision.registry_number, Decision.outcome, Need.title, Decision.decided_at)
            .join(DecisionBasis, DecisionBasis.id == Decision.basis_id).join(Need, Need.id == DecisionBasis.need_id)
            .where(Decision.e_area_id == e_area_id, Decision.level == STEERING,
                   Decision.decided_at >= start, Decision.decided_at < end)
            .order_by(Decision.decided_at, Decision.id))
    return [(n, reg or "", _value(o), title, at) for n, reg, o, title, at in session.exec(stmt)]


# --- people --------------------------------------------------------------------------------------


def people_with(session: Session, scope: str, roles: tuple[Role, ...]) -> list[Person]:
    """People holding any of these roles in the scope (e-area slug or 'portfolio'), in one query."""
    stmt = (select(Person).join(RoleAssignment, RoleAssignment.aad_id == Person.aad_id)
            .where(RoleAssignment.scope == scope, RoleAssignment.role.in_(roles)).order_by(Person.aad_id))
    seen: dict[str, Person] = {}
    for person in session.exec(stmt):
        seen.setdefault(person.aad_id, person)
    return list(seen.values())


def chair_teams_ids(session: Session, slug: str) -> tuple[str, ...]:
    """Teams user ids (29:…) of the chair and deputy chair, for a card's refresh (at most 60)."""
    return tuple(p.teams_id for p in people_with(session, slug, (Role.chair, Role.deputy_chair))
                 if p.teams_id)[:60]


def language(person: Person | None, default: str) -> str:
    return org.language_of_person(person) or default


# --- links to the documents ----------------------------------------------------------------------


def file_link(session: Session, *, kind: str, e_area_id: int, period: str, report_id: int | None,
              lang: str, actor: str, now: datetime, valid: timedelta) -> str:
    """The token of the live link to this document, made (or renewed when expired) if needed."""
    key = f"{kind}:{e_area_id}:{period}:{report_id or 0}:{lang}"
    found = session.exec(select(ReportFile).where(ReportFile.key == key)).first()
    if found is not None and found.expires_at > now:
        return found.token
    if found is not None:
        found.token, found.created_at, found.expires_at = secrets.token_urlsafe(32), now, now + valid
        session.add(found)
        session.flush()
        return found.token
    insert_missing(session, ReportFile.__table__, {
        "token": secrets.token_urlsafe(32), "key": key, "kind": kind, "e_area_id": e_area_id, "period": period,
        "report_id": report_id, "lang": lang, "created_by": actor, "created_at": now, "expires_at": now + valid,
    }, ("key",))
    return session.exec(select(ReportFile.token).where(ReportFile.key == key)).one()


def file_by_token(session: Session, token: str, now: datetime) -> ReportFile | None:
    found = session.get(ReportFile, token)
    return found if found is not None and found.expires_at > now else None
