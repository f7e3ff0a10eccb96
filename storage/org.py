"""Repository for the organisation: e-areas, people, roles, conversations and linked channels.

Functions take the session of the caller's transaction and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, delete, func
from sqlmodel import Session, select

from storage.models import (
    PORTFOLIO_ROLES,
    ChannelPurpose,
    ConversationRef,
    EArea,
    LinkedChannel,
    Person,
    Role,
    RoleAssignment,
    SentCard,
)
from storage.types import utcnow
from storage.upsert import insert_missing

PORTFOLIO_SCOPE = "portfolio"


_E_AREAS = select(EArea).order_by(EArea.name)  # built once: every form and submit reads them


def e_areas(session: Session) -> list[EArea]:
    return list(session.execute(_E_AREAS).scalars())


@dataclass(frozen=True)
class Area:
    """An e-area as read for a need form's check (no ORM row): what validation, cards and notices use."""

    id: int
    slug: str
    name: str
    name_en: str | None
    need_notices: str | None


def e_area(session: Session, area_id: int) -> EArea | None:
    return session.get(EArea, area_id)


def e_area_slugs(session: Session) -> set[str]:
    return set(session.exec(select(EArea.slug)))


def e_area_by_slug(session: Session, slug: str) -> EArea | None:
    return session.exec(select(EArea).where(EArea.slug == slug)).first()


def find_e_area(session: Session, text: str) -> EArea | None:
    """By slug or name, case-insensitively ('utbildning', 'Utbildning', 'Education')."""
    wanted = text.strip().casefold()
    for area in e_areas(session):
        names = {area.slug.casefold(), area.name.casefold(), (area.name_en or "").casefold()}
        if wanted in names:
            return area
    return None


def count_e_areas(session: Session) -> int:
    return session.exec(select(func.count()).select_from(EArea)).one()


def person(session: Session, aad_id: str) -> Person | None:
    return session.get(Person, aad_id)


def language_of_person(person: Person | None) -> str | None:
    """The language to write to someone unprompted: the one they chose, else their client's."""
    if person is None:
        return None
    return person.locale or person.client_locale


def find_people(session: Session, text: str) -> list[Person]:
    """By AAD object id, or by exact (case-insensitive) name among people Styra knows."""
    wanted = text.strip()
    by_id = session.get(Person, wanted)
    if by_id is not None:
        return [by_id]
    stmt = select(Person).where(func.lower(Person.name) == wanted.lower())
    return list(session.exec(stmt))


_ROLES_IN = select(RoleAssignment.role).where(RoleAssignment.aad_id == bindparam("aad"),
                                              RoleAssignment.scope == bindparam("scope"))


def roles_in(session: Session, aad_id: str, scope: str) -> set[str]:
    """The roles (their values) a person holds in one scope: asked on every authorisation, so a
    prebuilt statement of one column (autoflushed like any ORM read), not RoleAssignment objects."""
    found = session.execute(_ROLES_IN, {"aad": aad_id, "scope": scope}).scalars()
    return {str(getattr(role, "value", role)) for role in found}


def roles_of(session: Session, aad_id: str) -> list[RoleAssignment]:
    return list(session.exec(select(RoleAssignment).where(RoleAssignment.aad_id == aad_id)))


def holders(session: Session, scope: str, *roles: Role) -> list[str]:
    stmt = select(RoleAssignment.aad_id).where(
        RoleAssignment.scope == scope, RoleAssignment.role.in_(roles)
    )
    return sorted(set(session.exec(stmt)))


@dataclass(frozen=True)
class Contact:
    aad_id: str
    name: str  # the aad id when Styra has not seen the person's name
    language: str | None  # chosen, else their client's; None when unknown


_ROLES, _PEOPLE = RoleAssignment.__table__, Person.__table__
# Core, built once: asked on every need registered (the coordinators to tell).
_CONTACTS = (select(_ROLES.c.aad_id, _PEOPLE.c.name, func.coalesce(_PEOPLE.c.locale, _PEOPLE.c.client_locale))
             .select_from(_ROLES.outerjoin(_PEOPLE, _PEOPLE.c.aad_id == _ROLES.c.aad_id))
             .where(_ROLES.c.scope == bindparam("scope"), _ROLES.c.role == bindparam("role"))
             .order_by(_ROLES.c.aad_id))


