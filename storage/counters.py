"""Yearly numbers like B-2026-0042, handed out inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy import bindparam, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from storage.models import Counter

_TABLE = Counter.__table__


def _draw(dialect: str):
    """INSERT … ON CONFLICT DO UPDATE: the series' first number or its next, one statement (the
    row stays locked to the end of the transaction, so numbers are drawn in commit order)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(_TABLE).values(name=bindparam("name"), value=1)
    return stmt.on_conflict_do_update(index_elements=["name"], set_={"value": _TABLE.c.value + 1}).returning(_TABLE.c.value)


_DRAW = {name: _draw(name) for name in ("sqlite", "postgresql")}


def next_number(session: Session, prefix: str, year: int) -> str:
    name = f"{prefix}-{year}"
    conn = session.connection()
    value = conn.execute(_DRAW[conn.dialect.name], {"name": name}).scalar_one()
    return f"{name}-{value:04d}"


def give_back(session: Session, number: str) -> None:
    """Undo `next_number` when its number went unused in this transaction (the series stays
    gap-free): only the newest number is given back, which the caller still holds locked."""
    name, value = number.rsplit("-", 1)
    session.connection().execute(update(_TABLE).where(_TABLE.c.name == name, _TABLE.c.value == int(value))
                                 .values(value=_TABLE.c.value - 1))
