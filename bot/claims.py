"""A turn's claim on its activity: taken in batches at the turn's start, marked completed in
batches after its end.

Starts: the turns that arrive while a batch is in the database wait for the next one, and a batch
is one transaction on one database thread (each turn's statements, storage/turn_start.py). Under
load that is one BEGIN, one COMMIT and one thread hop for many turns instead of one each; alone,
a turn's batch is itself and waits for nothing. A batch that fails is run again turn by turn, so
one turn's fault or a deadlock fails that turn only.

Completions: finished turns' claims, marked completed together a moment after their turns end.

A turn that changes no pending question needs nothing more from the database at its end than
"this activity is done". Writing that in its own transaction was half of a short turn's database
work; here the claims of all turns that end within FLUSH_AFTER_S share one. Until it commits, a
resend of such an activity is dropped from memory (`finished`), so a finished turn is never run
twice by this process. If the process dies first, the claim stays open and expires after
STYRA_TURN_CLAIM_SECONDS, as it would for a turn that died just before its end: Teams' resend
(sent only when it got no HTTP answer) is then processed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from storage import turn_start

log = logging.getLogger("styra.dispatch")
T = TypeVar("T")

FLUSH_AFTER_S = 0.05
RETRY_AFTER_S = 1.0


class Starts:
    def __init__(self, db) -> None:
        self.db = db
        self._queue: list[tuple[Callable, tuple, asyncio.Future]] = []
        self._running = False
        self._task: asyncio.Task | None = None  # held: a task nobody holds may be collected

    async def run(self, work: Callable[..., T], *args) -> T:
        """`work(session, *args)` in the next batch's transaction; its result, or its exception."""
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        self._queue.append((work, args, done))
        if not self._running:
            self._running = True
            self._task = loop.create_task(self._drain())
        return await done

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                await self._one_batch(batch)
        finally:
            self._running = False

    async def _one_batch(self, batch: list[tuple[Callable, tuple, asyncio.Future]]) -> None:
        if len(batch) > 1:
            try:
                results = await self.db.run(_each, [(work, args) for work, args, _ in batch])
            except Exception as exc:  # a fault of one turn, or of the database: see below
                log.info("a batch of %d turn starts failed (%s); running them one by one", len(batch),
                         type(exc).__name__)
            else:
                for (_, _, done), result in zip(batch, results, strict=True):
                    if not done.done():
                        done.set_result(result)
                return
        for work, args, done in batch:
            try:
                result = await self.db.run(work, *args)
            except Exception as exc:
                if not done.done():
                    done.set_exception(exc)
            else:
                if not done.done():
                    done.set_result(result)


def _each(session, items: list[tuple[Callable, tuple]]) -> list:
    return [work(session, *args) for work, args in items]


class Completions:
    def __init__(self, db) -> None:
        self.db = db
        self._waiting: dict[str, datetime] = {}  # key -> when its turn ended
        self._writing: dict[str, datetime] = {}
        self._task: asyncio.Task | None = None

    def add(self, key: str, at: datetime) -> None:
        self._waiting[key] = at
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._flush_later(FLUSH_AFTER_S))

    def finished(self, key: str) -> bool:
        """The turn of this activity ended here and its claim is not yet marked completed."""
        return key in self._waiting or key in self._writing

    async def _flush_later(self, delay: float) -> None:
        await asyncio.sleep(delay)
        while self._waiting:
            if not await self.flush():
                await asyncio.sleep(RETRY_AFTER_S)  # the database is away: the claims wait in memory

    async def flush(self) -> bool:
        """Write what is waiting; False when the database could not take it (kept for later)."""
        if not self._waiting:
            return True
        batch, self._waiting = self._waiting, {}
        self._writing.update(batch)
        try:
            await self.db.run(turn_start.complete_many, list(batch.items()))
        except Exception as exc:
            log.warning("could not mark %d finished turns completed (%s); trying again", len(batch),
                        type(exc).__name__)
            self._waiting = {**batch, **self._waiting}
            return False
        finally:
            for key in batch:
                self._writing.pop(key, None)
        return True

    async def idle(self) -> None:
        """Wait until what is waiting now has been written (or given up on for the moment)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def close(self) -> None:
        """At shutdown: what is waiting is written once more (a failure leaves the claims to expire)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        await self.flush()
