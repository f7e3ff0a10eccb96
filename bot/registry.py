"""What each capability answers: text commands, card verbs and pending questions.

A capability module makes one `Capability` and registers its handlers on it with decorators.
`app.py` lists the capabilities; `Registry` joins them for the dispatcher. Nothing here is
global: two apps in one process (tests) each build their own `Registry`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic import ValidationError
from rapidfuzz import fuzz, process

from bot.actions import CardAction, InvalidAction
from bot.text import fold
from cards.verbs import Verb

Handler = Callable[..., Awaitable[Any]]


class Where(str, Enum):
    anywhere = "anywhere"  # answered where it was asked
    personal = "personal"  # a guided flow: continues in the user's 1:1 chat


@dataclass(frozen=True)
class Command:
    name: str
    patterns: tuple[re.Pattern[str], ...]
    run: Handler
    where: Where
    examples: tuple[str, ...]  # pairs: Swedish, then English ("hjälp", "help", …)

    def examples_in(self, lang: str) -> tuple[str, ...]:
        return self.examples[1::2] if lang == "en" else self.examples[0::2]


class Capability:
    """One capability's commands, verbs and questions, registered by decorators at import."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.commands: list[Command] = []
        self.actions: dict[Verb, type[CardAction]] = {}
        self.handlers: dict[Verb, Handler] = {}
        self.answers: dict[str, Handler] = {}
        self.ticks: list[Handler] = []
        self.stops: list[Handler] = []
        self.interrupts: list[Handler] = []
        self.fallbacks: list[Handler] = []

    def command(self, name: str, *patterns: str, where: Where = Where.anywhere,
                examples: tuple[str, ...] = ()):
        """`async fn(turn, match)` for text matching any pattern (regex on folded text)."""

        if len(examples) % 2:
            raise ValueError(f"command {name!r}: examples come in pairs, Swedish then English")

        def register(fn: Handler) -> Handler:
            compiled = tuple(re.compile(p + r"\s*$") for p in patterns)
            self.commands.append(Command(name, compiled, fn, where, examples))
            return fn

        return register

    def action(self, verb: Verb, *, personal: bool = False):
        """Class decorator: the model of a verb's data (ids and form inputs)."""

        def register(cls: type[CardAction]) -> type[CardAction]:
            if verb in self.actions:
                raise ValueError(f"verb {verb!r} registered twice")
            cls.verb = verb
            cls.personal = personal
            self.actions[verb] = cls
            return cls

        return register

    def handles(self, cls: type[CardAction]):
        """`async fn(turn, action)`: answers the verb (Action.Execute: returns the new card)."""

        def register(fn: Handler) -> Handler:
            self.handlers[cls.verb] = fn
            return fn

        return register

    def answer(self, question: str):
        """`async fn(turn) -> bool`: the user's next message after `turn.ask(question)`."""

        def register(fn: Handler) -> Handler:
            self.answers[question] = fn
            return fn

        return register


    def on_tick(self, fn: Handler) -> Handler:
        """`async fn(services)`: run by the scheduler every minute (the database says what is due)."""
        self.ticks.append(fn)
        return fn

    def on_interrupt(self, fn: Handler) -> Handler:
        """`async fn(turn) -> bool`: tried on every text before questions and commands (help,
        cancel); True when it answered."""
        self.interrupts.append(fn)
        return fn

    def on_unknown(self, fn: Handler) -> Handler:
        """`async fn(turn)`: the answer to text no command matches."""
        self.fallbacks.append(fn)
        return fn

    def on_stop(self, fn: Handler) -> Handler:
        """`async fn(services)`: run once when the app shuts down, after the last tick."""
        self.stops.append(fn)
        return fn


class Registry:
    def __init__(self, capabilities: Iterable[Capability]) -> None:
        self.capabilities = tuple(capabilities)
        self.commands: tuple[Command, ...] = tuple(c for cap in self.capabilities for c in cap.commands)
        self._actions: dict[str, type[CardAction]] = {}
        self._handlers: dict[str, Handler] = {}
        self._answers: dict[str, Handler] = {}
        for cap in self.capabilities:
            for verb, cls in cap.actions.items():
                if verb in self._actions:
                    raise ValueError(f"verb {verb!r} registered by two capabilities")
                self._actions[verb] = cls
            self._handlers.update(cap.handlers)
            self._answers.update(cap.answers)
        self.ticks: tuple[Handler, ...] = tuple(f for cap in self.capabilities for f in cap.ticks)
        self.stops: tuple[Handler, ...] = tuple(f for cap in self.capabilities for f in cap.stops)
        self.interrupts: tuple[Handler, ...] = tuple(f for cap in self.capabilities for f in cap.interrupts)
        self.fallbacks: tuple[Handler, ...] = tuple(f for cap in self.capabilities for f in cap.fallbacks)
        # One language per reader: a Swedish reader is offered Swedish phrases, an English one English.
        self._phrases = {lang: sorted({ex for cmd in self.commands for ex in cmd.examples_in(lang)})
                         for lang in ("sv", "en")}

    def match(self, text: str) -> tuple[Command, re.Match[str]] | None:
        folded = fold(text)
        for cmd in self.commands:
            for pattern in cmd.patterns:
                found = pattern.match(folded)
                if found:
                    return cmd, found
        return None

    def suggest(self, text: str, limit: int = 3, lang: str = "sv") -> list[str]:
        """Known command phrases in the reader's language closest to what the user typed."""
        phrases = self._phrases.get(lang, self._phrases["sv"])
        if not phrases:
            return []
        head = " ".join(fold(text).split()[:3])
        found = process.extract(head, phrases, scorer=fuzz.WRatio, limit=limit, score_cutoff=60)
        return [phrase for phrase, _score, _idx in found]

    def parse(self, data: object) -> CardAction:
        if not isinstance(data, dict) or not isinstance(data.get("verb"), str):
            raise InvalidAction("card data without a verb")
        cls = self._actions.get(data["verb"])
        if cls is None:
            raise InvalidAction(f"unknown verb {data['verb'][:60]!r}")
        try:
            return cls.model_validate({k: v for k, v in data.items() if k != "verb"})
        except ValidationError as exc:
            raise InvalidAction(f"bad data for {cls.verb}: {exc.errors()[0]['msg']}") from exc

    def handler_for(self, act: CardAction) -> Handler | None:
        return self._handlers.get(act.verb)

    def answer_for(self, question: str) -> Handler | None:
        return self._answers.get(question)

    def known_verbs(self) -> frozenset[str]:
        """Verbs that have both a model and a handler (cards may only use these)."""
        return frozenset(v for v in self._actions if v in self._handlers)

    def model_of(self, verb: str) -> type[CardAction] | None:
        return self._actions.get(verb)
