"""Activity ids already processed: a redelivered activity is handled once."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage.models import ProcessedActivity

KEY_CHARS = 200  # ProcessedActivity.key


def stored_key(key: str) -> str:
    """The key as stored: unchanged when it fits, else a prefix plus a hash of the whole.

    Cutting alone would make two activities of a conversation with a long id share a key, and
    the second one would be dropped as a "redelivery"."""
    if len(key) <= KEY_CHARS:
        return key
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return key[: KEY_CHARS - len(digest) - 1] + "#" + digest


def claim(session: Session, key: str) -> bool:
    """True for the first delivery of this key; False for a repeat."""
    try:
        with session.begin_nested():
            session.execute(insert(ProcessedActivity.__table__).values(key=stored_key(key)))
    except IntegrityError:
        return False
    return True


def release(session: Session, key: str) -> None:
    """Forget a claim whose turn failed, so Teams' retry can succeed."""
    session.execute(delete(ProcessedActivity.__table__).where(ProcessedActivity.key == stored_key(key)))


def prune(session: Session, before: datetime) -> int:
    table = ProcessedActivity.__table__
    return session.execute(delete(table).where(table.c.processed_at < before)).rowcount
