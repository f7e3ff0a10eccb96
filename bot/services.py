"""What every handler may use, built once by app.py and passed in (no globals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.config import Settings
from storage.db import Database


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Callable[[], datetime] = system_clock
    # Set by app.py once the adapter exists: proactive sends, card updates, 1:1 creation.
    outbound: Any = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def app_id(self) -> str:
        return self.settings.app_id
