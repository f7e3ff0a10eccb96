"""Text commands in Swedish and English, matched on folded text, with suggestions for typos."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum

from rapidfuzz import fuzz, process

from bot.text import fold


class Where(str, Enum):
    anywhere = "anywhere"  # answered where it was asked
    personal = "personal"  # a guided dialog: continues in the user's 1:1 chat


@dataclass(frozen=True)
class Command:
    name: str
    patterns: tuple[re.Pattern[str], ...]
    run: Callable[..., Awaitable[None]]
    where: Where
    examples: tuple[str, ...]


_COMMANDS: list[Command] = []


def command(name: str, *patterns: str, where: Where = Where.anywhere, examples: tuple[str, ...] = ()):
    """Register `async fn(turn, match)` for text matching any pattern (regex on folded text)."""

    def register(fn):
        compiled = tuple(re.compile(p + r"\s*$") for p in patterns)
        _COMMANDS.append(Command(name, compiled, fn, where, examples))
        return fn

    return register


def match(text: str) -> tuple[Command, re.Match[str]] | None:
    folded = fold(text)
    for cmd in _COMMANDS:
        for pattern in cmd.patterns:
            found = pattern.match(folded)
            if found:
                return cmd, found
    return None


def suggest(text: str, limit: int = 3) -> list[str]:
    """Known command phrases closest to what the user typed."""
    phrases = sorted({ex for cmd in _COMMANDS for ex in cmd.examples})
    if not phrases:
        return []
    head = " ".join(fold(text).split()[:3])
    found = process.extract(head, phrases, scorer=fuzz.WRatio, limit=limit, score_cutoff=60)
    return [phrase for phrase, _score, _idx in found]


def all_commands() -> tuple[Command, ...]:
    return tuple(_COMMANDS)
