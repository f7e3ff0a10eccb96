"""The one place every proactive send to Teams goes through.

``Deliverer.deliver`` checks the service URL, paces per conversation (bot.pacing), sends with a
timeout, retries what is worth retrying and reports one ``DeliveryResult``; it never raises
except on cancellation. The transport is injected: ``connector_transport`` adapts botbuilder's
ConnectorClient, tests pass a scripted fake.

Retrying a send that timed out can post the message twice if Teams received the first copy
(Teams has no idempotency key for bot messages); updates (``Target.activity_id``) are safe to
repeat. This is the usual at-least-once trade-off; keep ``send_timeout`` generous enough.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import Enum
from typing import Any, Protocol

from bot.pacing import Clock

logger = logging.getLogger(__name__)

# Teams throttling: honour Retry-After when present.
THROTTLED_STATUSES = frozenset({429, 503})
# Server-side trouble worth a few retries. Other 5xx except these two count as transient too.
TRANSIENT_STATUSES = frozenset({412, 500, 502, 504})
NOT_RETRYABLE_5XX = frozenset({501, 505})


class Outcome(Enum):
    SENT = "sent"
    PERMANENT_FAILURE = "permanent_failure"
    GAVE_UP = "gave_up"


@dataclass
class DeliveryResult:
    outcome: Outcome
    status: int | None  # HTTP status of the last failed attempt; None when sent or no status
    activity_id: str | None  # id Teams gave the (new or updated) activity
    attempts: int  # sends actually tried (0 if refused before sending)
    error: str | None
    retry_after: float | None = None  # last Retry-After seen, to reschedule a GAVE_UP later


class TransportError(Exception):
    """A failed send. ``status`` is None for connection errors (nothing came back)."""

    def __init__(
        self, status: int | None = None, retry_after: float | None = None, message: str = ""
    ) -> None:
        super().__init__(status, retry_after, message)
        self.status = status
        self.retry_after = retry_after
        self.message = message

    def __str__(self) -> str:
        if self.message:
            return self.message
        return f"HTTP {self.status}" if self.status is not None else "connection error"


@dataclass(frozen=True)
class Target:
    service_url: str
    conversation_id: str
    tenant_id: str | None = None
    activity_id: str | None = None  # set => update this existing activity in place


Transport = Callable[[Target, dict], Awaitable[str | None]]


class PacerLike(Protocol):
    async def acquire(self, conversation_id: str) -> None: ...


def _is_permanent(status: int | None) -> bool:
    if status is None or status in THROTTLED_STATUSES or status in TRANSIENT_STATUSES:
        return False
    return not (500 <= status <= 599 and status not in NOT_RETRYABLE_5XX)


class Deliverer:
    def __init__(
        self,
        transport: Transport,
        pacer: PacerLike,
        clock: Clock,
        *,
        max_attempts: int = 5,
        base_backoff: float = 0.5,
        max_backoff: float = 30.0,
        send_timeout: float = 8.0,
        max_retry_after: float = 60.0,
        service_url_allowed: Callable[[str], bool] = lambda url: True,
        rng: random.Random | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self._transport = transport
        self._pacer = pacer
        self._clock = clock
        self._max_attempts = max_attempts
        self._base_backoff = base_backoff
        self._max_backoff = max_backoff
        self._send_timeout = send_timeout
        self._max_retry_after = max_retry_after
        self._service_url_allowed = service_url_allowed
        self._rng = rng if rng is not None else random.Random()

    async def deliver(self, target: Target, activity: dict) -> DeliveryResult:
        attempts = 0
        try:
            while True:
                # Checked before every attempt: a stored reference pointing elsewhere must never
                # receive the bot's bearer token.
                if not self._allowed(target.service_url):
                    logger.warning(
                        "delivery refused: service url not allowed conversation=%s",
                        target.conversation_id,
                    )
                    return DeliveryResult(
                        Outcome.PERMANENT_FAILURE, None, None, attempts, "service url not allowed"
                    )
                await self._pacer.acquire(target.conversation_id)
                attempts += 1
                try:
                    activity_id = await asyncio.wait_for(
                        self._transport(target, activity), self._send_timeout
                    )
                except TransportError as exc:
                    status, retry_after, error = exc.status, exc.retry_after, str(exc)
                except OSError as exc:  # TimeoutError (wait_for) and raw connection errors
                    status, retry_after = None, None
                    error = (
                        f"timed out after {self._send_timeout:g} s"
                        if isinstance(exc, TimeoutError)
                        else f"connection error: {exc}"
                    )
                else:
                    if attempts > 1:
                        logger.info(
                            "delivery sent after %d attempts conversation=%s",
                            attempts,
                            target.conversation_id,
                        )
                    return DeliveryResult(Outcome.SENT, None, activity_id, attempts, None)

                if _is_permanent(status):
                    logger.warning(
                        "delivery failed permanently conversation=%s status=%s error=%s",
                        target.conversation_id,
                        status,
                        error,
                    )
                    return DeliveryResult(
                        Outcome.PERMANENT_FAILURE, status, None, attempts, error, retry_after
                    )
                if attempts >= self._max_attempts:
                    logger.error(
                        "delivery gave up after %d attempts conversation=%s status=%s error=%s",
                        attempts,
                        target.conversation_id,
                        status,
                        error,
                    )
                    return DeliveryResult(
                        Outcome.GAVE_UP, status, None, attempts, error, retry_after
                    )
                if retry_after is not None and retry_after > self._max_retry_after:
                    # Sleeping that long would hold the caller hostage; let it reschedule.
                    logger.error(
                        "delivery gave up: retry-after %.1f s too long conversation=%s status=%s",
                        retry_after,
                        target.conversation_id,
                        status,
                    )
                    return DeliveryResult(
                        Outcome.GAVE_UP, status, None, attempts, error, retry_after
                    )

                wait = self._retry_wait(status, attempts, retry_after)
                if retry_after is not None and status in THROTTLED_STATUSES:
                    hold = getattr(self._pacer, "hold", None)
                    if hold is not None:  # other sends queued for this thread wait too
                        hold(target.conversation_id, retry_after)
                logger.warning(
                    "delivery retry %d/%d in %.2f s conversation=%s status=%s error=%s",
                    attempts + 1,
                    self._max_attempts,
                    wait,
                    target.conversation_id,
                    status,
                    error,
                )
                await self._clock.sleep(wait)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # A bug or an unknown failure: do not retry (the message may have gone out).
            logger.exception("delivery failed unexpectedly conversation=%s", target.conversation_id)
            return DeliveryResult(
                Outcome.PERMANENT_FAILURE, None, None, attempts, f"unexpected error: {exc!r}"
            )

    def _allowed(self, service_url: str) -> bool:
        try:
            return bool(self._service_url_allowed(service_url))
        except Exception:
            logger.exception("service url check failed; refusing")
            return False

    def _retry_wait(self, status: int | None, attempts: int, retry_after: float | None) -> float:
        if retry_after is not None and status in THROTTLED_STATUSES:
            # Small jitter so many senders told the same Retry-After do not return in lockstep.
            return retry_after + self._rng.uniform(0.0, min(1.0, 0.1 * retry_after))
        # Exponential backoff with full jitter.
        cap = min(self._max_backoff, self._base_backoff * 2 ** (attempts - 1))
        return self._rng.uniform(0.0, cap)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date. None if absent/bad."""
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _header(headers: Any, name: str) -> str | None:
    if not headers:
        return None
    value = headers.get(name) if hasattr(headers, "get") else None
    if value is None and isinstance(headers, Mapping):
        lowered = name.lower()
        value = next((v for k, v in headers.items() if str(k).lower() == lowered), None)
    return None if value is None else str(value)


