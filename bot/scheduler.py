"""APScheduler only wakes Styra: one job, fixed id, every minute, running the capabilities' ticks.

The job store is in memory and private to this process (APScheduler job stores must never be
shared between schedulers); what is due and who is sending it lives in the database, so several
instances may run this scheduler side by side.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger("styra.scheduler")

JOB_ID = "styra-tick"
STOP_WAIT_SECONDS = 20.0


class Scheduler:
    def __init__(self, services, engine_ticks=()) -> None:
        self.services = services
        # The engine's own minute work (e.g. the admins' delivery notice), after the capabilities'.
        self.engine_ticks = tuple(engine_ticks)
        self._scheduler: AsyncIOScheduler | None = None
        self._running: asyncio.Task | None = None

    async def tick(self) -> None:
        # One tick at a time per process; a slow tick is not stacked with the next minute's.
        if self._running is not None and not self._running.done():
            log.info("previous tick still running; skipping this minute")
            return
        self._running = asyncio.current_task()
        for job in (*self.services.registry.ticks, *self.engine_ticks):
            try:
                await job(self.services)
            except Exception:  # a failed tick is logged; the next minute tries again
                log.exception("tick %s failed", getattr(job, "__qualname__", job))

    def start(self) -> AsyncIOScheduler:
        """Start waking up on the running loop (app.py on_startup)."""
        scheduler = AsyncIOScheduler(timezone="UTC")
        scheduler.add_job(self.tick, "interval", minutes=1, id=JOB_ID, replace_existing=True,
                          max_instances=1, coalesce=True, misfire_grace_time=30,
                          # First tick shortly after start: deliver what came due while Styra was down.
                          next_run_time=datetime.now(UTC) + timedelta(seconds=5))
        scheduler.start()
        self._scheduler = scheduler
        log.info("scheduler started: job %s every minute", JOB_ID)
        return scheduler

    async def stop(self) -> None:
        """Stop waking up, and let a running tick finish its sends (app.py on_cleanup)."""
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)
            await asyncio.sleep(0)  # AsyncIOScheduler shuts down on the loop's next turn
        running = self._running
        if running is not None and not running.done():
            try:
                await asyncio.wait_for(asyncio.shield(running), STOP_WAIT_SECONDS)
            except (TimeoutError, asyncio.CancelledError):
                log.warning("tick still running at shutdown; unsent claims expire and are resent")
        for job in self.services.registry.stops:
            await job(self.services)
