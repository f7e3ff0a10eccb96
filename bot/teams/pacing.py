"""Client-side pacing of outbound sends to Teams' documented rate limits.

Teams limits a bot per thread (1:1 chat, group chat or channel) to 7 messages per 1 s, 8 per 2 s,
60 per 30 s and 1800 per 3600 s, and an app to about 50 requests per second per tenant. Every
proactive send goes through a ``Pacer`` so Styra waits on its own instead of collecting 429s.

Why exact sliding windows rather than token buckets: the limits are stated as "at most N sends in
any window of W seconds". A deque holding the times of the last N sends checks exactly that rule,
and sending each message at the earliest instant every window allows is optimal (any earlier send
would put N+1 sends in some window). So the pacer reaches the theoretical bound (20 messages into
one thread in 4.0 s) without a 429. A token bucket refills continuously, so it lets up to
capacity + rate x window through in one window (buckets of 7 at 7/s and 8 at 4/s still admit an
8th message 1/7 s after a burst of 7); to be safe it has to be set well below the limits, which
wastes throughput. Memory stays small: a limiter keeps at most as many timestamps as its largest
limit (1800 floats), and the pacer drops a thread's limiter once the thread has been idle longer
than the longest window, when forgetting it can no longer loosen any limit.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections import deque
from collections.abc import Sequence
from typing import Protocol

# Teams' per-bot-per-thread limits: (max sends, window in seconds).
TEAMS_THREAD_LIMITS: tuple[tuple[int, float], ...] = (
    (7, 1.0),
    (8, 2.0),
    (60, 30.0),
    (1800, 3600.0),
)
# Teams' global limit, about 50 requests per second per app per tenant.
TEAMS_GLOBAL_LIMITS: tuple[tuple[int, float], ...] = ((50, 1.0),)

# Float arithmetic on "oldest + window - now" can leave a remainder of a few ulps; a wait that
# small counts as "ready" so a waiter never spins on sub-nanosecond sleeps.
_EPSILON = 1e-9


class Clock(Protocol):
    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class RealClock:
    """Monotonic time and asyncio.sleep."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class FakeClock:
    """Virtual time for tests: nothing really sleeps.

    ``sleep(s)`` returns once virtual time has reached ``now + s``. Time jumps forward to the
    earliest pending wake-up as soon as no other task in the loop is ready to run, so concurrent
    sleepers overlap as they would in real time (two tasks sleeping 1 s take 1 s virtual, not 2).
    A single task sleeping alone sees time advance immediately.
    """

    # Upper bound on loop iterations to wait for the other tasks to settle before time moves on.
    _SETTLE_ROUNDS = 1000

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._driver: asyncio.Task[None] | None = None

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        """Move virtual time forward (e.g. to let a thread go idle) and wake sleepers now due."""
        self._now += max(0.0, seconds)
        self._wake_due()

    tick = advance  # the house name for moving a test clock

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._sleepers, (self._now + seconds, next(self._seq), future))
        if self._driver is None or self._driver.done():
            self._driver = loop.create_task(self._drive())
        await future

    def _wake_due(self) -> None:
        while self._sleepers and self._sleepers[0][0] <= self._now:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)

    async def _drive(self) -> None:
        loop = asyncio.get_running_loop()
        while self._sleepers:
            await self._settle(loop)
            while self._sleepers and self._sleepers[0][2].done():  # cancelled sleepers
                heapq.heappop(self._sleepers)
            if not self._sleepers:
                return
            self._now = max(self._now, self._sleepers[0][0])
            self._wake_due()

    async def _settle(self, loop: asyncio.AbstractEventLoop) -> None:
        # Let every task that can run do so before time moves. asyncio's ready queue is not a
        # public API; without it a fixed number of rounds is a good enough approximation.
        for rounds in range(self._SETTLE_ROUNDS):
            await asyncio.sleep(0)
            ready = getattr(loop, "_ready", None)
            if (ready is not None and not ready) or (ready is None and rounds >= 50):
                return


class SlidingWindowLimiter:
    """At most ``n`` sends in any ``w`` seconds, for every ``(n, w)`` in ``limits``."""

    def __init__(
        self, clock: Clock, limits: Sequence[tuple[int, float]] = TEAMS_THREAD_LIMITS
    ) -> None:
        if not limits or any(n < 1 or w <= 0 for n, w in limits):
            raise ValueError("limits must be non-empty (count >= 1, window > 0) pairs")
        self._clock = clock
        self._limits = tuple((int(n), float(w)) for n, w in limits)
        self._longest = max(w for _, w in self._limits)
        self._times: deque[float] = deque(maxlen=max(n for n, _ in self._limits))
        self._hold_until = float("-inf")
        self.lock = asyncio.Lock()

    @property
    def limits(self) -> tuple[tuple[int, float], ...]:
        return self._limits

    @property
    def longest_window(self) -> float:
        return self._longest

    def delay(self, now: float) -> float:
        """Seconds from ``now`` until one more send would break no window (0 if allowed now)."""
        wait = self._hold_until - now
        times = self._times
        for n, w in self._limits:
            if len(times) >= n:
                # The n-th most recent send leaves this window at times[-n] + w.
                wait = max(wait, times[-n] + w - now)
        return max(0.0, wait)

    def record(self, now: float) -> None:
        self._times.append(now)

    def moved_to(self, now: float) -> None:
        """The newest send counts from `now` (later than recorded; the order stays sorted)."""
        if self._times and self._times[-1] < now:
            self._times[-1] = now

    def set_limits(self, limits: Sequence[tuple[int, float]]) -> None:
        """Tighter or looser limits from now on; the sends already counted still count."""
        self._limits = tuple((int(n), float(w)) for n, w in limits)

    def hold(self, until: float) -> None:
        """Allow no send before ``until`` (the server asked us to back off, e.g. Retry-After)."""
        self._hold_until = max(self._hold_until, until)

    def idle(self, now: float) -> bool:
        """True when forgetting this limiter cannot loosen any limit."""
        if self._hold_until > now or self.lock.locked():
            return False
        return not self._times or self._times[-1] <= now - self._longest

    async def wait_ready(self) -> None:
        """Sleep until a send is allowed now (does not record it)."""
        while True:
            wait = self.delay(self._clock.now())
            if wait <= _EPSILON:
                return
            await self._clock.sleep(wait)

    async def acquire(self) -> None:
        """Wait until sending now breaks no window, then count the send. FIFO among waiters."""
        async with self.lock:
            await self.wait_ready()
            self.record(self._clock.now())


