"""Pacing to Teams' per-thread and per-app limits, measured in virtual time (FakeClock)."""

import asyncio

import pytest

from bot.teams.pacing import (
    TEAMS_THREAD_LIMITS,
    FakeClock,
    Pacer,
    RealClock,
    SlidingWindowLimiter,
)


def max_in_window(times: list[float], window: float) -> int:
    """Largest number of timestamps inside any half-open interval [t, t + window)."""
    times = sorted(times)
    best = 0
    for i, start in enumerate(times):
        # 1e-6 tolerance: a send exactly `window` after another is outside its window.
        best = max(best, sum(1 for t in times[i:] if t < start + window - 1e-6))
    return best


def assert_within_thread_limits(times: list[float]) -> None:
    for limit, window in TEAMS_THREAD_LIMITS:
        assert max_in_window(times, window) <= limit, (limit, window, times)


async def test_twenty_messages_into_one_thread_reach_the_bound_without_breaking_a_window():
    clock = FakeClock()
    pacer = Pacer(clock)
    sent = []
    for _ in range(20):
        await pacer.acquire("19:thread")
        sent.append(clock.now())

    assert 4.0 <= sent[-1] - sent[0] <= 4.2
    assert max_in_window(sent, 1.0) == 7
    assert max_in_window(sent, 2.0) == 8
    assert_within_thread_limits(sent)


async def test_concurrent_senders_to_one_thread_share_its_limits():
    clock = FakeClock()
    pacer = Pacer(clock)
    sent = []

    async def send_one():
        await pacer.acquire("19:thread")
        sent.append(clock.now())

    await asyncio.gather(*(send_one() for _ in range(20)))

    assert len(sent) == 20
    assert 4.0 <= max(sent) <= 4.2
    assert_within_thread_limits(sent)


async def test_the_thirty_second_window_holds_the_sixty_first_message():
    clock = FakeClock()
    limiter = SlidingWindowLimiter(clock)
    sent = []
    for _ in range(61):
        await limiter.acquire()
        sent.append(clock.now())

    assert sent[59] < 30.0
    assert sent[60] >= 30.0
    assert_within_thread_limits(sent)


async def test_two_threads_are_paced_independently():
    clock = FakeClock()
    pacer = Pacer(clock)
    sent: dict[str, list[float]] = {"a": [], "b": []}

    async def fan_out(conversation_id: str, count: int):
        for _ in range(count):
            await pacer.acquire(conversation_id)
            sent[conversation_id].append(clock.now())

    await asyncio.gather(fan_out("a", 10), fan_out("b", 10))

    # 10 messages into one thread take 2.0 s (7 at once, 1 after 1 s, 2 after 2 s); two threads in
    # parallel take the same, not the 4.0 s that 20 messages into one thread would.
    assert clock.now() == pytest.approx(2.0)
    for times in sent.values():
        assert len(times) == 10
        assert_within_thread_limits(times)


async def test_two_threads_of_eight_take_one_second_not_three():
    clock = FakeClock()
    pacer = Pacer(clock)

    async def fan_out(conversation_id: str):
        for _ in range(8):
            await pacer.acquire(conversation_id)

    await asyncio.gather(fan_out("a"), fan_out("b"))

    assert clock.now() == pytest.approx(1.0)


async def test_app_wide_limit_caps_sends_across_threads():
    clock = FakeClock()
    pacer = Pacer(clock)  # default 50 per second for the app
    sent = []

    async def send_one(conversation_id: str):
        await pacer.acquire(conversation_id)
        sent.append(clock.now())

    await asyncio.gather(*(send_one(f"c{i}") for i in range(120)))

    assert len(sent) == 120
    assert max_in_window(sent, 1.0) == 50
    assert max(sent) == pytest.approx(2.0)


async def test_idle_conversations_are_evicted_so_memory_stays_bounded():
    clock = FakeClock()
    pacer = Pacer(clock, sweep_interval=60.0)
    for i in range(1000):
        await pacer.acquire(f"conversation-{i}")
    assert len(pacer) == 1000

    clock.advance(3601.0)  # past the longest (hourly) window: nothing left to remember
    await pacer.acquire("new")

    assert len(pacer) == 1


async def test_a_thread_inside_its_hourly_window_is_not_forgotten():
    clock = FakeClock()
    pacer = Pacer(clock, thread_limits=((2, 3600.0),), sweep_interval=1.0)
    await pacer.acquire("busy")
    await pacer.acquire("busy")

    clock.advance(120.0)
    await pacer.acquire("other")  # triggers a sweep
    assert len(pacer) == 2

    await pacer.acquire("busy")  # the hourly limit still applies after the sweep
    assert clock.now() == pytest.approx(3600.0)


async def test_hold_pauses_one_thread_only():
    clock = FakeClock()
    pacer = Pacer(clock)
    pacer.hold("throttled", 3.0)

    await pacer.acquire("other")
    assert clock.now() == 0.0

    await pacer.acquire("throttled")
    assert clock.now() == pytest.approx(3.0)


async def test_a_cancelled_waiter_does_not_block_the_next_one():
    clock = FakeClock()
    limiter = SlidingWindowLimiter(clock, ((1, 10.0),))
    await limiter.acquire()

    waiter = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter

    await limiter.acquire()
    assert clock.now() == pytest.approx(10.0)


async def test_fake_clock_overlaps_concurrent_sleeps():
    clock = FakeClock()
    await asyncio.gather(clock.sleep(1.0), clock.sleep(1.0), clock.sleep(0.5))
    assert clock.now() == pytest.approx(1.0)

    await clock.sleep(2.0)
    assert clock.now() == pytest.approx(3.0)


async def test_real_clock_is_monotonic():
    clock = RealClock()
    before = clock.now()
    await clock.sleep(0)
    assert clock.now() >= before


def test_limits_must_be_positive():
    with pytest.raises(ValueError):
        SlidingWindowLimiter(FakeClock(), ((0, 1.0),))