def contacts(session: Session, scope: str, role: Role) -> list[Contact]:
    """Who holds the role in the scope, with name and language, in one query."""
    rows = session.connection().execute(_CONTACTS, {"scope": scope, "role": role})
    return [Contact(aad_id, name or aad_id, language) for aad_id, name, language in rows]


def role_rows(session: Session) -> list[tuple[str, EArea | None, Role, str, str]]:
    """Every role held: (scope, its e-area or None for the portfolio, role, aad id, person's name), e-areas first."""
    rows = []
    scopes = [(area.slug, area) for area in e_areas(session)] + [(PORTFOLIO_SCOPE, None)]
    for scope, area in scopes:
        for role in Role:
            if (role in PORTFOLIO_ROLES) != (scope == PORTFOLIO_SCOPE):
                continue
            for aad_id in holders(session, scope, role):
                found = session.get(Person, aad_id)
                rows.append((scope, area, role, aad_id, found.name if found and found.name else ""))
    return rows


def grant(session: Session, area: EArea | None, aad_id: str, role: Role, by: str) -> bool:
    """True when the role was added, False when the person already had it."""
    scope = PORTFOLIO_SCOPE if role in PORTFOLIO_ROLES else area.slug
    exists = session.exec(
        select(RoleAssignment).where(
            RoleAssignment.scope == scope, RoleAssignment.aad_id == aad_id, RoleAssignment.role == role
        )
    ).first()
    if exists:
        return False
    session.add(
        RoleAssignment(
            scope=scope,
            e_area_id=None if role in PORTFOLIO_ROLES else area.id,
            aad_id=aad_id,
            role=role,
            granted_by=by,
        )
    )
    session.flush()
    return True


def revoke(session: Session, area: EArea | None, aad_id: str, role: Role) -> bool:
    scope = PORTFOLIO_SCOPE if role in PORTFOLIO_ROLES else area.slug
    result = session.execute(
        delete(RoleAssignment).where(
            RoleAssignment.scope == scope, RoleAssignment.aad_id == aad_id, RoleAssignment.role == role
        )
    )
    return result.rowcount > 0


def save_conversation(session: Session, ref: ConversationRef) -> None:
    current = session.get(ConversationRef, ref.conversation_id)
    if current is None:  # race-safe: concurrent first turns may store the same conversation
        values = ref.model_dump()
        values["updated_at"] = values.get("updated_at") or utcnow()
        if insert_missing(session, ConversationRef.__table__, values, ["conversation_id"]):
            return
        current = session.get(ConversationRef, ref.conversation_id)
    if current is not None:  # write only what changed: this runs on every turn
        changed = False
        for field in ("kind", "service_url", "tenant_id", "team_id", "channel_id", "bot_id", "aad_id", "name"):
            value = getattr(ref, field)
            if value and getattr(current, field) != value:
                setattr(current, field, value)
                changed = True
        if current.installed != ref.installed:
            current.installed, changed = ref.installed, True
        if current.failed_at is not None and ref.installed:  # Teams reaches us again: it works
            current.failed_at, current.failure, changed = None, None, True
        if changed:
            current.updated_at = utcnow()
    session.flush()


def conversation(session: Session, conversation_id: str) -> ConversationRef | None:
    return session.get(ConversationRef, conversation_id)


def failed_conversations(session: Session) -> list[tuple[ConversationRef, list[str]]]:
    """Conversations marked unreachable, newest failure first, with the scopes linked to each."""
    refs = list(session.exec(select(ConversationRef).where(ConversationRef.failed_at.is_not(None))
                             .order_by(ConversationRef.failed_at.desc())))
    links: dict[str, list[str]] = {}
    if refs:
        stmt = (select(LinkedChannel.conversation_id, LinkedChannel.scope)
                .where(LinkedChannel.conversation_id.in_([r.conversation_id for r in refs]))
                .order_by(LinkedChannel.scope))
        for conversation_id, scope in session.exec(stmt):
            links.setdefault(conversation_id, []).append(scope)
    return [(ref, links.get(ref.conversation_id, [])) for ref in refs]


