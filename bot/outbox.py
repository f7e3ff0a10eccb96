"""The one way out: sends the outbox rows the use cases wrote, after their answers.

A use case writes its follow-up messages as rows in its own transaction (storage/outbox.py) and
calls `nudge()`. This dispatcher claims due rows with a short lease, sends each through the
Teams edge (paced, retried), and records "sent" only while it still holds the claim. A crash
loses nothing: an unrecorded row's lease expires and another round (or instance) sends it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from bot.cardsize import fitted
from bot.teams.delivery import Outcome
from cards.common import CONTENT_TYPE
from storage import org
from storage import outbox as repo
from storage.outbox import Claimed, Recipient

log = logging.getLogger("styra.outbox")

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8
BACKOFF_S = (5, 15, 60, 300, 900, 1800, 3600)


def card_activity(card: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    activity: dict[str, Any] = {"type": "message",
                                "attachments": [{"contentType": CONTENT_TYPE, "content": fitted(card)}]}
    if text:
        activity["text"] = text
    return activity


def text_activity(text: str) -> dict[str, Any]:
    return {"type": "message", "text": text}


class Outbox:
    def __init__(self, services, *, poll_s: float = 1.0, concurrency: int = 8, batch: int = 50) -> None:
        self.services = services
        self.poll_s = poll_s
        self.batch = batch
        self._slots = asyncio.Semaphore(concurrency)
        self._wake: asyncio.Event | None = None
        self._loop_task: asyncio.Task | None = None
        self._round_lock: asyncio.Lock | None = None
        self._stopping = False

    # --- the loop ---------------------------------------------------------------------------

    def nudge(self) -> None:
        """Something was written: look now rather than at the next poll."""
        if self._wake is not None:
            self._wake.set()

    def start(self) -> None:
        self._wake = asyncio.Event()
        self._round_lock = asyncio.Lock()
        self._stopping = False
        self._loop_task = asyncio.get_running_loop().create_task(self._run(), name="styra-outbox")

    async def stop(self, drain_s: float) -> None:
        """Stop taking new rows, send what is due for at most `drain_s`; the rest stays in the
        table for the next start."""
        self._stopping = True
        if self._loop_task is not None:
            self._loop_task.cancel()
            try:
                await self._loop_task
            except asyncio.CancelledError:
                pass
            self._loop_task = None
        if drain_s > 0:
            try:
                await asyncio.wait_for(self._drain_rounds(), drain_s)
            except TimeoutError:
                log.info("outbox: stopped draining after %.0f s; the rest waits for the next start", drain_s)

    async def _run(self) -> None:
        while True:
            try:
                sent = await self.round()
            except Exception as exc:  # e.g. the database is unreachable: wait, then try again
                log.warning("outbox round failed: %s", exc)
                sent = 0
            if sent:
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_s)
            except TimeoutError:
                pass
            self._wake.clear()

    async def drain(self, timeout: float = 30.0) -> None:
        """Send everything that is due now (tests, and the CLI's `resend`)."""
        await asyncio.wait_for(self._drain_rounds(), timeout)

    async def _drain_rounds(self) -> None:
        while await self.round():
            pass

    async def round(self) -> int:
        """Claim a batch of due rows and send them; the number handled."""
        lock = self._round_lock or asyncio.Lock()
        async with lock:
            now = self.services.clock()
            rows = await self.services.db.run(repo.claim, self.services.instance_id, now, LEASE, self.batch)
            if not rows:
                return 0
            await asyncio.gather(*(self._send_one(row) for row in rows))
            return len(rows)

    # --- one row ------------------------------------------------------------------------------

    async def _send_one(self, row: Claimed) -> None:
        async with self._slots:
            try:
                outcome, ids, error = await self._deliver(row)
            except Exception as exc:  # a bug in one row must not stop the others
                log.exception("outbox row %s (%s) could not be sent", row.id, row.key)
                outcome, ids, error = Outcome.GAVE_UP, [], f"{type(exc).__name__}: {exc}"
            await self._record(row, outcome, ids, error)

    async def _deliver(self, row: Claimed) -> tuple[Outcome, list[str], str | None]:
        outbound = self.services.outbound
        to = row.recipient
        if to.kind == "updates":
            results = await outbound.update_activity(to.value, row.activity)
            failed = [r for r in results if r.outcome is not Outcome.SENT]
            if failed and all(r.outcome is Outcome.PERMANENT_FAILURE for r in failed):
                return Outcome.SENT, [r.activity_id for r in results if r.activity_id], None
            if failed:
                return failed[0].outcome, [], failed[0].error
            return Outcome.SENT, [r.activity_id for r in results if r.activity_id], None
        ref = await self._resolve(to)
        if ref is None:
            return Outcome.PERMANENT_FAILURE, [], f"no conversation for {to.address[:120]}"
        result = await outbound.send(ref, row.activity, subject=row.subject)
        return result.outcome, [result.activity_id] if result.activity_id else [], result.error

    async def _resolve(self, to: Recipient):
        outbound = self.services.outbound
        if to.kind == "person":
            return await outbound.reach_person(to.value)
        if to.kind == "conversation":
            return await self.services.db.run(org.conversation, to.value)
        if to.kind == "linked":
            purpose, scope = to.value.split(":", 1)
            return await self.services.db.run(org.linked_channel, org.ChannelPurpose(purpose), scope)
        return None

    async def _record(self, row: Claimed, outcome: Outcome, ids: list[str], error: str | None) -> None:
        now = self.services.clock()
        db = self.services.db
        if outcome is Outcome.SENT:
            held = await db.run(repo.mark_sent, row.id, row.token, ids, now)
        elif outcome is Outcome.PERMANENT_FAILURE or row.attempts >= MAX_ATTEMPTS:
            log.warning("outbox row %s (%s) failed for good: %s", row.id, row.kind, (error or "")[:200])
            held = await db.run(repo.mark_failed, row.id, row.token, error or "failed")
        else:
            wait = BACKOFF_S[min(row.attempts - 1, len(BACKOFF_S) - 1)]
            held = await db.run(repo.retry_later, row.id, row.token, now + timedelta(seconds=wait), error or "")
        if not held:
            log.warning("outbox row %s: claim %s was taken over before it was recorded", row.id, row.token)
