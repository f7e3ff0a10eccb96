"""How each e-area's coordinators hear of new needs (each, a daily digest, off), and what a digest
lists: the needs registered since the recipient's previous digest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from storage.models import EArea, Need
from storage.outbox_tables import OutboxMessage

MODES = ("each", "digest", "off")
DIGEST_PREFIX = "need-digest:"


def mode_of(area: EArea, default: str) -> str:
    return area.need_notices if area.need_notices in MODES else default


def set_mode(session: Session, area_id: int, mode: str) -> EArea | None:
    area = session.get(EArea, area_id)
    if area is None or mode not in MODES:
        return None
    area.need_notices = mode
    session.add(area)
    session.flush()
    return area


def areas_in_digest(session: Session, default: str) -> list[EArea]:
    areas = session.execute(select(EArea).order_by(EArea.slug)).scalars().all()
    return [a for a in areas if mode_of(a, default) == "digest"]


def new_needs(session: Session, area_id: int, since: datetime, until: datetime) -> list[Need]:
    """Needs of the e-area registered in (since, until], oldest first."""
    return list(session.execute(
        select(Need).where(Need.e_area_id == area_id, Need.created_at > since, Need.created_at <= until)
        .order_by(Need.created_at, Need.id)
    ).scalars())


def last_digest_at(session: Session, recipient: str) -> datetime | None:
    """When the recipient's previous digest was written (its outbox row), if ever."""
    return session.execute(
        select(func.max(OutboxMessage.created_at))
        .where(OutboxMessage.key.startswith(DIGEST_PREFIX), OutboxMessage.recipient == recipient)
    ).scalar()


def digest_written(session: Session, key_prefix: str) -> bool:
    return session.execute(
        select(OutboxMessage.id).where(OutboxMessage.key.startswith(key_prefix)).limit(1)).first() is not None
