"""What every handler may use, built complete by app.py and passed in (no globals)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from bot.config import Settings
from storage.db import Database

if TYPE_CHECKING:  # typing only: the engine's parts are wired by app.py
    from bot.claims import Completions, Starts
    from bot.outbox import Outbox
    from bot.registry import Registry
    from bot.rules.wheel import Wheel
    from bot.similar import SimilarIndex
    from bot.teams.outbound import Outbound


def system_clock() -> datetime:
    return datetime.now(UTC)


async def _nothing_to_close() -> None:
    return None


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Callable[[], datetime] = system_clock
    registry: Registry | None = None
    # Sends to Teams: replies, proactive posts, card updates, 1:1 chats (bot.teams.outbound).
    outbound: Outbound | None = None
    # Every message sent after an answer is an outbox row; this sends them (bot.outbox).
    outbox: Outbox | None = None
    wheel: Wheel | None = None
    similar: SimilarIndex | None = None
    # Turns' claims, taken and marked completed in batches (bot.claims); set by the dispatcher.
    starts: Starts | None = None
    completions: Completions | None = None
    # Who holds a claim on a row: one id per running Services (per process in production).
    instance_id: str = field(default_factory=lambda: f"styra-{uuid.uuid4().hex[:12]}")
    close_http: Callable[[], Awaitable[None]] = _nothing_to_close
    # The wheel's tick: the newest time it materialised occurrences up to (None: not yet).
    wheel_watermark: datetime | None = None
    # The day this process last wrote (or found nothing for) the new-need digests.
    need_digest_day: date | None = None

    @property
    def app_id(self) -> str:
        return self.settings.app_id
