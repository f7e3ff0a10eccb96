"""The database: one engine per process, one transaction per use case.

Work runs in a worker thread (`Database.run`) so a query never blocks the event loop.
Repositories take the session they are given and never commit; `run` commits once at the end.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from storage.types import reset_clock, use_clock

T = TypeVar("T")


def normalise_url(url: str) -> str:
    """Use psycopg 3 for every PostgreSQL URL, whatever scheme the operator wrote."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername != "postgresql+psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=8, max_overflow=8
        )
        _tune_sqlite(engine)
        return engine
    return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy issue BEGIN itself so every transaction can be IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # IMMEDIATE takes the write lock up front: no deadlock when a reader later writes,
        # and check-then-write use cases (frame, decisions) are serialised like on PostgreSQL.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    def __init__(self, engine: Engine, workers: int = 8, clock: Callable[[], datetime] | None = None) -> None:
        self.engine = engine
        self.clock = clock  # stamps rows (storage.types.utcnow); None: the wall clock
        # Its own threads: database work never queues behind outbound sends, which the SDK
        # runs in the loop's default executor.
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="styra-db")

    @classmethod
    def from_url(cls, url: str, clock: Callable[[], datetime] | None = None) -> Database:
        return cls(make_engine(url), clock=clock)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any error."""
        token = use_clock(self.clock)
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        finally:
            reset_clock(token)

    def call(self, work: Callable[..., T], *args, **kwargs) -> T:
        with self.transaction() as session:
            return work(session, *args, **kwargs)

    async def run(self, work: Callable[..., T], *args, **kwargs) -> T:
        """Run `work(session, *args)` in one transaction on a database thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(self.call, work, *args, **kwargs))

    def dispose(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self.engine.dispose()
