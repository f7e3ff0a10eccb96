"""One turn as the features see it: who speaks, in what language, where, and how to answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes, Attachment

from bot.i18n import Translator
from bot.services import Services
from cards.common import CONTENT_TYPE


class _CardJSON(dict):
    """Card JSON handed to the SDK. botbuilder deep-copies every outgoing activity (about 5 ms
    for a form card); a card is built fresh for each send and never changed afterwards, so its
    copy may be the card itself."""

    def __deepcopy__(self, memo):
        return self

    def __copy__(self):
        return self


def card_message(content: dict[str, Any], text: str | None = None) -> Activity:
    reply = MessageFactory.attachment(Attachment(content_type=CONTENT_TYPE, content=_CardJSON(content)))
    if text:
        reply.text = text
    return reply


@dataclass(frozen=True)
class Speaker:
    aad_id: str
    name: str
    teams_id: str


@dataclass
class Turn:
    ctx: TurnContext
    services: Services
    t: Translator
    speaker: Speaker
    text: str = ""
    # Filled by the handler for dialogs: begin/continue/cancel the user's guided flow.
    dialogs: Any = None
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def activity(self) -> Activity:
        return self.ctx.activity

    @property
    def conversation_kind(self) -> str:
        return self.activity.conversation.conversation_type or "personal"

    @property
    def in_channel(self) -> bool:
        return self.conversation_kind == "channel"

    @property
    def is_invoke(self) -> bool:
        return self.activity.type == ActivityTypes.invoke

    @property
    def db(self):
        return self.services.db

    @property
    def settings(self):
        return self.services.settings

    def now(self):
        return self.services.clock()

    async def say(self, text: str) -> None:
        await self.ctx.send_activity(MessageFactory.text(text))

    async def send_card(self, content: dict[str, Any], text: str | None = None) -> str | None:
        response = await self.ctx.send_activity(card_message(content, text))
        return response.id if response else None
