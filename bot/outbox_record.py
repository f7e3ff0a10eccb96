"""Two parts of the outbox's sender: whether the database answers (`Health`: nothing new is
posted while it does not), and the recording of outcomes (`Recorder`: the outcomes finishing at
about the same time committed in one trip, retried until the database answers)."""

from __future__ import annotations

import asyncio
import logging

from storage import outbox as repo

log = logging.getLogger("styra.outbox")

RETRY_S = (0.1, 0.25, 0.5, 1.0, 2.0)  # then every 2 s while the database is away


def _now() -> float:
    return asyncio.get_running_loop().time()


class Health:
    """Set while the database answers. A failure clears it; only a trip that began after the
    last failure and succeeded sets it again (one that began before proves nothing)."""

    def __init__(self) -> None:
        self._ok = asyncio.Event()
        self._ok.set()
        self._down_at = float("-inf")

    @property
    def ok(self) -> bool:
        return self._ok.is_set()

    async def wait(self) -> None:
        await self._ok.wait()

    def failed(self, what: str, exc: BaseException) -> None:
        self._down_at = _now()
        if self._ok.is_set():
            log.warning("outbox: cannot %s (%s); no new posts until the database answers",
                        what, str(exc).splitlines()[0][:200])
            self._ok.clear()

    def answered(self, started: float) -> None:
        if not self._ok.is_set() and started > self._down_at:
            log.info("outbox: the database answers again; sending resumes")
            self._ok.set()

    @staticmethod
    def now() -> float:
        return _now()


class Recorder:
    def __init__(self, services, health: Health) -> None:
        self.services = services
        self.health = health
        self._waiting: list[tuple[repo.Outcome, asyncio.Future]] = []
        self._task: asyncio.Task | None = None

    async def record(self, outcome: repo.Outcome) -> bool:
        """Commit one outcome (fenced on its claim); True if the claim still held."""
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((outcome, future))
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="styra-outbox-record")
        return await future

    async def _run(self) -> None:
        tries = 0
        while self._waiting:
            batch, self._waiting = self._waiting, []
            started = _now()
            try:
                held = await self.services.db.run(repo.record, [outcome for outcome, _ in batch],
                                                  self.services.instance_id)
            except Exception as exc:
                self.health.failed("record a send", exc)
                self._waiting = batch + self._waiting
                await asyncio.sleep(RETRY_S[min(tries, len(RETRY_S) - 1)])
                tries += 1
                continue
            tries = 0
            self.health.answered(started)
            for outcome, future in batch:
                if not future.done():
                    future.set_result(outcome.row_id in held)
