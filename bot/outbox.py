"""The one way out: sends the outbox rows the use cases wrote, after their answers.

A use case writes its follow-up messages as rows in its own transaction (storage/outbox.py) and
calls `nudge()`. This dispatcher claims due rows with a short lease that it renews while they
are in flight, sends the rows of one recipient (a lane) one after the other, and records "sent"
only while it still holds the claim (storage/outbox.py fences every write on the token).

Nothing is lost and little is doubled:
- a crash loses nothing: an unrecorded row's lease expires and another round (or instance)
  sends it; at most the posts in flight then go out twice (`send_concurrency`: a sending slot
  is held from the post until its outcome is committed);
- when the database cannot be reached (a claim, a renewal or a record fails), nothing new is
  posted: the sends already made are recorded as soon as it answers again, while their leases
  still hold, so an outage of a few seconds doubles nothing;
- a post is given `STYRA_OUTBOX_SEND_TIMEOUT` (30 s): a slow Teams is waited for, not retried
  into a second copy, and the lease keeps being renewed meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.cardsize import fitted
from bot.outbox_record import RETRY_S, Health, Recorder
from bot.teams.delivery import Outcome
from cards.common import CONTENT_TYPE
from storage import outbox as repo
from storage.outbox import Claimed

log = logging.getLogger("styra.outbox")

MAX_ATTEMPTS = 8
BACKOFF_S = (5, 15, 60, 300, 900, 1800, 3600)
SHARE_LOOK_S = 0.5  # how often a sending instance counts the others
JOIN_WAIT_S = 1.0  # an instance joining others waits this long (Teams' 1 s window) before posting
# ...and one already sending moves to its smaller share this long after it sees the newcomer
# (it sees it within SHARE_LOOK_S): the newcomer's first post then meets the smaller share.
JOIN_GRACE_S = JOIN_WAIT_S - SHARE_LOOK_S - 0.1
STOP_GRACE_S = 3.0  # after the drain: time for posts in flight to finish and be recorded
CLAIM_GAP_S = 0.05  # a nudge claims no sooner than this after the last claim


def card_activity(card: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    activity: dict[str, Any] = {"type": "message",
                                "attachments": [{"contentType": CONTENT_TYPE, "content": fitted(card)}]}
    if text:
        activity["text"] = text
    return activity


def text_activity(text: str) -> dict[str, Any]:
    return {"type": "message", "text": text}


@dataclass
class _Held:
    row: Claimed
    until: datetime  # the lease as last confirmed in the database


class Outbox:
    def __init__(self, services, *, poll_s: float = 1.0, concurrency: int | None = None,
                 lease_s: float | None = None, send_timeout_s: float | None = None) -> None:
        settings = services.settings
        self.services = services
        self.poll_s = poll_s
        self.concurrency = concurrency or settings.send_concurrency
        self.lease = timedelta(seconds=lease_s or settings.outbox_lease_seconds)
        self.send_timeout = send_timeout_s or settings.outbox_send_timeout
        # Claimed rows kept in hand: enough to keep every slot busy, few enough that a crash
        # leaves little waiting for its lease to expire.
        self.high_water = 4 * self.concurrency
        self._held: dict[int, _Held] = {}
        self._lanes: dict[str, deque[Claimed]] = {}
        self._tasks: dict[str, asyncio.Task] = {}
        self._slots: asyncio.Semaphore | None = None
        self._health: Health | None = None
        self._progress: asyncio.Event | None = None
        self._wake: asyncio.Event | None = None
        self._fill_lock: asyncio.Lock | None = None
        self._renew_lock: asyncio.Lock | None = None
        self._loop_task: asyncio.Task | None = None
        self._renew_task: asyncio.Task | None = None
        self._closing = False  # no new post may start
        self._stop_requested = False  # the loop ends at its next turn
        self.in_flight = 0  # posts started and not yet recorded (<= concurrency)
        self._posting_ids: set[int] = set()
        self._recorder: Recorder | None = None
        self._claims: dict[asyncio.Future, datetime] = {}  # claims on their way (and when taken)
        self._start_at = float("-inf")  # on the pacing clock: no post before (joining others)
        self._more = True  # due rows may be waiting beyond the last claim (or were written since)
        self._claimed_at = float("-inf")  # on the loop's clock

    # --- the loop ---------------------------------------------------------------------------

    def _ensure(self) -> None:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.concurrency)
            self._health = Health()
            self._recorder = Recorder(self.services, self._health)
            self._progress = asyncio.Event()
            self._wake = asyncio.Event()
            self._fill_lock = asyncio.Lock()
            self._renew_lock = asyncio.Lock()

    def nudge(self) -> None:
        """Something was written: claim now rather than at the next poll."""
        self._more = True
        if self._wake is not None:
            self._wake.set()

    @property
    def healthy(self) -> bool:
        return self._health is None or self._health.ok

    def start(self) -> None:
        self._ensure()
        self._closing = False
        self._stop_requested = False
        loop = asyncio.get_running_loop()
        self._loop_task = loop.create_task(self._run(), name="styra-outbox")
        self._renew_task = loop.create_task(self._renew_loop(), name="styra-outbox-renew")

    async def _run(self) -> None:
        failures = 0
        nudged = True
        while not self._stop_requested:
            try:
                # A poll first reads whether anything is due (no write lock, no commit): an idle
                # outbox writes nothing. A nudge (rows just written here) claims at once.
                if nudged or await self._due():
                    await self._fill()
                failures = 0
            except Exception as exc:  # the database is unreachable: post nothing, try again
                failures += 1
                self._health.failed("claim", exc)
                await asyncio.sleep(RETRY_S[min(failures, len(RETRY_S)) - 1])
                nudged = True
                continue
            nudged = True
            try:
                # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation that
                # arrives together with a nudge, and the loop would outlive stop().
                async with asyncio.timeout(self.poll_s):
                    await self._wake.wait()
            except TimeoutError:
                nudged = False
            # Under load every decision nudges: a short gap after the last claim lets one claim
            # (one commit) take the rows of the turns that finished meanwhile.
            gap = self._claimed_at + CLAIM_GAP_S - Health.now()
            if nudged and gap > 0:
                await asyncio.sleep(gap)
            self._wake.clear()

    async def _due(self) -> bool:
        if self._closing or not self.healthy or self._held:
            return True  # _fill decides (and a claim tells whether the database is back)
        started = Health.now()
        found = await self.services.db.read(repo.due, self.services.instance_id, self.services.clock())
        self._health.answered(started)
        return found

    def _ceiling(self) -> int:
        """Rows to keep in hand: enough for every slot, no more than this instance may post in
        Teams' app-wide window (what it holds beyond that, others could have sent sooner)."""
        share = self.services.outbound.app_share()
        return max(self.concurrency, min(self.high_water, share or self.high_water))

    async def _fill(self, force: bool = False) -> int:
        """Claim due rows up to the ceiling (only when a good part of it is free)."""
        self._ensure()
        if self._closing or not self.healthy:
            return 0
        ceiling = self._ceiling()
        room = ceiling - len(self._held)
        if room <= 0 or (not force and self._held and room < ceiling // 2):
            return 0
        async with self._fill_lock:
            idle = not self._held
            room = self._ceiling() - len(self._held)
            if room <= 0:
                return 0
            now, started = self.services.clock(), Health.now()
            # Shielded: a claim cancelled mid-trip (the drain's time is up) may still commit;
            # stop() then waits for it and hands its rows back.
            claiming = asyncio.ensure_future(self.services.db.run(
                repo.claim_batch, self.services.instance_id, now, self.lease, room, exclude=list(self._held)))
            self._claims[claiming] = now
            try:
                batch = await asyncio.shield(claiming)
            except asyncio.CancelledError:
                raise
            except Exception:
                self._claims.pop(claiming, None)
                raise
            self._claims.pop(claiming, None)
            self._claimed_at = Health.now()
            self._health.answered(started)
            starting = bool(batch.rows) and idle
            if starting and batch.senders > 1:  # the others must see this instance before it posts
                self._start_at = self.services.outbound.pace_now() + JOIN_WAIT_S
            self.services.outbound.share(batch.senders, 0.0 if starting else JOIN_GRACE_S)
            self._more = batch.more
            return self._adopt(batch, now)

    def _adopt(self, batch: repo.Batch, now: datetime) -> int:
        for row in batch.rows:
            self._held[row.id] = _Held(row, now + self.lease)
            self._lanes.setdefault(row.lane, deque()).append(row)
            if row.lane not in self._tasks and not self._closing:
                self._tasks[row.lane] = asyncio.get_running_loop().create_task(
                    self._work_lane(row.lane), name="styra-outbox-lane")
        return len(batch.rows)

    async def _renew_loop(self) -> None:
        """Keep the leases of the rows in hand (a renewal that fails stops new posts), and look
        often how many instances are sending, to keep to this one's share of Teams' limit."""
        period = self.lease.total_seconds() / 4
        renewed = Health.now()
        while True:
            await asyncio.sleep(SHARE_LOOK_S)
            if not self._held:
                continue
            if not self.healthy or Health.now() - renewed >= period:
                await self.renew()
                renewed = Health.now()
                continue
            try:
                senders = await self.services.db.read(repo.senders, self.services.instance_id, self.services.clock())
            except Exception as exc:
                self._health.failed("count the senders", exc)
                continue
            self.services.outbound.share(senders, JOIN_GRACE_S)

    async def renew(self) -> None:
        self._ensure()
        async with self._renew_lock:
            await self._renew()

    async def _renew(self) -> None:
        held = [(h.row.id, h.row.token) for h in self._held.values()
                if h.until - self.services.clock() < self.lease * 0.9]  # not just renewed by another
        if not held:
            return
        now, started = self.services.clock(), Health.now()
        try:
            still, senders = await self.services.db.run(repo.renew_batch, self.services.instance_id, held,
                                                        now + self.lease, now)
        except Exception as exc:
            self._health.failed("renew claims", exc)
            return
        self._health.answered(started)
        self.services.outbound.share(senders)
        for row_id, _ in held:
            entry = self._held.get(row_id)
            if entry is None:
                continue
            if row_id in still:
                entry.until = now + self.lease
            elif not self._posting(row_id):  # taken over (or finished elsewhere): leave it
                del self._held[row_id]

    def _posting(self, row_id: int) -> bool:
        return row_id in self._posting_ids

    async def stop(self, drain_s: float) -> None:
        """Stop taking new rows after `drain_s` seconds of sending what is due; give posts in
        flight a short grace to be recorded; hand the unsent claims back for the next start."""
        self._ensure()
        self._stop_requested = True
        if self._loop_task is not None:
            self._loop_task.cancel()
        try:
            if drain_s > 0:
                await asyncio.wait_for(self._drain_all(), drain_s)
        except TimeoutError:
            log.info("outbox: stopped draining after %.0f s; the rest waits for the next start", drain_s)
        except Exception as exc:  # the database is away: what is left waits in the table
            log.warning("outbox: drain ended early: %s", exc)
        self._closing = True
        tasks = list(self._tasks.values())
        if tasks:
            await asyncio.wait(tasks, timeout=STOP_GRACE_S)
        for task in [*self._tasks.values(), self._loop_task, self._renew_task]:
            if task is not None and not task.done():
                task.cancel()
        for claiming, claimed_at in list(self._claims.items()):  # claims cut short: their rows are ours
            try:
                self._adopt(await asyncio.wait_for(claiming, STOP_GRACE_S), claimed_at)
            except Exception:  # not committed, or never answered: their leases expire
                pass
        self._claims.clear()
        held = [(h.row.id, h.row.token) for h in self._held.values()]
        unposted = [row_id for row_id, _ in held if row_id not in self._posting_ids]
        try:
            await self.services.db.run(repo.release, held, self.services.instance_id, unposted)
        except Exception as exc:  # their leases expire instead
            log.warning("outbox: could not hand back %d claims: %s", len(held), exc)
        self._held.clear()
        self._lanes.clear()
        self._tasks.clear()
        self._loop_task = self._renew_task = None

    async def drain(self, timeout: float = 30.0) -> None:
        """Send everything that is due now (tests, and the CLI's `resend`), even after stop()."""
        closing, self._closing = self._closing, False
        try:
            await asyncio.wait_for(self._drain_all(), timeout)
        finally:
            self._closing = closing

    async def _drain_all(self) -> None:
        self._ensure()
        while True:
            self._progress.clear()
            claimed = await self._fill(force=True)
            if not claimed and not self._held:
                return
            if self._held:
                try:
                    await asyncio.wait_for(self._progress.wait(), 0.5)
                except TimeoutError:
                    pass

    # --- one lane, one row --------------------------------------------------------------------

    async def _work_lane(self, lane: str) -> None:
        queue = self._lanes[lane]
        try:
            while queue and not self._closing:
                row = queue[0]
                if row.id in self._held:
                    await self._send(row)
                queue.popleft()
        finally:
            if self._tasks.get(lane) is asyncio.current_task():
                del self._tasks[lane]
                if not queue:
                    self._lanes.pop(lane, None)

    def _lease_ok(self, row: Claimed) -> bool:
        """Post only with at least half a lease in hand, as last confirmed by the database."""
        entry = self._held.get(row.id)
        return entry is not None and entry.until - self.services.clock() > self.lease / 2

    async def _send(self, row: Claimed) -> None:
        while True:
            await self._health.wait()
            if self._closing:
                return
            if not self._lease_ok(row):
                await self.renew()  # e.g. just after an outage, before the renewer's next turn
            if not self._lease_ok(row):  # lost, or not renewable: whoever claims it next sends it
                self._held.pop(row.id, None)
                return
            target = row.ref
            if row.recipient.kind == "updates":
                target = row.recipient.value
            elif target is None and row.recipient.kind == "person":
                started = Health.now()
                try:  # a 1:1 chat that does not exist yet: opened now
                    target = await self.services.outbound.reach_person(row.recipient.value)
                except Exception as exc:  # the database again: wait until it answers
                    self._health.failed("find the recipient", exc)
                    continue
                self._health.answered(started)
            wait = self._start_at - self.services.outbound.pace_now()
            if wait > 0:
                await self.services.outbound.pause(wait)
            if target is not None and not isinstance(target, str):
                await self.services.outbound.ready(target.conversation_id)  # a busy thread waits here
            async with self._slots:
                if self._closing or not self.healthy or not self._lease_ok(row):
                    continue
                self._posting_ids.add(row.id)
                self.in_flight += 1
                try:
                    try:
                        outcome = await self._deliver(row, target)
                    except asyncio.CancelledError:
                        raise
                    except Exception as exc:  # a bug in one row must not stop the others
                        log.exception("outbox row %s (%s) could not be sent", row.id, row.key)
                        outcome = (Outcome.GAVE_UP, [], f"{type(exc).__name__}: {exc}", None)
                    await self._record(row, *outcome)
                finally:
                    self.in_flight -= 1
                    self._posting_ids.discard(row.id)
                self._held.pop(row.id, None)
                self._progress.set()
                if self._more and len(self._held) <= self._ceiling() // 2:
                    self._wake.set()  # rows were left at the last claim: room for them now
                return

    async def _deliver(self, row: Claimed, target) -> tuple[Outcome, list[str], str | None, str | None]:
        outbound = self.services.outbound
        if target is None:
            return Outcome.PERMANENT_FAILURE, [], f"no conversation for {row.recipient.address[:120]}", None
        if isinstance(target, str):  # every posted copy of a subject's card
            results = [await outbound.send(ref, row.activity, replace_id=activity_id, timeout=self.send_timeout)
                       for ref, activity_id in await outbound.copies(target)]
            failed = [r for r in results if r.outcome is not Outcome.SENT]
            if failed and not all(r.outcome is Outcome.PERMANENT_FAILURE for r in failed):
                return failed[0].outcome, [], failed[0].error, None
            return Outcome.SENT, [r.activity_id for r in results if r.activity_id], None, None
        result = await outbound.send(target, row.activity, timeout=self.send_timeout)
        ids = [result.activity_id] if result.activity_id else []
        return result.outcome, ids, result.error, target.conversation_id

    async def _record(self, row: Claimed, outcome: Outcome, ids: list[str], error: str | None,
                      conversation: str | None) -> None:
        """Commit the outcome while holding the claim, together with the others finishing now
        (one trip). Waits until the database answers: this holds a sending slot, so nothing
        else is posted meanwhile."""
        now = self.services.clock()
        if outcome is Outcome.SENT:
            done = repo.Outcome(row.id, row.token, "sent", now, tuple(ids), conversation, row.subject)
        elif outcome is Outcome.PERMANENT_FAILURE or row.attempts >= MAX_ATTEMPTS:
            log.warning("outbox row %s (%s) failed for good: %s", row.id, row.kind, (error or "")[:200])
            done = repo.Outcome(row.id, row.token, "failed", now, error=error or "failed")
        else:
            wait = BACKOFF_S[min(row.attempts - 1, len(BACKOFF_S) - 1)]
            done = repo.Outcome(row.id, row.token, "retry", now, due_at=now + timedelta(seconds=wait),
                                error=error or "")
        if not await self._recorder.record(done):
            log.warning("outbox row %s: claim %s was taken over before it was recorded", row.id, row.token)