class Pacer:
    """Per-conversation limiters (created lazily, dropped when idle) plus one app-wide limiter."""

    def __init__(
        self,
        clock: Clock,
        *,
        thread_limits: Sequence[tuple[int, float]] = TEAMS_THREAD_LIMITS,
        global_limits: Sequence[tuple[int, float]] = TEAMS_GLOBAL_LIMITS,
        sweep_interval: float = 60.0,
    ) -> None:
        self._clock = clock
        self._thread_limits = tuple(thread_limits)
        self._global = SlidingWindowLimiter(clock, global_limits)
        self._global_limits = tuple(global_limits)
        self._senders = 1
        self._pending: tuple[int, float] | None = None  # a smaller share, and from when
        self._threads: dict[str, SlidingWindowLimiter] = {}
        self._sweep_interval = sweep_interval
        self._last_sweep = clock.now()

    def __len__(self) -> int:
        """How many conversations currently have a limiter (for tests and metrics)."""
        return len(self._threads)

    async def acquire(self, conversation_id: str) -> None:
        """Wait until one send to ``conversation_id`` fits both its thread's and the app's limits,
        then count it in both."""
        self._maybe_sweep()
        limiter = self._limiter(conversation_id)
        async with limiter.lock:
            while True:
                # Wait for the thread first, without holding the app-wide lock, so a busy thread
                # never stalls sends to other threads.
                await limiter.wait_ready()
                async with self._global.lock:
                    self._due_share()
                    await self._global.wait_ready()
                    now = self._clock.now()
                    # A hold may have been set for this thread while we waited for the app.
                    if limiter.delay(now) <= _EPSILON:
                        limiter.record(now)
                        self._global.record(now)
                        return

    def sent(self, conversation_id: str) -> None:
        """A send to this thread finished: count it from now, not from when it started. Teams
        counts a post when it arrives, somewhere in between; counting from the end keeps the
        next send at least a window after it, whatever the network's delay."""
        limiter = self._threads.get(conversation_id)
        if limiter is not None:
            limiter.moved_to(self._clock.now())

    def share(self, senders: int, grace: float = 0.0) -> None:
        """Several instances send at once: this one keeps to its share of the app-wide limit.
        A smaller share starts after `grace` seconds (a newcomer waits longer than that before
        its first post, so the current window is still this instance's); a larger one at once
        (the instance that stopped has been quiet for longer than the window)."""
        senders = max(1, senders)
        if senders < self._senders or (senders > self._senders and grace <= 0):
            self._apply_share(senders)
        elif senders > self._senders and (self._pending is None or self._pending[0] != senders):
            self._pending = (senders, self._clock.now() + grace)
        elif senders == self._senders:
            self._pending = None

    @property
    def app_share(self) -> int:
        """Posts this instance may make in the app-wide limit's window (after sharing)."""
        return min(n for n, _ in self._global.limits)

    def _apply_share(self, senders: int) -> None:
        self._senders, self._pending = senders, None
        self._global.set_limits(tuple((max(1, n // senders), w) for n, w in self._global_limits))

    def _due_share(self) -> None:
        if self._pending is not None and self._clock.now() >= self._pending[1]:
            self._apply_share(self._pending[0])

    async def wait_thread(self, conversation_id: str) -> None:
        """Sleep until this thread's own windows allow a send (counts nothing)."""
        await self._limiter(conversation_id).wait_ready()

    def hold(self, conversation_id: str, seconds: float) -> None:
        """Pause every send to this conversation for ``seconds`` (Teams answered 429/503 with
        Retry-After: other messages queued for the thread must wait too)."""
        self._limiter(conversation_id).hold(self._clock.now() + max(0.0, seconds))

    def _limiter(self, conversation_id: str) -> SlidingWindowLimiter:
        limiter = self._threads.get(conversation_id)
        if limiter is None:
            limiter = SlidingWindowLimiter(self._clock, self._thread_limits)
            self._threads[conversation_id] = limiter
        return limiter

    def _maybe_sweep(self) -> None:
        now = self._clock.now()
        if now - self._last_sweep < self._sweep_interval:
            return
        self._last_sweep = now
        for conversation_id in [c for c, lim in self._threads.items() if lim.idle(now)]:
            del self._threads[conversation_id]
