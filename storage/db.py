"""The database: one engine per process, one transaction per use case.

Work runs in a worker thread (`Database.run`) so a query never blocks the event loop.
Repositories take the session they are given and never commit; `run` commits once at the end.
On SQLite every transaction writes (`BEGIN IMMEDIATE`), so this process's transactions take
their turn in order (`FairLock`) before they begin: SQLite's own busy handler sleeps and polls,
and newer transactions overtook a waiting one for seconds (a lock convoy). Other processes (the
CLI, a second instance) still meet the busy timeout. PostgreSQL keeps its pool and row locks.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections import deque
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
READ_ONLY = "styra_read_only"  # an execution option: this unit of work only reads


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
        # A read-only unit (`Database.read`) takes a snapshot and no lock.
        read_only = conn.get_execution_options().get(READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


class FairLock:
    """First come, first served: a released lock is handed to the thread that waited longest.

    Re-entrant per thread (a nested `transaction` on the same thread does not wait on itself)."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiters: deque[threading.Lock] = deque()
        self._owner: int | None = None
        self._depth = 0

    def acquire(self) -> None:
        me = threading.get_ident()
        with self._mutex:
            if self._owner == me:
                self._depth += 1
                return
            if self._owner is None:
                self._owner, self._depth = me, 1
                return
            baton = threading.Lock()
            baton.acquire()
            self._waiters.append(baton)
        baton.acquire()  # released by `release`, which made this thread the owner
        with self._mutex:
            self._owner, self._depth = me, 1

    def release(self) -> None:
        with self._mutex:
            self._depth -= 1
            if self._depth:
                return
            self._owner = None
            if self._waiters:
                # Marked as taken until the woken thread records itself, so no newcomer overtakes it.
                self._owner = -1
                self._waiters.popleft().release()

    def __enter__(self) -> FairLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class _NoLock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc) -> None:
        return None


class Database:
    def __init__(self, engine: Engine, workers: int = 8, clock: Callable[[], datetime] | None = None) -> None:
        self.engine = engine
        self.clock = clock  # stamps rows (storage.types.utcnow); None: the wall clock
        # Its own threads: database work never queues behind outbound sends, which the SDK
        # runs in the loop's default executor.
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="styra-db")
        self._writers = FairLock() if engine.dialect.name == "sqlite" else _NoLock()
        self._reader = engine.execution_options(**{READ_ONLY: True}) if engine.dialect.name == "sqlite" else engine

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
            with self._writers, Session(self.engine, expire_on_commit=False) as session:
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        finally:
            reset_clock(token)

    def read_call(self, work: Callable[..., T], *args, **kwargs) -> T:
        """`work(session, *args)` in a unit that only reads: on SQLite it neither takes the write
        lock nor waits for its turn (WAL readers run beside the writer). Closed, not committed:
        what it loaded stays readable after it."""
        token = use_clock(self.clock)
        try:
            with Session(self._reader, expire_on_commit=False) as session:
                return work(session, *args, **kwargs)
        finally:
            reset_clock(token)

    async def read(self, work: Callable[..., T], *args, **kwargs) -> T:
        """Run `work(session, *args)` in a read-only unit on a database thread (see `read_call`)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(self.read_call, work, *args, **kwargs))

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
