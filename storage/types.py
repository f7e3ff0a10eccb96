"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy.types import DateTime, TypeDecorator

# The clock of the transaction running in this thread (Database.transaction sets it), so rows
# are stamped with the app's injected clock, not the wall clock.
_CLOCK: ContextVar[Callable[[], datetime] | None] = ContextVar("styra_clock", default=None)


def utcnow() -> datetime:
    clock = _CLOCK.get()
    return clock() if clock is not None else datetime.now(UTC)


def use_clock(clock: Callable[[], datetime] | None):
    """Stamp rows with `clock` in this context; returns the token to reset it with."""
    return _CLOCK.set(clock)


def reset_clock(token) -> None:
    _CLOCK.reset(token)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, hands back aware UTC (SQLite keeps no time zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)
