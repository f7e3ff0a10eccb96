"""Authorisation: every handler asks here, and the answer comes from stored roles only."""

from __future__ import annotations

from bot.config import Settings
from bot.i18n import area_name, translator
from bot.rules.permissions import PORTFOLIO_PERMISSIONS, Permission, allows, roles_for
from storage import org
from storage.models import PORTFOLIO_ROLES, Person, Role


def is_admin(settings: Settings, aad_id: str | None) -> bool:
    return bool(aad_id) and aad_id in settings.admin_ids


def roles_in(session, aad_id: str, scope: str) -> set[str]:
    return org.roles_in(session, aad_id, scope)


def can(session, settings: Settings, aad_id: str | None, permission: Permission,
        scope: str | None = None) -> bool:
    if not aad_id:
        return False
    if permission in PORTFOLIO_PERMISSIONS:
        scope = org.PORTFOLIO_SCOPE
    held = roles_in(session, aad_id, scope) if scope else set()
    return allows(permission, held, is_admin=is_admin(settings, aad_id))


def who_can(session, permission: Permission, scope: str) -> list[str]:
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


def areas_where(session, aad_id: str, permission: Permission) -> list[str]:
    """E-area slugs in which the user holds a role that allows the permission."""
    allowed = roles_for(permission)
    return sorted({a.scope for a in org.roles_of(session, aad_id) if a.role.value in allowed and a.scope != org.PORTFOLIO_SCOPE})


ROLE_WORDS = {
    "koordinator": Role.coordinator, "coordinator": Role.coordinator,
    "områdesansvarig": Role.area_owner, "area_owner": Role.area_owner, "owner": Role.area_owner,
    "ordförande": Role.chair, "chair": Role.chair,
    "vice_ordförande": Role.deputy_chair, "deputy_chair": Role.deputy_chair, "deputy": Role.deputy_chair,
    "ledamot": Role.member, "member": Role.member,
    "portföljkontor": Role.portfolio_office, "portfolio_office": Role.portfolio_office,
    "portföljordförande": Role.portfolio_chair, "portfolio_chair": Role.portfolio_chair,
}


def role_label(t, role: Role) -> str:
    return {
        Role.coordinator: t("coordinator"),
        Role.area_owner: t("area owner"),
        Role.chair: t("chair"),
        Role.deputy_chair: t("deputy chair"),
        Role.member: t("member"),
        Role.portfolio_office: t("portfolio office"),
        Role.portfolio_chair: t("portfolio management chair"),
    }[role]


def change_role(session, role: Role, area_word: str | None, who: str, granting: bool, by: str,
                lang: str | None = None) -> tuple[str, str]:
    """Used by chat and by `styra roles`; returns (outcome, detail), names in `lang`."""
    area = None
    if role not in PORTFOLIO_ROLES:
        if not area_word:
            return "no_area", ""
        area = org.find_e_area(session, area_word)
        if area is None:
            return "unknown_area", area_word
    people = org.find_people(session, who)
    if len(people) != 1:
        return ("ambiguous" if people else "unknown_person"), who
    target = people[0]
    changed = (org.grant if granting else lambda s, a, i, r, b: org.revoke(s, a, i, r))(
        session, area, target.aad_id, role, by
    )
    where = area_name(area, lang) if area else translator(lang)("Portfolio")
    return ("changed" if changed else "unchanged"), f"{target.name or target.aad_id}|{where}"
