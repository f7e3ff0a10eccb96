"""One turn as the capabilities see it: who speaks, in what language, where, and how to answer.

Nothing here knows the Bot Framework SDK: the activity is read by attribute, and answers go
through a `Replier` the Teams edge or the dispatcher hands in (a reply in the same thread, or a
message in the user's 1:1 chat when a channel click continues there).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.cardsize import fitted
from bot.i18n import Translator
from bot.services import Services
from cards.common import CONTENT_TYPE

# (activity JSON, id of an existing message to replace or None) -> id of the message sent
Replier = Callable[[dict, str | None], Awaitable[str | None]]


def card_activity(content: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    activity: dict[str, Any] = {"type": "message",
                                "attachments": [{"contentType": CONTENT_TYPE, "content": content}]}
    if text:
        activity["text"] = text
    return activity


def tenant_of(activity) -> str | None:
    """Teams names the tenant in channelData; some activities only in the conversation."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = (data.get("tenant") or {}).get("id") if isinstance(data.get("tenant"), dict) else None
    return tenant or (activity.conversation.tenant_id if activity.conversation else None)


@dataclass(frozen=True)
class Speaker:
    aad_id: str
    name: str
    teams_id: str


@dataclass
class Turn:
    activity: Any
    services: Services
    t: Translator
    speaker: Speaker
    reply: Replier
    text: str = ""
    # In a 1:1 continuation of a channel click, the conversation the answers go to.
    personal_conversation: str | None = None
    state: dict[str, Any] = field(default_factory=dict)
    # The question this user's next message answers (see Turn.ask), and whether it changed.
    pending: dict[str, Any] | None = None
    pending_changed: bool = False

    @property
    def conversation_kind(self) -> str:
        if self.personal_conversation is not None:
            return "personal"
        return self.activity.conversation.conversation_type or "personal"

    @property
    def conversation_id(self) -> str:
        return self.personal_conversation or self.activity.conversation.id

    @property
    def tenant_id(self) -> str | None:
        return tenant_of(self.activity)

    @property
    def in_channel(self) -> bool:
        return self.conversation_kind == "channel"

    @property
    def is_invoke(self) -> bool:
        return self.activity.type == "invoke" and self.personal_conversation is None

    @property
    def db(self):
        return self.services.db

    @property
    def settings(self):
        return self.services.settings

    @property
    def registry(self):
        return self.services.registry

    def now(self):
        return self.services.clock()

    async def say(self, text: str) -> str | None:
        return await self.reply({"type": "message", "text": text}, None)

    async def send_card(self, content: dict[str, Any], text: str | None = None) -> str | None:
        return await self.reply(card_activity(fitted(content, self.t), text), None)

    async def replace_card(self, activity_id: str, content: dict[str, Any]) -> str | None:
        """Put this card in place of an earlier message of this conversation."""
        return await self.reply(card_activity(fitted(content, self.t)), activity_id)

    def ask(self, question: str, **data: Any) -> None:
        """The user's next message in this conversation goes to the handler registered with
        `Capability.answer(question)` (help and cancel still work first)."""
        self.pending = {"question": question, **data}
        self.pending_changed = True

    def forget_question(self) -> None:
        if self.pending is not None:
            self.pending = None
            self.pending_changed = True
