"""Outbound delivery: pacing, retries and failure classes, in virtual time with a scripted
transport."""

import asyncio
import logging
import random
from datetime import UTC, datetime

import pytest

from bot.teams.delivery import (
    Deliverer,
    Outcome,
    Target,
    TransportError,
    parse_retry_after,
)
from bot.teams.pacing import FakeClock, Pacer

TEAMS = "https://smba.trafficmanager.net/emea/"
TARGET = Target(TEAMS, "19:general@thread.tacv2", tenant_id="tenant-1")
MESSAGE = {"type": "message", "text": "Beslutsunderlaget är klart"}


class ScriptedTransport:
    """Answers each send with the next scripted item: an id, an exception, or "hang"."""

    def __init__(self, clock: FakeClock, *script):
        self.clock = clock
        self.script = list(script)
        self.calls: list[tuple[float, Target, dict]] = []
        self.called = asyncio.Event()

    async def __call__(self, target: Target, activity: dict) -> str | None:
        self.calls.append((self.clock.now(), target, activity))
        self.called.set()
        item = self.script.pop(0) if self.script else f"activity-{len(self.calls)}"
        if item == "hang":
            await asyncio.Event().wait()
        if isinstance(item, BaseException):
            raise item
        return item


class CountingPacer(Pacer):
    def __init__(self, clock):
        super().__init__(clock)
        self.acquired: list[str] = []
        self.holds: list[tuple[str, float]] = []

    async def acquire(self, conversation_id: str) -> None:
        self.acquired.append(conversation_id)
        await super().acquire(conversation_id)

    def hold(self, conversation_id: str, seconds: float) -> None:
        self.holds.append((conversation_id, seconds))
        super().hold(conversation_id, seconds)


@pytest.fixture
def clock():
    return FakeClock()


def make_deliverer(clock, transport, **kwargs):
    pacer = kwargs.pop("pacer", None) or CountingPacer(clock)
    return Deliverer(transport, pacer, clock, rng=random.Random(7), **kwargs)


def gaps(transport: ScriptedTransport) -> list[float]:
    times = [at for at, _, _ in transport.calls]
    return [b - a for a, b in zip(times, times[1:], strict=False)]


async def test_sent_returns_the_id_teams_gave(clock):
    transport = ScriptedTransport(clock, "1:abc")
    result = await make_deliverer(clock, transport).deliver(TARGET, MESSAGE)

    assert result.outcome is Outcome.SENT
    assert result.activity_id == "1:abc"
    assert (result.attempts, result.status, result.error) == (1, None, None)
    assert transport.calls == [(0.0, TARGET, MESSAGE)]


async def test_twenty_deliveries_into_one_thread_keep_teams_limits(clock):
    transport = ScriptedTransport(clock)
    deliverer = make_deliverer(clock, transport)

    results = await asyncio.gather(*(deliverer.deliver(TARGET, MESSAGE) for _ in range(20)))

    assert all(r.outcome is Outcome.SENT for r in results)
    times = sorted(at for at, _, _ in transport.calls)
    assert 4.0 <= times[-1] - times[0] <= 4.2
    for limit, window in ((7, 1.0), (8, 2.0)):
        for i, start in enumerate(times):
            in_window = [t for t in times[i:] if t < start + window - 1e-6]
            assert len(in_window) <= limit


async def test_fan_out_to_two_threads_is_paced_per_thread(clock):
    transport = ScriptedTransport(clock)
    deliverer = make_deliverer(clock, transport)
    other = Target(TEAMS, "a:1on1-chat")

    await asyncio.gather(
        *(deliverer.deliver(TARGET, MESSAGE) for _ in range(10)),
        *(deliverer.deliver(other, MESSAGE) for _ in range(10)),
    )

    assert len(transport.calls) == 20
    assert clock.now() == pytest.approx(2.0)  # one thread of 10 alone takes 2.0 s


async def test_429_waits_for_retry_after_then_succeeds(clock):
    transport = ScriptedTransport(clock, TransportError(429, 3.0), "1:ok")
    deliverer = make_deliverer(clock, transport)

    result = await deliverer.deliver(TARGET, MESSAGE)

    assert result.outcome is Outcome.SENT
    assert result.attempts == 2
    assert result.activity_id == "1:ok"
    assert 3.0 <= gaps(transport)[0] <= 3.3
    # The whole thread is held, not just this message.
    assert deliverer._pacer.holds == [(TARGET.conversation_id, 3.0)]


async def test_503_without_retry_after_backs_off_and_retries(clock):
    transport = ScriptedTransport(clock, TransportError(503), TransportError(503), "1:ok")
    result = await make_deliverer(clock, transport).deliver(TARGET, MESSAGE)

    assert result.outcome is Outcome.SENT
    assert result.attempts == 3
    first, second = gaps(transport)
    assert 0.0 <= first <= 0.5  # full jitter under base_backoff
    assert 0.0 <= second <= 1.0  # ... then under twice that


@pytest.mark.parametrize("status", [412, 500, 502, 504])
async def test_transient_server_errors_are_retried(clock, status):
    transport = ScriptedTransport(clock, TransportError(status), "1:ok")
    result = await make_deliverer(clock, transport).deliver(TARGET, MESSAGE)

    assert result.outcome is Outcome.SENT
    assert result.attempts == 2


