"""The one place every proactive send to Teams goes through.

``Deliverer.deliver`` checks the service URL, paces per conversation (bot.teams.pacing), sends with a
timeout, retries what is worth retrying and reports one ``DeliveryResult``; it never raises
except on cancellation. The transport is injected: ``bot.teams.http.http_transport`` speaks the
Bot Connector REST API over aiohttp, tests pass a scripted fake.

Retrying a send that timed out can post the message twice if Teams received the first copy
(Teams has no idempotency key for bot messages); updates (``Target.activity_id``) are safe to
repeat. This is the usual at-least-once trade-off; keep ``send_timeout`` generous enough.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import Enum
from typing import Protocol

from bot.teams.pacing import Clock

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

    async def deliver(self, target: Target, activity: dict, *, timeout: float | None = None,
                      deadline: float | None = None) -> DeliveryResult:
        """Send (paced, retried). `timeout`: per attempt, instead of the default; `deadline`: a
        time on this deliverer's clock after which nothing more is tried (a turn's budget):
        the result is then GAVE_UP and the caller keeps the message for later."""
        attempts = 0
        send_timeout = timeout or self._send_timeout
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
                this_timeout = send_timeout
                if deadline is not None:
                    left = deadline - self._clock.now()
                    if left <= 0 or not await self._paced_within(target.conversation_id, left):
                        return DeliveryResult(Outcome.GAVE_UP, None, None, attempts, "out of time")
                    this_timeout = min(send_timeout, max(0.001, deadline - self._clock.now()))
                else:
                    await self._pacer.acquire(target.conversation_id)
                attempts += 1
                try:
                    activity_id = await asyncio.wait_for(
                        self._transport(target, activity), this_timeout
                    )
                    self._sent(target.conversation_id)
                except TransportError as exc:
                    self._sent(target.conversation_id)
                    status, retry_after, error = exc.status, exc.retry_after, str(exc)
                except OSError as exc:  # TimeoutError (wait_for) and raw connection errors
                    status, retry_after = None, None
                    error = (
                        f"timed out after {this_timeout:g} s"
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
                if deadline is not None and self._clock.now() + wait >= deadline:
                    return DeliveryResult(
                        Outcome.GAVE_UP, status, None, attempts, error, retry_after
                    )
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

    def now(self) -> float:
        """This deliverer's clock (the one `deadline` is read on)."""
        return self._clock.now()

    async def pause(self, seconds: float) -> None:
        await self._clock.sleep(seconds)

    async def _paced_within(self, conversation_id: str, seconds: float) -> bool:
        """Take a pacing slot if one comes within `seconds`; False (nothing counted) if not."""
        try:
            await asyncio.wait_for(self._pacer.acquire(conversation_id), seconds)
        except TimeoutError:
            return False
        return True

    def _sent(self, conversation_id: str) -> None:
        sent = getattr(self._pacer, "sent", None)
        if sent is not None:
            sent(conversation_id)

    def share(self, senders: int, grace: float = 0.0) -> None:
        """`senders` instances send at once: keep to this one's share of the app-wide limit."""
        share = getattr(self._pacer, "share", None)
        if share is not None:
            share(senders, grace)

    def app_share(self) -> int | None:
        """Posts per app-wide window this instance may make now (None: no such limit)."""
        return getattr(self._pacer, "app_share", None)

    async def ready(self, conversation_id: str) -> None:
        """Wait until this conversation's own limits allow a send (nothing is counted), so a
        caller can wait for a busy thread before taking one of its few sending slots."""
        wait_thread = getattr(self._pacer, "wait_thread", None)
        if wait_thread is not None:
            await wait_thread(conversation_id)

    def allows(self, service_url: str) -> bool:
        """The allow-list check, for callers that reach Teams by other routes (new 1:1 chats)."""
        return self._allowed(service_url)

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


def activity_body(activity: dict, target: Target) -> dict:
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
