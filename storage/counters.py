"""Yearly numbers like B-2026-0042, handed out inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage.models import Counter


def next_number(session: Session, prefix: str, year: int) -> str:
    name = f"{prefix}-{year}"
    table = Counter.__table__
    stmt = update(table).where(table.c.name == name).values(value=table.c.value + 1).returning(table.c.value)
    value = session.execute(stmt).scalar()
    if value is None:
        try:
            with session.begin_nested():
                session.execute(insert(table).values(name=name, value=1))
            value = 1
        except IntegrityError:  # another transaction created it first
            value = session.execute(stmt).scalar()
    return f"{name}-{value:04d}"
