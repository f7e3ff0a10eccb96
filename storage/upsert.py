"""INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL alike.

Concurrent first turns (or instances) may create the same row at once; the loser must neither
fail nor overwrite. Callers read the row afterwards if they need it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ClauseElement
from sqlmodel import Session

# One statement per (dialect, table, key), built once: a row's values go in as parameters,
# so the hot inserts (an activity's claim, an outbox row) skip building and keying a statement.
_BUILT: dict[tuple[str, str, tuple[str, ...]], Any] = {}


def _statement(dialect: str, table: Table, index_elements: tuple[str, ...]):
    key = (dialect, table.name, index_elements)
    stmt = _BUILT.get(key)
    if stmt is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = (insert(table).on_conflict_do_nothing(index_elements=list(index_elements))
                .returning(table.c[index_elements[0]]))
        _BUILT[key] = stmt
    return stmt


def insert_missing(session: Session, table: Table, values: dict[str, Any] | list[dict[str, Any]],
                   index_elements: Sequence[str]) -> int:
    """Insert the rows whose key is not there yet; returns how many were new."""
    # Counted from RETURNING: psycopg 3 reports no rowcount (-1) for this statement.
    return len(inserted(session, table, values, index_elements))


def inserted(session: Session, table: Table, values: dict[str, Any] | list[dict[str, Any]],
             index_elements: Sequence[str]) -> list[Any]:
    """`insert_missing`, returning the first key column of the rows that were new."""
    dialect = session.get_bind().dialect.name
    if isinstance(values, dict) and not any(isinstance(v, ClauseElement) for v in values.values()):
        row = {k: v for k, v in values.items() if k in table.c}
        return list(session.connection().execute(_statement(dialect, table, tuple(index_elements)), row).scalars())
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values(values).on_conflict_do_nothing(index_elements=list(index_elements))
    return list(session.execute(stmt.returning(table.c[index_elements[0]])).scalars())
