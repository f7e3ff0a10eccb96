"""Outbound delivery: pacing, retries and failure classes, in virtual time with a scripted
transport; connector_transport against msrest-shaped errors and a loopback Bot Connector."""

import asyncio
import logging
import random
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
import requests
from aiohttp import web

from bot.delivery import (
    Deliverer,
    Outcome,
    Target,
    TransportError,
    connector_transport,
    parse_retry_after,
)
from bot.pacing import FakeClock, Pacer

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
    with caplog.at_level(logging.INFO, logger="bot.delivery"):
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


# connector_transport ------------------------------------------------------------------------


def http_error(status: int, headers: dict | None = None, body: bytes = b"{}"):
    """msrest's HttpOperationError exactly as the connector raises it (requests response)."""
    from msrest.exceptions import HttpOperationError

    response = requests.Response()
    response.status_code = status
    response.reason = "Too Many Requests" if status == 429 else "Error"
    response.headers.update(headers or {})
    response._content = body
    return HttpOperationError(None, response)


class FakeConversations:
    def __init__(self, outcome):
        self.outcome = outcome
        self.calls = []

    async def send_to_conversation(self, conversation_id, activity):
        self.calls.append(("send", conversation_id, None, activity))
        return self._answer()

    async def update_activity(self, conversation_id, activity_id, activity):
        self.calls.append(("update", conversation_id, activity_id, activity))
        return self._answer()

    def _answer(self):
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return SimpleNamespace(id=self.outcome)


def fake_connector(outcome):
    conversations = FakeConversations(outcome)
    created = []

    async def create(service_url):
        created.append(service_url)
        return SimpleNamespace(conversations=conversations)

    return create, conversations, created


async def test_connector_transport_sends_an_activity_and_returns_its_id():
    create, conversations, created = fake_connector("1:new")
    send = connector_transport(create)

    assert await send(TARGET, MESSAGE) == "1:new"
    assert await send(TARGET, MESSAGE) == "1:new"

    assert created == [TEAMS]  # one client per service URL
    kind, conversation_id, _, activity = conversations.calls[0]
    assert (kind, conversation_id) == ("send", TARGET.conversation_id)
    assert activity.text == MESSAGE["text"]
    assert activity.conversation.id == TARGET.conversation_id
    assert activity.channel_data == {"tenant": {"id": "tenant-1"}}
    assert "conversation" not in MESSAGE  # the caller's dict is left alone


async def test_connector_transport_updates_in_place_when_activity_id_is_set():
    create, conversations, _ = fake_connector(None)
    send = connector_transport(create)
    target = Target(TEAMS, "19:general@thread.tacv2", activity_id="1:card")

    assert await send(target, MESSAGE) == "1:card"
    kind, _, activity_id, activity = conversations.calls[0]
    assert (kind, activity_id, activity.id) == ("update", "1:card", "1:card")


@pytest.mark.parametrize(
    ("error", "status", "retry_after"),
    [
        (http_error(429, {"Retry-After": "3"}), 429, 3.0),
        (http_error(503, {"retry-after": "2"}), 503, 2.0),
        (http_error(503), 503, None),
        (http_error(403), 403, None),
        (http_error(413), 413, None),
    ],
)
async def test_connector_transport_maps_http_errors(error, status, retry_after):
    create, _, _ = fake_connector(error)
    with pytest.raises(TransportError) as caught:
        await connector_transport(create)(TARGET, MESSAGE)

    assert (caught.value.status, caught.value.retry_after) == (status, retry_after)


async def test_connector_transport_keeps_teams_error_code_in_the_message():
    # Built the way the connector's operations build it: Deserializer over the schema models.
    from botbuilder.schema import ErrorResponseException, _models_py3
    from msrest import Deserializer

    response = requests.Response()
    response.status_code = 403
    response.headers["Content-Type"] = "application/json"
    response._content = (
        b'{"error": {"code": "ConversationBlockedByUser", "message": "User blocked the bot"}}'
    )
    models = {k: v for k, v in vars(_models_py3).items() if isinstance(v, type)}
    deserialize = Deserializer(models)
    create, _, _ = fake_connector(ErrorResponseException(deserialize, response))

    with pytest.raises(TransportError) as caught:
        await connector_transport(create)(TARGET, MESSAGE)

    assert caught.value.status == 403
    assert "ConversationBlockedByUser" in str(caught.value)


async def test_connector_transport_maps_request_errors_to_no_status():
    from msrest.exceptions import ClientRequestError

    create, _, _ = fake_connector(ClientRequestError("Error occurred in request."))
    with pytest.raises(TransportError) as caught:
        await connector_transport(create)(TARGET, MESSAGE)

    assert caught.value.status is None


async def fake_bot_connector(aiohttp_server, status, headers=None):
    hits = []

    async def activities(request):
        hits.append((request.method, request.path))
        if status == 200:
            return web.json_response({"id": "1:from-teams"})
        return web.json_response(
            {"error": {"code": "Throttled", "message": "slow down"}}, status=status, headers=headers
        )

    app = web.Application()
    app.router.add_route("*", "/v3/conversations/{tail:.*}", activities)
    server = await aiohttp_server(app)
    return str(server.make_url("/")), hits


async def real_connector(service_url):
    from botframework.connector.aio import ConnectorClient
    from botframework.connector.auth import MicrosoftAppCredentials

    return ConnectorClient(MicrosoftAppCredentials.empty(), base_url=service_url)


@pytest.mark.parametrize("activity_id", [None, "1:card"])
async def test_real_connector_client_reports_503_once_without_hidden_retries(
    aiohttp_server, activity_id
):
    # Left alone, msrest retries PUTs on 503 itself (3 more hits, sleeping Retry-After in a
    # worker thread) and then reports a status-less RetryError.
    url, hits = await fake_bot_connector(aiohttp_server, 503, {"Retry-After": "2"})
    send = connector_transport(real_connector)

    with pytest.raises(TransportError) as caught:
        await send(Target(url, "19:x@thread.tacv2", activity_id=activity_id), MESSAGE)

    assert (caught.value.status, caught.value.retry_after) == (503, 2.0)
    assert len(hits) == 1


async def test_real_connector_client_end_to_end_through_the_deliverer(aiohttp_server, clock):
    url, hits = await fake_bot_connector(aiohttp_server, 200)
    deliverer = Deliverer(connector_transport(real_connector), Pacer(clock), clock)

    result = await deliverer.deliver(Target(url, "19:x@thread.tacv2"), MESSAGE)

    assert result.outcome is Outcome.SENT
    assert result.activity_id == "1:from-teams"
    assert hits == [("POST", "/v3/conversations/19:x@thread.tacv2/activities")]
