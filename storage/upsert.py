"""INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL alike.

Concurrent first turns (or instances) may create the same row at once; the loser must neither
fail nor overwrite. Callers read the row afterwards if they need it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def insert_missing(session: Session, table: Table, values: dict[str, Any] | list[dict[str, Any]],
                   index_elements: Sequence[str]) -> int:
    """Insert the rows whose key is not there yet; returns how many were new."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(table).values(values).on_conflict_do_nothing(index_elements=list(index_elements))
    return max(session.execute(stmt).rowcount or 0, 0)
