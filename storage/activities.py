"""Activity ids already processed: a redelivered activity is handled once.

A turn claims its activity first and marks the claim completed at its end. A claim that was
never completed (the process died mid-turn) expires after a short while, so Teams' resend of
that activity is processed; the business keys then make the second run answer with what the
first one already did. Completed claims stay (until pruned).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session

from storage.models import ProcessedActivity
from storage.types import utcnow
from storage.upsert import insert_missing

KEY_CHARS = 200  # ProcessedActivity.key
T = ProcessedActivity.__table__


def stored_key(key: str) -> str:
    """The key as stored: unchanged when it fits, else a prefix plus a hash of the whole.

    Cutting alone would make two activities of a conversation with a long id share a key, and
    the second one would be dropped as a "redelivery"."""
    if len(key) <= KEY_CHARS:
        return key
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return key[: KEY_CHARS - len(digest) - 1] + "#" + digest


def claim(session: Session, key: str, now: datetime | None = None, expiry: timedelta | None = None) -> bool:
    """True for the first delivery of this key, or a resend of one whose turn never completed
    within `expiry` (30 s); False for a repeat."""
    now = now or utcnow()
    expiry = expiry or timedelta(seconds=30)
    stored = stored_key(key)
    if insert_missing(session, T, {"key": stored, "processed_at": now}, ["key"]):
        return True
    taken = session.execute(
        update(T).where(T.c.key == stored, T.c.completed_at.is_(None), T.c.processed_at < now - expiry)
        .values(processed_at=now)
    ).rowcount
    return taken == 1


def complete(session: Session, key: str, now: datetime) -> None:
    """The turn is done: a resend of this activity is dropped from now on."""
    session.execute(update(T).where(T.c.key == stored_key(key)).values(completed_at=now))


def release(session: Session, key: str) -> None:
    """Forget a claim whose turn failed, so Teams' retry can succeed."""
    session.execute(delete(T).where(T.c.key == stored_key(key)))


def prune(session: Session, before: datetime) -> int:
    return session.execute(delete(T).where(T.c.processed_at < before)).rowcount