async def test_500_five_times_gives_up_after_five_attempts(clock):
    transport = ScriptedTransport(clock, *[TransportError(500, message="boom")] * 5, "never")
    deliverer = make_deliverer(clock, transport)

    result = await deliverer.deliver(TARGET, MESSAGE)

    assert result.outcome is Outcome.GAVE_UP
    assert (result.attempts, result.status, result.error) == (5, 500, "boom")
    assert len(transport.calls) == 5
    # Every attempt, retries included, went through the pacer; backoff stays bounded.
    assert deliverer._pacer.acquired == [TARGET.conversation_id] * 5
    assert clock.now() <= 0.5 + 1 + 2 + 4


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413])
async def test_client_errors_are_permanent_after_one_attempt(clock, status):
    transport = ScriptedTransport(clock, TransportError(status, message="(Forbidden) blocked"))
    result = await make_deliverer(clock, transport).deliver(TARGET, MESSAGE)

    assert result.outcome is Outcome.PERMANENT_FAILURE
    assert (result.status, result.attempts) == (status, 1)
    assert result.error == "(Forbidden) blocked"
    assert len(transport.calls) == 1


async def test_connection_error_is_retried(clock):
    transport = ScriptedTransport(clock, TransportError(None), ConnectionResetError(), "1:ok")
    result = await make_deliverer(clock, transport).deliver(TARGET, MESSAGE)

    assert result.outcome is Outcome.SENT
    assert result.attempts == 3


async def test_a_send_that_hangs_times_out_and_is_retried(clock):
    transport = ScriptedTransport(clock, "hang", "1:ok")
    # A real (tiny) timeout: asyncio.wait_for must cut the hanging send.
    deliverer = make_deliverer(clock, transport, send_timeout=0.02)

    result = await deliverer.deliver(TARGET, MESSAGE)

    assert result.outcome is Outcome.SENT
    assert result.attempts == 2


async def test_repeated_timeouts_give_up_with_the_reason(clock):
    transport = ScriptedTransport(clock, *[TimeoutError()] * 3)
    result = await make_deliverer(clock, transport, max_attempts=3).deliver(TARGET, MESSAGE)

    assert result.outcome is Outcome.GAVE_UP
    assert result.status is None
    assert "timed out" in result.error


async def test_disallowed_service_url_sends_nothing(clock):
    transport = ScriptedTransport(clock)
    deliverer = make_deliverer(
        clock, transport, service_url_allowed=lambda url: url.startswith(TEAMS)
    )

    result = await deliverer.deliver(Target("https://evil.example/", "19:x"), MESSAGE)

    assert result.outcome is Outcome.PERMANENT_FAILURE
    assert result.status is None
    assert result.error == "service url not allowed"
    assert result.attempts == 0
    assert transport.calls == []


async def test_service_url_is_checked_again_before_a_retry(clock):
    answers = iter([True, False])
    transport = ScriptedTransport(clock, TransportError(503))
    deliverer = make_deliverer(clock, transport, service_url_allowed=lambda url: next(answers))

    result = await deliverer.deliver(TARGET, MESSAGE)

    assert result.outcome is Outcome.PERMANENT_FAILURE
    assert result.error == "service url not allowed"
    assert len(transport.calls) == 1


async def test_a_failing_url_check_refuses(clock):
    def broken(url):
        raise RuntimeError("config missing")

    transport = ScriptedTransport(clock)
    result = await make_deliverer(clock, transport, service_url_allowed=broken).deliver(
        TARGET, MESSAGE
    )

    assert result.outcome is Outcome.PERMANENT_FAILURE
    assert transport.calls == []


async def test_retry_after_beyond_the_cap_gives_up_at_once(clock):
    transport = ScriptedTransport(clock, TransportError(429, 600.0))
    result = await make_deliverer(clock, transport).deliver(TARGET, MESSAGE)

    assert result.outcome is Outcome.GAVE_UP
    assert (result.status, result.retry_after, result.attempts) == (429, 600.0, 1)
    assert clock.now() == 0.0


async def test_unexpected_error_is_reported_not_raised(clock):
    transport = ScriptedTransport(clock, ValueError("bad card"))
    result = await make_deliverer(clock, transport).deliver(TARGET, MESSAGE)

    assert result.outcome is Outcome.PERMANENT_FAILURE
    assert "bad card" in result.error
    assert len(transport.calls) == 1


async def test_cancellation_reaches_the_caller(clock):
    transport = ScriptedTransport(clock, "hang")
    task = asyncio.create_task(make_deliverer(clock, transport).deliver(TARGET, MESSAGE))
    await transport.called.wait()

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_retries_and_failures_are_logged_with_conversation_and_status(clock, caplog):
    transport = ScriptedTransport(clock, TransportError(502), TransportError(404))
    with caplog.at_level(logging.INFO, logger="bot.teams.delivery"):
        await make_deliverer(clock, transport).deliver(TARGET, MESSAGE)

    messages = [r.getMessage() for r in caplog.records]
    assert any("retry" in m and "status=502" in m and TARGET.conversation_id in m for m in messages)
    assert any(
        "permanently" in m and "status=404" in m and TARGET.conversation_id in m for m in messages
    )


def test_retry_after_header_forms():
    now = datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("Sat, 21 Nov 2026 12:00:07 GMT", now) == 7.0
    assert parse_retry_after("-4") == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
