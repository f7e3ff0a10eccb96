"""Repository for decision bases and their anchoring with the area owners (DOMAIN.md §3).

Functions take the caller's session and never commit. A basis is versioned per need; a new
version supersedes the open ones. Writers lock the need (or the basis) before they check, so a
double click or a concurrent copy finds what the first one stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from bot.i18n import area_name
from storage import org
from storage.assessments import Refused, _lock_need, _supersede_open_bases, event, latest_assessment
from storage.models import (
    Anchoring,
    Assessment,
    BasisStatus,
    DecisionBasis,
    EArea,
    Need,
    NeedStatus,
    Role,
)
from storage.types import utcnow

BASIS_FIELDS = ("business_goals", "risk", "risk_likelihood", "risk_impact", "resources", "hours", "cost_sek",
                "dependencies", "proposal", "frame_change_sek", "frame_change_hours")


def bases_of(session: Session, need_id: int) -> list[DecisionBasis]:
    stmt = select(DecisionBasis).where(DecisionBasis.need_id == need_id).order_by(DecisionBasis.version)
    return list(session.exec(stmt))


def latest_basis(session: Session, need_id: int) -> DecisionBasis | None:
    stmt = select(DecisionBasis).where(DecisionBasis.need_id == need_id).order_by(DecisionBasis.version.desc())
    return session.exec(stmt).first()


@dataclass(frozen=True)
class BasisStored:
    basis: DecisionBasis


@dataclass(frozen=True)
class BasisStale:
    latest: DecisionBasis | None


def create_basis(session: Session, *, need_id: int, assessment_id: int, after_version: int,
                 values: dict[str, Any], escalate: bool, actor: str, actor_name: str = "",
                 at: datetime | None = None) -> BasisStored | BasisStale | Refused:
    """A new version of the need's decision basis, sent for anchoring; earlier open versions are superseded.

    `after_version` is the latest version when the form was shown (0: none): a form submitted
    twice, or from before a newer version, stores nothing.
    """
    need = _lock_need(session, need_id)
    if need is None:
        raise LookupError(f"need {need_id}")
    if need.status != NeedStatus.awaiting_decision:
        return Refused(need.status)
    latest = latest_basis(session, need_id)
    last_assessment = latest_assessment(session, need_id)
    if (latest.version if latest else 0) != after_version or last_assessment is None or last_assessment.id != assessment_id:
        return BasisStale(latest)
    if latest is not None and latest.status not in (BasisStatus.sent_back, BasisStatus.anchoring):
        return BasisStale(latest)
    _supersede_open_bases(session, need_id)
    basis = DecisionBasis(need_id=need_id, assessment_id=assessment_id, version=after_version + 1,
                          status=BasisStatus.anchoring, escalate=escalate, created_by=actor,
                          **{k: values[k] for k in BASIS_FIELDS if k in values})
    session.add(basis)
    session.flush()
    event(session, need_id, actor, actor_name, "basis_created", at=at, basis_id=basis.id, version=basis.version)
    return BasisStored(basis)


def anchorings_of(session: Session, basis_id: int) -> list[Anchoring]:
    return list(session.exec(select(Anchoring).where(Anchoring.basis_id == basis_id).order_by(Anchoring.at)))


@dataclass(frozen=True)
class Anchored:
    basis: DecisionBasis
    state: str  # recorded | ready | sent_back | not_open
    waiting_for: tuple[str, ...] = ()


def record_anchoring(session: Session, *, basis_id: int, aad_id: str, name: str, agreed: bool,
                     comment: str, owners: list[str], at: datetime | None = None) -> Anchored:
    """An area owner's answer. All current area owners must agree before the basis is ready;
    a comment without agreement sends it back to the coordinators."""
    basis = session.exec(select(DecisionBasis).where(DecisionBasis.id == basis_id).with_for_update()).first()
    if basis is None:
        raise LookupError(f"basis {basis_id}")
    if basis.status != BasisStatus.anchoring:
        return Anchored(basis, "not_open")
    answer = session.get(Anchoring, (basis_id, aad_id))
    if answer is None:
        answer = Anchoring(basis_id=basis_id, aad_id=aad_id, agreed=agreed, comment=comment)
        session.add(answer)
    else:
        answer.agreed, answer.comment, answer.at = agreed, comment, utcnow()
    session.flush()
    if not agreed:
        basis.status = BasisStatus.sent_back
        basis.updated_at = utcnow()
        event(session, basis.need_id, aad_id, name, "basis_sent_back", at=at, basis_id=basis.id,
              version=basis.version, comment=comment)
        return Anchored(basis, "sent_back")
    event(session, basis.need_id, aad_id, name, "basis_agreed", at=at, basis_id=basis.id, version=basis.version,
          comment=comment)
    agreed_by = {a.aad_id for a in anchorings_of(session, basis_id) if a.agreed}
    waiting = tuple(o for o in owners if o not in agreed_by)
    if waiting or not owners:
        return Anchored(basis, "recorded", waiting)
    basis.status = BasisStatus.ready
    basis.updated_at = utcnow()
    event(session, basis.need_id, aad_id, name, "basis_ready", at=at, basis_id=basis.id, version=basis.version)
    session.flush()
    return Anchored(basis, "ready")


# --- reading one basis ------------------------------------------------------------------------


def basis(session: Session, basis_id: int) -> DecisionBasis | None:
    return session.get(DecisionBasis, basis_id)


def assessment(session: Session, assessment_id: int) -> Assessment | None:
    return session.get(Assessment, assessment_id)


def area_of(session: Session, basis_id: int) -> EArea | None:
    """The e-area whose steering group the basis goes to."""
    stmt = (
        select(EArea).join(Need, Need.e_area_id == EArea.id).join(DecisionBasis, DecisionBasis.need_id == Need.id)
        .where(DecisionBasis.id == basis_id)
    )
    return session.exec(stmt).first()


def find(session: Session, wanted: str) -> int | None:
    """A basis id, or a need number (B-2026-0042) for that need's latest version."""
    if wanted.isdigit():
        return int(wanted) if basis(session, int(wanted)) else None
    need = session.exec(select(Need).where(Need.number == wanted.upper())).first()
    latest = latest_basis(session, need.id) if need else None
    return latest.id if latest else None


