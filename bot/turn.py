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


def tenant_of(activity: Activity) -> str | None:
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
    def tenant_id(self) -> str | None:
        return tenant_of(self.activity)

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
        if self._direct():
            await self.services.outbound.reply(self.activity, {"type": "message", "text": text})
            return
        await self.ctx.send_activity(MessageFactory.text(text))

    async def send_card(self, content: dict[str, Any], text: str | None = None) -> str | None:
        if self._direct():
            activity = {"type": "message", "attachments": [{"contentType": CONTENT_TYPE, "content": content}]}
            if text:
                activity["text"] = text
            return await self.services.outbound.reply(self.activity, activity)
        response = await self.ctx.send_activity(card_message(content, text))
        return response.id if response else None

    def _direct(self) -> bool:
        """Replies of an ordinary inbound turn go straight over HTTP (bot.teams.http); turns the
        adapter made up itself (proactive continuations) keep the SDK's path."""
        outbound = self.services.outbound
        return (outbound is not None and outbound.transport is not None
                and self.activity.type in ("message", "conversationUpdate", "installationUpdate")
                and bool(self.activity.service_url) and bool(self.activity.id))
