"""A scenario as a person lives it: say something, press a button on a card the bot sent, read the
answer. Over BotHarness, so every step is a real Bot Framework activity over HTTP.

    convo = Transcript(bot, ISAIAH)
    await convo.say("nytt behov")
    form = convo.expect_card(containing="Registrera ett behov")
    await convo.click(form, "Skicka", inputs={"title": "Bokning av labbsalar", ...})
    convo.expect_text("Behov B-2026-0001 är registrerat")

Each step replaces `convo.replies` (what the bot sent in answer); the expect_* methods look only
there. A button is named by its title or its verb; clicking it sends what Teams sends: the card's
inputs (typed, else as shown) with the button's data. An Action.Execute button is an invoke, and
the card it answers with (`convo.answer`) counts as part of the answer.
"""

from __future__ import annotations

from typing import Any

from tests.support.botkit import ALEX, BotHarness, User
from tests.support.cards import button, press, text, verbs
from tests.support.connector import Sent

ADAPTIVE = "application/vnd.microsoft.card.adaptive"


class Transcript:
    def __init__(self, bot: BotHarness, user: User = ALEX, *, kind: str = "personal") -> None:
        self.bot = bot
        self.user = user
        self.kind = kind  # "personal" (1:1 chat) or "channel" (the steering-group channel)
        self.replies: list[Sent] = []
        self.answer: dict | None = None

    async def say(self, words: str) -> list[Sent]:
        self.answer = None
        self.replies = await self.bot.say(words, user=self.user, kind=self.kind)
        return self.replies

    async def click(self, card: dict, name: str, inputs: dict[str, Any] | None = None) -> list[Sent]:
        """Press the button with this title or verb, with these inputs typed into the card."""
        data = press(card, name, **(inputs or {}))
        if button(card, name)["type"] != "Action.Execute":
            self.answer = None
            self.replies = await self.bot.click(data, user=self.user, kind=self.kind)
            return self.replies
        before = len(self.bot.connector.sent)
        status, body = await self.bot.invoke(data, user=self.user, kind=self.kind)
        assert status == 200, (status, body)
        self.answer = body.get("value") if body.get("type") == ADAPTIVE else None
        self.replies = self.bot.connector.sent[before:]
        return self.replies

    def cards(self) -> list[dict]:
        """The cards of the last answer, newest first."""
        sent = [card for reply in reversed(self.replies) for card in reversed(reply.cards)]
        return ([self.answer] if self.answer else []) + sent

    @property
    def text(self) -> str:
        """Everything readable in the last answer: messages and cards."""
        parts = [reply.all_text() for reply in self.replies]
        if self.answer:
            parts.append(text(self.answer))
        return "\n".join(parts)

    def expect_card(self, containing: str | None = None, *, verb: str | None = None) -> dict:
        """The newest card in the last answer that shows this text and has a button with this verb."""
        for card in self.cards():
            if (containing is None or containing in text(card)) and (verb is None or verb in verbs(card)):
                return card
        wanted = " and ".join(w for w in (containing and f"text {containing!r}", verb and f"verb {verb!r}") if w)
        raise AssertionError(f"no card with {wanted} in the answer:\n{self.text[:2000]}")

    def expect_text(self, fragment: str) -> str:
        """The last answer shows this text somewhere; returns all of its text."""
        shown = self.text
        assert fragment in shown, f"{fragment!r} not in the answer:\n{shown[:2000]}"
        return shown
