"""Who may do what: a pure table from action to the roles that allow it (DOMAIN.md "Roles")."""

from __future__ import annotations

from enum import Enum


class Permission(str, Enum):
    register_need = "register_need"
    view_area_needs = "view_area_needs"
    view_plan = "view_plan"
    assess_need = "assess_need"
    anchor_decision_basis = "anchor_decision_basis"
    decide = "decide"
    decide_portfolio = "decide_portfolio"
    answer_reminder = "answer_reminder"
    export = "export"
    write_report = "write_report"
    view_report = "view_report"
    review_report = "review_report"
    view_portfolio = "view_portfolio"
    link_channel = "link_channel"
    manage_roles = "manage_roles"


EVERYONE = "*"

# Role names as stored (storage.models.Role values); "admin" comes from configuration.
ALLOWED: dict[Permission, frozenset[str]] = {
    Permission.register_need: frozenset({EVERYONE}),
    Permission.view_area_needs: frozenset(
        {"coordinator", "area_owner", "chair", "deputy_chair", "member", "portfolio_office"}
    ),
    Permission.view_plan: frozenset(
        {"coordinator", "area_owner", "chair", "deputy_chair", "member", "portfolio_office"}
    ),
    Permission.assess_need: frozenset({"coordinator"}),
    Permission.anchor_decision_basis: frozenset({"area_owner"}),
    Permission.decide: frozenset({"chair", "deputy_chair"}),
    Permission.decide_portfolio: frozenset({"portfolio_chair"}),
    Permission.answer_reminder: frozenset({"coordinator"}),
    Permission.export: frozenset({"coordinator", "portfolio_office"}),
    # Status reports (DOMAIN.md §8): the e-area's roles see a draft, coordinators write it, the
    # chair reviews it; a submitted report and the roll-up are also the portfolio's business.
    Permission.write_report: frozenset({"coordinator"}),
    Permission.view_report: frozenset({"coordinator", "area_owner", "chair", "deputy_chair", "member"}),
    Permission.review_report: frozenset({"chair", "deputy_chair"}),
    Permission.view_portfolio: frozenset({"portfolio_office", "portfolio_chair"}),
    Permission.link_channel: frozenset(),
    Permission.manage_roles: frozenset(),
}

PORTFOLIO_PERMISSIONS = frozenset({Permission.decide_portfolio, Permission.view_portfolio})


def allows(permission: Permission, roles_in_scope: set[str], *, is_admin: bool) -> bool:
    """Admins may administer; everything else follows the roles held in the scope."""
    if is_admin and permission in (Permission.link_channel, Permission.manage_roles, Permission.export):
        return True
    allowed = ALLOWED[permission]
    return EVERYONE in allowed or bool(allowed & roles_in_scope)


def roles_for(permission: Permission) -> frozenset[str]:
    return ALLOWED[permission] - {EVERYONE}
