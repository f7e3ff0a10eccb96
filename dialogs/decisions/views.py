"""What the decision cards show, built from what storage read: the basis as one level sees it,
the decisions taken, who gets the chair's buttons, and where a posted card is remembered."""

from __future__ import annotations

from bot.i18n import area_name
from bot.rules import decisions as rules
from bot.rules import frames
from bot.rules.permissions import Permission
from cards.decision import BasisView, DecisionView
from storage import decisions as store
from storage import org
from storage.decisions import Found
from storage.models import Decision, Role

STEERING, PORTFOLIO = rules.Level.steering.value, rules.Level.portfolio.value


def subject(basis_id: int, level: str = STEERING) -> str:
    """Under which name a posted basis card is remembered, so later updates find every copy."""
    return f"decision-basis:{basis_id}" if level == STEERING else f"decision-basis:{basis_id}:portfolio"


def deciders(level: str) -> tuple[Permission, list[Role]]:
    if level == PORTFOLIO:
        return Permission.decide_portfolio, [Role.portfolio_chair]
    return Permission.decide, [Role.chair, Role.deputy_chair]


def refresh_ids(session, slug: str, level: str) -> tuple[str, ...]:
    """Teams user ids (not AAD ids) of those who decide at this level, for refresh.userIds."""
    _permission, roles = deciders(level)
    scope = org.PORTFOLIO_SCOPE if level == PORTFOLIO else slug
    return tuple(p.teams_id for p in store.people_holding(session, scope, roles) if p.teams_id)[:60]


def deciders_to_mention(session, slug: str, level: str) -> list[tuple[str, str]]:
    """(Teams id, else AAD id; name) of those who decide at this level: @mentioned on the card."""
    _permission, roles = deciders(level)
    scope = org.PORTFOLIO_SCOPE if level == PORTFOLIO else slug
    return [(p.teams_id or p.aad_id, p.name) for p in store.people_holding(session, scope, roles) if p.name][:20]


def basis_view(found: Found, level: str, lang: str | None = None) -> BasisView:
    basis, need, area = found.basis, found.need, found.area
    return BasisView(
        basis_id=basis.id, level=level, area_name=area_name(area, lang), need_number=need.number,
        need_title=need.title, need_description=need.description, raised_by_name=need.raised_by_name,
        version=basis.version, business_goals=basis.business_goals, risk=basis.risk,
        risk_likelihood=basis.risk_likelihood, risk_impact=basis.risk_impact, resources=basis.resources,
        hours=basis.hours, cost_sek=basis.cost_sek, dependencies=basis.dependencies,
        proposal=basis.proposal, frame_change_sek=basis.frame_change_sek,
        frame_change_hours=basis.frame_change_hours, escalate=basis.escalate, status=_value(basis.status),
        anchored_by=tuple(found.anchored_by), plan_title=found.plan_title,
        outlook=None if found.frame is None else frames.outlook(
            found.frame, basis.hours, basis.cost_sek, basis.frame_change_hours, basis.frame_change_sek),
    )


def decision_view(decision: Decision) -> DecisionView:
    return DecisionView(number=decision.number, level=decision.level, outcome=_value(decision.outcome),
                        decided_by_name=decision.decided_by_name or decision.decided_by,
                        decided_at=decision.decided_at, comment=decision.comment,
                        registry_number=decision.registry_number)


def taken(decisions: list[Decision] | list[DecisionView]) -> dict[rules.Level, rules.Outcome]:
    """The decisions as the rule reads them: level -> outcome."""
    return {rules.Level(d.level): rules.Outcome(_value(d.outcome)) for d in decisions}


def pending_note(t, view: BasisView | None, decisions: list[DecisionView]) -> str | None:
    """After an escalation the steering card says what happens next."""
    if view is not None and rules.awaiting_portfolio(rules.Basis(view.status), taken(decisions)):
        return t("Waiting for portfolio management's decision.")
    return None


def _value(status) -> str:
    return status.value if hasattr(status, "value") else str(status)
