"""Small per-conversation state kept beside the business data: the question a user's next
message answers (bot/dispatch.py). It survives restarts and is shared by every instance.

One row per key, JSON. Only the turn that asks or answers a question writes its row, so the
last writer wins; the first write of a key is race-free (two first messages in a new chat must
not fail on each other's insert).
"""

from __future__ import annotations

import json

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from storage.models import BotStateRow
from storage.types import utcnow


def read_json(session, key: str) -> dict | None:
    """The state under `key`; None if absent or in a shape this release does not write."""
    return parse(session.execute(select(BotStateRow.data).where(BotStateRow.key == key)).scalar())


def parse(data: str | None) -> dict | None:
    """A stored row's state; None if absent or in a shape this release does not write."""
    if data is None:
        return None
    try:
        value = json.loads(data)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def write_json(session, key: str, value: dict | None) -> None:
    """Store `value` under `key` (None removes it)."""
    table = BotStateRow.__table__
    if value is None:
        session.execute(delete(table).where(table.c.key == key))
        return
    # json escapes control characters, so NUL is stored alike on SQLite and PostgreSQL.
    data = json.dumps(value, ensure_ascii=False)
    changes = {"data": data, "etag": table.c.etag + 1, "updated_at": utcnow()}
    if session.execute(update(table).where(table.c.key == key).values(**changes)).rowcount:
        return
    try:
        with session.begin_nested():
            session.execute(insert(table).values(key=key, data=data, etag=1, updated_at=utcnow()))
    except IntegrityError:  # created by a concurrent turn a moment ago
        session.execute(update(table).where(table.c.key == key).values(**changes))
