"""APScheduler only wakes Styra: one job, fixed id, every minute, calling the wheel's tick.

The job store is in memory and private to this process (APScheduler job stores must never be
shared between schedulers); what is due and who is sending it lives in the database
(bot/reminders.py), so several instances may run this scheduler side by side.
"""

from __future__ import annotations

import asyncio
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from dialogs import wheel as reminders

log = logging.getLogger("styra.scheduler")

JOB_ID = "styra-tick"
SCHEDULER_KEY = "scheduler"
RUNNING_KEY = "scheduler.running"
STOP_WAIT_SECONDS = 20.0


async def _run_tick(services) -> None:
    # One tick at a time per process; a slow tick is not stacked with the next minute's.
    if services.extras.get(RUNNING_KEY) is not None and not services.extras[RUNNING_KEY].done():
        log.info("previous wheel tick still running; skipping this minute")
        return
    task = asyncio.current_task()
    services.extras[RUNNING_KEY] = task
    try:
        await reminders.tick(services)
    except Exception:  # a failed tick is logged; the next minute tries again
        log.exception("wheel tick failed")


def start(services) -> AsyncIOScheduler:
    """Start the scheduler on the running loop (app.py on_startup)."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(_run_tick, "interval", minutes=1, args=[services], id=JOB_ID,
                      replace_existing=True, max_instances=1, coalesce=True,
                      misfire_grace_time=30,
                      # First tick shortly after start: deliver what came due while Styra was down.
                      next_run_time=_soon())
    scheduler.start()
    services.extras[SCHEDULER_KEY] = scheduler
    log.info("scheduler started: job %s every minute", JOB_ID)
    return scheduler


def _soon():
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC) + timedelta(seconds=5)


async def stop(services) -> None:
    """Stop waking up, and let a running tick finish its sends (app.py on_cleanup)."""
    scheduler = services.extras.pop(SCHEDULER_KEY, None)
    if scheduler is not None and scheduler.running:
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0)  # AsyncIOScheduler shuts down on the loop's next turn
    running = services.extras.get(RUNNING_KEY)
    if running is not None and not running.done():
        try:
            await asyncio.wait_for(asyncio.shield(running), STOP_WAIT_SECONDS)
        except (TimeoutError, asyncio.CancelledError):
            log.warning("wheel tick still running at shutdown; unsent claims expire and are resent")
    await reminders.settle(services)
