"""botbuilder `Storage` on Styra's own database, with eTag optimistic concurrency.

Dialog stacks and user state live beside the business data, so they survive restarts and are
shared by every instance. A write carrying a stale eTag raises `EtagConflict`; it never
silently overwrites what another turn wrote.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextvars import ContextVar

import jsonpickle
from botbuilder.core import Storage
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import BotStateRow
from storage.types import utcnow

# Rows read in the turn's first transaction, so the SDK's state load needs no second one.
# A contextvar: each turn (task) sees only its own; each prefetched key is used once.
_PREFETCHED: ContextVar[dict[str, tuple[str, int] | None] | None] = ContextVar("styra_state_prefetch", default=None)


def read_rows(session, keys: list[str]) -> dict[str, tuple[str, int] | None]:
    """(data, etag) per key, None where there is no row; for `prefetch`."""
    found = {key: None for key in keys}
    for key, data, etag in DatabaseStorage._read(session, keys):
        found[key] = (data, etag)
    return found


def prefetch(key: str | None, rows: dict[str, tuple[str, int] | None]) -> None:
    if key is not None:
        _PREFETCHED.set(dict(rows))


def read_json(session, key: str) -> dict | None:
    """A small JSON state (the pending question of a user in a conversation); None if absent
    or written by an older release in another shape."""
    data = session.execute(select(BotStateRow.data).where(BotStateRow.key == key)).scalar()
    if data is None:
        return None
    try:
        value = json.loads(data)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def write_json(session, key: str, value: dict | None) -> None:
    """Last writer wins: only the turn that asked a question writes it, and two first messages
    at once in a new chat must not fail on each other's insert."""
    table = BotStateRow.__table__
    if value is None:
        session.execute(delete(table).where(table.c.key == key))
        return
    data = json.dumps(value, ensure_ascii=False)
    if session.execute(update(table).where(table.c.key == key)
                       .values(data=data, etag=table.c.etag + 1, updated_at=utcnow())).rowcount:
        return
    try:
        with session.begin_nested():
            session.execute(insert(table).values(key=key, data=data, etag=1, updated_at=utcnow()))
    except IntegrityError:
        session.execute(update(table).where(table.c.key == key).values(data=data, etag=table.c.etag + 1,
                                                                        updated_at=utcnow()))


class EtagConflict(KeyError):
    """Someone else wrote this state since it was read."""


def _etag_of(value: object) -> str | None:
    if isinstance(value, dict):
        return value.get("e_tag")
    return getattr(value, "e_tag", None)


def _set_etag(value: object, etag: str) -> None:
    if isinstance(value, dict):
        value["e_tag"] = etag
    elif hasattr(value, "e_tag"):
        value.e_tag = etag


def _encode(value: object) -> str:
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if k != "e_tag"}
    # jsonpickle keeps the SDK's DialogState/DialogInstance classes; the data is our own.
    return jsonpickle.encode(value, keys=True)


def _decode(data: str, etag: int) -> object:
    value = jsonpickle.decode(data, keys=True)
    _set_etag(value, str(etag))
    return value


class DatabaseStorage(Storage):
    def __init__(self, db: Database) -> None:
        super().__init__()
        self._db = db

    async def read(self, keys: list[str]) -> dict[str, object]:
        if not keys:
            return {}
        cached = _PREFETCHED.get()
        if cached is not None and all(key in cached for key in keys):
            rows = [(key, *cached.pop(key)) for key in keys if cached[key] is not None]
            for key in keys:
                cached.pop(key, None)
        else:
            rows = await self._db.run(self._read, list(keys))
        return {key: _decode(data, etag) for key, data, etag in rows}

    @staticmethod
    def _read(session, keys: list[str]):
        stmt = select(BotStateRow.key, BotStateRow.data, BotStateRow.etag).where(
            BotStateRow.key.in_(keys)
        )
        return session.exec(stmt).all()

    async def write(self, changes: dict[str, object]) -> None:
        if changes is None:
            raise ValueError("changes are required")
        if not changes:
            return
        items = [(key, _encode(value), _etag_of(value)) for key, value in changes.items()]
        new_etags = await self._db.run(self._write, items)
        for key, etag in new_etags.items():
            _set_etag(changes[key], str(etag))

    @staticmethod
    def _write(session, items: Iterable[tuple[str, str, str | None]]) -> dict[str, int]:
        table = BotStateRow.__table__
        result: dict[str, int] = {}
        now = utcnow()
        for key, data, etag in items:
            if etag == "*":
                current = session.execute(select(BotStateRow.etag).where(BotStateRow.key == key)).scalar()
                if current is None:
                    session.execute(insert(table).values(key=key, data=data, etag=1, updated_at=now))
                    result[key] = 1
                else:
                    session.execute(
                        update(table).where(table.c.key == key).values(data=data, etag=current + 1, updated_at=now)
                    )
                    result[key] = current + 1
            elif etag in (None, ""):
                try:
                    with session.begin_nested():
                        session.execute(insert(table).values(key=key, data=data, etag=1, updated_at=now))
                except IntegrityError as exc:
                    raise EtagConflict(f"state {key!r} was created by another turn") from exc
                result[key] = 1
            else:
                expected = int(etag)
                changed = session.execute(
                    update(table)
                    .where(table.c.key == key, table.c.etag == expected)
                    .values(data=data, etag=expected + 1, updated_at=now)
                ).rowcount
                if changed != 1:
                    raise EtagConflict(f"state {key!r} changed since it was read (eTag {etag})")
                result[key] = expected + 1
        return result

    async def delete(self, keys: list[str]) -> None:
        if keys:
            await self._db.run(
                lambda s: s.execute(delete(BotStateRow.__table__).where(BotStateRow.key.in_(list(keys))))
            )
