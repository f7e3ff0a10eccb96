"""Activity ids already processed: a redelivered activity is handled once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage.models import ProcessedActivity


def claim(session: Session, key: str) -> bool:
    """True for the first delivery of this key; False for a repeat."""
    try:
        with session.begin_nested():
            session.execute(insert(ProcessedActivity.__table__).values(key=key[:200]))
    except IntegrityError:
        return False
    return True


def release(session: Session, key: str) -> None:
    """Forget a claim whose turn failed, so Teams' retry can succeed."""
    session.execute(delete(ProcessedActivity.__table__).where(ProcessedActivity.key == key[:200]))


def prune(session: Session, before: datetime) -> int:
    table = ProcessedActivity.__table__
    return session.execute(delete(table).where(table.c.processed_at < before)).rowcount
