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
    # Counted from RETURNING: psycopg 3 reports no rowcount (-1) for this statement.
    return len(inserted(session, table, values, index_elements))


def inserted(session: Session, table: Table, values: dict[str, Any] | list[dict[str, Any]],
             index_elements: Sequence[str]) -> list[Any]:
    """`insert_missing`, returning the first key column of the rows that were new."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(table).values(values).on_conflict_do_nothing(index_elements=list(index_elements))
    return list(session.execute(stmt.returning(table.c[index_elements[0]])).scalars())