def mark_conversation_failed(session: Session, conversation_id: str, reason: str) -> None:
    ref = session.get(ConversationRef, conversation_id)
    if ref is not None:
        ref.failed_at = utcnow()
        ref.failure = reason[:300]


def link_channel(
    session: Session, purpose: ChannelPurpose, area: EArea | None, conversation_id: str, by: str,
    scope: str | None = None,
) -> LinkedChannel:
    scope = scope or (area.slug if area else PORTFOLIO_SCOPE)
    link = session.exec(
        select(LinkedChannel).where(LinkedChannel.purpose == purpose, LinkedChannel.scope == scope)
    ).first()
    if link is None:
        link = LinkedChannel(purpose=purpose, scope=scope, e_area_id=area.id if area else None,
                             conversation_id=conversation_id, linked_by=by)
        session.add(link)
    else:
        link.conversation_id, link.linked_by, link.linked_at = conversation_id, by, utcnow()
    session.flush()
    return link


def linked_channel(session: Session, purpose: ChannelPurpose, scope: str) -> ConversationRef | None:
    stmt = (
        select(ConversationRef)
        .join(LinkedChannel, LinkedChannel.conversation_id == ConversationRef.conversation_id)
        .where(LinkedChannel.purpose == purpose, LinkedChannel.scope == scope)
    )
    return session.exec(stmt).first()


def linked_channels(session: Session, purpose: ChannelPurpose) -> list[tuple[str, ConversationRef]]:
    stmt = (
        select(LinkedChannel.scope, ConversationRef)
        .join(ConversationRef, LinkedChannel.conversation_id == ConversationRef.conversation_id)
        .where(LinkedChannel.purpose == purpose)
        .order_by(LinkedChannel.scope)
    )
    return [(scope, ref) for scope, ref in session.exec(stmt)]


# --- where Styra's messages went ------------------------------------------------------


def sent_cards(session, subject: str):
    stmt = (
        select(SentCard, ConversationRef)
        .join(ConversationRef, ConversationRef.conversation_id == SentCard.conversation_id)
        .where(SentCard.subject == subject)
    )
    return list(session.exec(stmt))


def remember_sent(session, subject: str, conversation_id: str, activity_id: str) -> None:
    """Every posted copy is kept: updating the subject's card reaches them all."""
    row = session.exec(
        select(SentCard).where(SentCard.subject == subject, SentCard.conversation_id == conversation_id,
                               SentCard.activity_id == activity_id)
    ).first()
    if row is None:
        session.add(SentCard(subject=subject, conversation_id=conversation_id, activity_id=activity_id))


# Built once: every message to a person (an outbox row's lane, a reply) looks it up.
_PERSONAL_REF = select(ConversationRef).where(ConversationRef.aad_id == bindparam("aad_id"),
                                              ConversationRef.kind == "personal")


def personal_ref(session, aad_id: str) -> ConversationRef | None:
    return session.execute(_PERSONAL_REF, {"aad_id": aad_id}).scalars().first()


def how_to_reach(session, aad_id: str):
    """One trip: the person's 1:1 chat, else their Teams id and a known service URL to open one."""
    ref = personal_ref(session, aad_id)
    if ref is not None:
        return ref, None, None
    found = person(session, aad_id)
    if found is None or not found.teams_id:
        return None, None, None
    return None, found.teams_id, any_service_url(session)


def any_service_url(session) -> ConversationRef | None:
    return session.exec(select(ConversationRef).order_by(ConversationRef.updated_at.desc())).first()


def save_conversations(session: Session, refs: list[ConversationRef]) -> None:
    for ref in refs:
        save_conversation(session, ref)


def mark_welcomed(session: Session, aad_id: str, when) -> None:
    found = person(session, aad_id)
    if found is not None and found.welcomed_at is None:
        found.welcomed_at = when


def mark_uninstalled(session: Session, conversation_id: str) -> None:
    ref = conversation(session, conversation_id)
    if ref is not None:
        ref.installed = False


def set_locale(session: Session, aad_id: str, lang: str) -> None:
    found = person(session, aad_id)
    if found is not None:
        found.locale = lang
