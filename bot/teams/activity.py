"""The inbound activity as the dispatcher reads it, straight from the door's checked JSON.

botbuilder's `Activity().deserialize` walks every field through msrest (about a tenth of a
`hjälp` turn's CPU) and its CloudAdapter wraps the turn in a TurnContext Styra never uses. The
door has already checked the shapes (bot/teams/door.py), so this only names the fields by the
SDK's attribute names (`from_property`, `conversation.conversation_type` …), which keeps the
dispatcher and the capabilities unaware of where the activity came from.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


class Account:
    __slots__ = ("id", "name", "aad_object_id", "role")

    def __init__(self, raw: dict) -> None:
        self.id = raw.get("id")
        self.name = raw.get("name")
        self.aad_object_id = raw.get("aadObjectId")
        self.role = raw.get("role")


class Conversation:
    __slots__ = ("id", "name", "conversation_type", "tenant_id", "is_group")

    def __init__(self, raw: dict) -> None:
        self.id = raw.get("id")
        self.name = raw.get("name")
        self.conversation_type = raw.get("conversationType")
        self.tenant_id = raw.get("tenantId")
        self.is_group = raw.get("isGroup")


# JSON name -> attribute name, for the plain fields (strings, or JSON kept as it came).
_PLAIN = (("type", "type"), ("id", "id"), ("name", "name"), ("text", "text"), ("value", "value"),
          ("locale", "locale"), ("channelId", "channel_id"), ("serviceUrl", "service_url"),
          ("channelData", "channel_data"), ("entities", "entities"), ("attachments", "attachments"),
          ("action", "action"), ("replyToId", "reply_to_id"), ("textFormat", "text_format"),
          ("timestamp", "timestamp"), ("localTimestamp", "local_timestamp"), ("valueType", "value_type"))


class InboundActivity:
    __slots__ = (*(attr for _, attr in _PLAIN), "from_property", "recipient", "conversation", "members_added",
                 "members_removed")

    def __init__(self, body: dict[str, Any]) -> None:
        for key, attr in _PLAIN:
            setattr(self, attr, body.get(key))
        self.from_property = Account(body["from"]) if isinstance(body.get("from"), dict) else None
        self.recipient = Account(body["recipient"]) if isinstance(body.get("recipient"), dict) else None
        self.conversation = Conversation(body["conversation"]) if isinstance(body.get("conversation"), dict) else None
        self.members_added = [Account(m) for m in body["membersAdded"]] if body.get("membersAdded") else None
        self.members_removed = [Account(m) for m in body["membersRemoved"]] if body.get("membersRemoved") else None


def inbound_activity(body: dict[str, Any]) -> InboundActivity:
    """The activity, or ValueError for what the SDK's schema would not read either (a timestamp
    that is no date)."""
    for key in ("timestamp", "localTimestamp"):
        value = body.get(key)
        if value is not None:
            try:
                datetime.fromisoformat(value)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{key} is not an ISO 8601 time") from exc
    return InboundActivity(body)
