"""Authorisation: every handler asks here, and the answer comes from stored roles only."""

from __future__ import annotations

from sqlmodel import Session

from bot.config import Settings
from bot.rules.permissions import PORTFOLIO_PERMISSIONS, Permission, allows, roles_for
from storage import org
from storage.models import Person, Role


def is_admin(settings: Settings, aad_id: str | None) -> bool:
    return bool(aad_id) and aad_id in settings.admin_ids


def roles_in(session: Session, aad_id: str, scope: str) -> set[str]:
    return {a.role.value for a in org.roles_of(session, aad_id) if a.scope == scope}


def can(session: Session, settings: Settings, aad_id: str | None, permission: Permission,
        scope: str | None = None) -> bool:
    if not aad_id:
        return False
    if permission in PORTFOLIO_PERMISSIONS:
        scope = org.PORTFOLIO_SCOPE
    held = roles_in(session, aad_id, scope) if scope else set()
    return allows(permission, held, is_admin=is_admin(settings, aad_id))


def who_can(session: Session, permission: Permission, scope: str) -> list[str]:
    """Names of the people who may do it, for a refusal that says whom to ask."""
    if permission in PORTFOLIO_PERMISSIONS:
        scope = org.PORTFOLIO_SCOPE
    wanted = [Role(r) for r in roles_for(permission)]
    ids = org.holders(session, scope, *wanted) if wanted else []
    names = []
    for aad_id in ids:
        found = session.get(Person, aad_id)
        names.append(found.name if found and found.name else aad_id)
    return names


def areas_where(session: Session, aad_id: str, permission: Permission) -> list[str]:
    """E-area slugs in which the user holds a role that allows the permission."""
    allowed = roles_for(permission)
    return sorted({a.scope for a in org.roles_of(session, aad_id) if a.role.value in allowed and a.scope != org.PORTFOLIO_SCOPE})