def _name(session: Session, aad_id: str) -> str:
    person = org.person(session, aad_id)
    return person.name if person and person.name else aad_id


@dataclass(frozen=True)
class BasisRecord:
    """A decision basis as its cards and documents show it: plain values, names resolved."""

    basis_id: int
    need_id: int
    need_number: str
    need_title: str
    area_slug: str
    area_name: str
    version: int
    status: str
    business_goals: str
    risk: str
    risk_likelihood: int
    risk_impact: int
    resources: str
    hours: int
    cost_sek: int
    dependencies: str
    proposal: str
    frame_change_hours: int
    frame_change_sek: int
    escalate: bool
    created_by_name: str
    anchoring: tuple[tuple[str, bool, str], ...] = ()  # (name, agreed, comment)
    waiting_for: tuple[str, ...] = ()  # area owners yet to agree, while it is being anchored


def basis_record(session: Session, basis_id: int, lang: str = "sv") -> BasisRecord | None:
    """The basis with its need, e-area (named in `lang`), anchoring answers and who is awaited."""
    found = basis(session, basis_id)
    if found is None:
        return None
    need = session.get(Need, found.need_id)
    area = session.get(EArea, need.e_area_id)
    answers = anchorings_of(session, basis_id)
    agreed = {a.aad_id for a in answers if a.agreed}
    waiting: tuple[str, ...] = ()
    if found.status == BasisStatus.anchoring:
        owners = org.holders(session, area.slug, Role.area_owner)
        waiting = tuple(_name(session, o) for o in owners if o not in agreed)
    return BasisRecord(
        basis_id=found.id, need_id=need.id, need_number=need.number, need_title=need.title, area_slug=area.slug,
        area_name=area_name(area, lang), version=found.version,
        status=found.status.value, business_goals=found.business_goals, risk=found.risk,
        risk_likelihood=found.risk_likelihood, risk_impact=found.risk_impact, resources=found.resources,
        hours=found.hours, cost_sek=found.cost_sek, dependencies=found.dependencies, proposal=found.proposal,
        frame_change_hours=found.frame_change_hours, frame_change_sek=found.frame_change_sek,
        escalate=found.escalate, created_by_name=_name(session, found.created_by),
        anchoring=tuple((_name(session, a.aad_id), a.agreed, a.comment) for a in answers), waiting_for=waiting)


def names(session: Session, aad_ids: list[str] | tuple[str, ...]) -> list[str]:
    """Display names, the id where a person has none."""
    return [_name(session, a) for a in aad_ids]