def _status_and_retry_after(response: Any) -> tuple[int | None, float | None]:
    """requests.Response has .status_code, aiohttp's ClientResponse has .status."""
    if response is None:
        return None, None
    status = getattr(response, "status_code", None)
    if status is None:
        status = getattr(response, "status", None)
    try:
        status = int(status) if status is not None else None
    except (TypeError, ValueError):
        status = None
    headers = getattr(response, "headers", None)
    return status, parse_retry_after(_header(headers, "Retry-After"))


def _activity_body(activity: dict, target: Target) -> dict:
    """Copy of the activity carrying the conversation (and tenant) the way the SDK's
    continue_conversation would set them."""
    body = dict(activity)
    if "conversation" not in body:
        conversation = {"id": target.conversation_id}
        if target.tenant_id:
            conversation["tenantID"] = target.tenant_id  # the SDK model's spelling
        body["conversation"] = conversation
    if target.tenant_id:
        channel_data = dict(body.get("channelData") or {})
        channel_data.setdefault("tenant", {"id": target.tenant_id})
        body["channelData"] = channel_data
    if target.activity_id:
        body.setdefault("id", target.activity_id)
    return body


def connector_transport(
    create_connector: Callable[[str], Awaitable[Any]],
    *,
    request_timeout: float | None = 8.0,
    disable_sdk_retries: bool = True,
    cache_clients: bool = True,
) -> Transport:
    """Transport over botframework.connector's async ConnectorClient.

    ``create_connector(service_url)`` returns a ConnectorClient (e.g. CloudAdapter's connector
    factory ``create``). Each client is tuned once:

    - ``disable_sdk_retries``: msrest's requests sender retries 408/5xx itself (urllib3, up to 3
      times, backoff up to 90 s, in a worker thread; PUT only under urllib3 2). Those hidden
      retries multiply ours and keep running after our timeout, so they are switched off and
      the Deliverer alone decides.
    - ``request_timeout``: the connector's default socket timeout is 100 s; a send abandoned by
      ``Deliverer`` keeps its worker thread that long (the default pool has ~6 threads).

    With ``cache_clients`` one client per service URL is kept (credentials refresh their own
    token), which saves building a client and a TCP connection per send.
    """
    # Imported here so bot.delivery stays importable without the SDK and its side effects.
    from botbuilder.schema import Activity
    from msrest.exceptions import ClientRequestError, DeserializationError, HttpOperationError

    clients: dict[str, Any] = {}

    async def client_for(service_url: str) -> Any:
        client = clients.get(service_url) if cache_clients else None
        if client is None:
            client = await create_connector(service_url)
            _tune_client(client, request_timeout, disable_sdk_retries)
            if cache_clients:
                clients[service_url] = client
        return client

    async def send(target: Target, activity: dict) -> str | None:
        client = await client_for(target.service_url)
        model = Activity.deserialize(_activity_body(activity, target))
        try:
            if target.activity_id:
                response = await client.conversations.update_activity(
                    target.conversation_id, target.activity_id, model
                )
            else:
                response = await client.conversations.send_to_conversation(
                    target.conversation_id, model
                )
        except HttpOperationError as exc:
            status, retry_after = _status_and_retry_after(getattr(exc, "response", None))
            raise TransportError(status, retry_after, str(exc)) from exc
        except ClientRequestError as exc:
            raise TransportError(None, None, f"connection error: {exc}") from exc
        except DeserializationError:
            # Teams accepted the activity (2xx) but the body was unreadable: it is sent.
            logger.warning("sent but response unreadable conversation=%s", target.conversation_id)
            return target.activity_id
        return getattr(response, "id", None) or target.activity_id

    return send


def _tune_client(client: Any, request_timeout: float | None, disable_sdk_retries: bool) -> None:
    config = getattr(client, "config", None)
    if config is None:
        return
    connection = getattr(config, "connection", None)
    if request_timeout is not None and connection is not None:
        connection.timeout = request_timeout
    retry_policy = getattr(config, "retry_policy", None)
    retry = getattr(retry_policy, "policy", None)
    if disable_sdk_retries and retry is not None:
        # Mutated in place: requests sessions already created hold this same Retry object.
        retry.total = 0
        retry.status_forcelist = frozenset()
