"""Proactive work: post and update cards in linked channels, reach people in their 1:1 chat.

All sends go through one `Deliverer` (pacing, retries, service-URL allow-list); permanent
failures are recorded on the conversation so admins can see them.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.teams.delivery import DeliveryResult, Outcome, Target, TransportError
from cards.common import attachment
from storage import org
from storage.models import ChannelPurpose, ConversationRef, SentCard

log = logging.getLogger("styra.outbound")


def card_activity(card: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    activity: dict[str, Any] = {"type": "message", "attachments": [attachment(card)]}
    if text:
        activity["text"] = text
    return activity


def target_of(ref: ConversationRef, activity_id: str | None = None) -> Target:
    return Target(ref.service_url, ref.conversation_id, ref.tenant_id, activity_id)


class Outbound:
    def __init__(self, services, deliverer, create_conversation, bot=None, transport=None) -> None:
        self.services = services
        self.deliverer = deliverer
        self.transport = transport  # the raw transport, for replies within a turn
        self.create_conversation = create_conversation  # (service_url, bot_id, user_id, tenant) -> id
        self.bot = bot  # needed to run a dialog turn in a 1:1 chat

    @property
    def db(self):
        return self.services.db

    async def reply(self, incoming, activity: dict) -> str | None:
        """Answer an inbound activity in its conversation (thread), as the SDK's send would, but
        without msrest and worker threads: this runs on every turn."""
        conversation = incoming.conversation
        body = {
            **activity,
            "channelId": incoming.channel_id,
            "serviceUrl": incoming.service_url,
            "from": {"id": incoming.recipient.id, "name": incoming.recipient.name} if incoming.recipient else None,
            "recipient": ({"id": incoming.from_property.id, "name": incoming.from_property.name,
                           "aadObjectId": incoming.from_property.aad_object_id} if incoming.from_property else None),
            "conversation": {"id": conversation.id, "conversationType": conversation.conversation_type,
                             "tenantId": conversation.tenant_id, "isGroup": conversation.is_group},
            "replyToId": incoming.id,
            "inputHint": "acceptingInput",
        }
        body = _without_nones(body)
        target = Target(incoming.service_url, conversation.id, conversation.tenant_id)
        return await self.transport(target, body)

    # --- sending --------------------------------------------------------------------------

    async def send(self, ref: ConversationRef, activity: dict, *, subject: str | None = None) -> DeliveryResult:
        result = await self.deliverer.deliver(target_of(ref), activity)
        await self._record(ref, result, subject)
        return result

    async def send_card(self, ref: ConversationRef, card: dict, *, subject: str | None = None) -> DeliveryResult:
        return await self.send(ref, card_activity(card), subject=subject)

    async def send_to_linked(self, purpose: ChannelPurpose, scope: str, card: dict, *,
                             subject: str | None = None) -> DeliveryResult | None:
        """Post a card in the channel linked for this e-area (or portfolio); None when none is."""
        ref = await self.db.run(org.linked_channel, purpose, scope)
        if ref is None:
            log.info("no %s channel linked for %s", purpose.value, scope)
            return None
        return await self.send_card(ref, card, subject=subject)

    async def update_card(self, subject: str, card: dict) -> list[DeliveryResult]:
        """Replace every posted copy of this subject's card, in place."""
        rows = await self.db.run(_sent_cards, subject)
        results = []
        for sent, ref in rows:
            if not sent.activity_id:
                continue
            result = await self.deliverer.deliver(target_of(ref, sent.activity_id), card_activity(card))
            await self._record(ref, result, None)
            results.append(result)
        return results

    async def _record(self, ref: ConversationRef, result: DeliveryResult, subject: str | None) -> None:
        if result.outcome is Outcome.SENT:
            if subject and result.activity_id:
                await self.db.run(_remember_sent, subject, ref.conversation_id, result.activity_id)
            return
        log.warning("delivery to %s failed (%s, status %s): %s", ref.conversation_id,
                    result.outcome.value, result.status, result.error)
        if result.outcome is Outcome.PERMANENT_FAILURE:
            reason = f"{result.status or ''} {result.error or ''}".strip()
            await self.db.run(org.mark_conversation_failed, ref.conversation_id, reason)

    # --- 1:1 chats ------------------------------------------------------------------------

    async def personal_conversation(self, aad_id: str, teams_id: str | None, service_url: str,
                                    tenant_id: str | None) -> ConversationRef | None:
        """The user's 1:1 chat with Styra, created when it does not exist yet."""
        found = await self.db.run(_personal_ref, aad_id)
        if found is not None:
            return found
        return await self._open_personal(aad_id, teams_id, service_url, tenant_id)

    async def _open_personal(self, aad_id: str, teams_id: str | None, service_url: str,
                             tenant_id: str | None) -> ConversationRef | None:
        if not teams_id or not self.deliverer.allows(service_url):
            return None
        bot_id = f"28:{self.services.app_id}" if self.services.app_id else "styra"
        try:
            conversation_id = await self.create_conversation(service_url, bot_id, teams_id, tenant_id)
        except TransportError as exc:  # e.g. the app is not installed for that user
            log.warning("could not open a 1:1 chat with %s: %s", aad_id, exc)
            return None
        ref = ConversationRef(conversation_id=conversation_id, kind="personal", service_url=service_url,
                              tenant_id=tenant_id, aad_id=aad_id)
        await self.db.run(org.save_conversation, ref)
        return ref

    async def send_personal(self, aad_id: str, card: dict) -> DeliveryResult | None:
        ref, teams_id, known = await self.db.run(_how_to_reach, aad_id)
        if ref is None and known is not None:
            ref = await self._open_personal(aad_id, teams_id, known.service_url, known.tenant_id)
        if ref is None:
            return None
        return await self.send_card(ref, card)

    async def continue_in_personal(self, turn, work) -> None:
        """A guided flow started in a channel: tell the channel, run `work(turn)` in the 1:1 chat."""
        t = turn.t
        ref = await self.personal_conversation(
            turn.speaker.aad_id, turn.speaker.teams_id, turn.activity.service_url, turn.tenant_id)
        if ref is None:
            await turn.say(t("I could not open a private chat with you. Write to me directly in a 1:1 chat instead."))
            return
        await turn.say(t("I have continued in our private chat, so your answers stay between us."))
        await self.bot.run_in_personal(turn, ref, work)


def _without_nones(value):
    """The Bot Connector refuses explicit nulls the SDK would have left out."""
    if isinstance(value, dict):
        return {k: _without_nones(v) for k, v in value.items() if v is not None}
    return value


def _sent_cards(session, subject: str):
    from sqlmodel import select

    stmt = (
        select(SentCard, ConversationRef)
        .join(ConversationRef, ConversationRef.conversation_id == SentCard.conversation_id)
        .where(SentCard.subject == subject)
    )
    return list(session.exec(stmt))


def _remember_sent(session, subject: str, conversation_id: str, activity_id: str) -> None:
    from sqlmodel import select

    row = session.exec(
        select(SentCard).where(SentCard.subject == subject, SentCard.conversation_id == conversation_id)
    ).first()
    if row is None:
        session.add(SentCard(subject=subject, conversation_id=conversation_id, activity_id=activity_id))
    else:
        row.activity_id = activity_id


def _personal_ref(session, aad_id: str) -> ConversationRef | None:
    from sqlmodel import select

    stmt = select(ConversationRef).where(ConversationRef.aad_id == aad_id, ConversationRef.kind == "personal")
    return session.exec(stmt).first()


def _how_to_reach(session, aad_id: str):
    """One trip: the person's 1:1 chat, else their Teams id and a known service URL to open one."""
    ref = _personal_ref(session, aad_id)
    if ref is not None:
        return ref, None, None
    person = org.person(session, aad_id)
    if person is None or not person.teams_id:
        return None, None, None
    return None, person.teams_id, _any_service_url(session)


def _any_service_url(session) -> ConversationRef | None:
    from sqlmodel import select

    return session.exec(select(ConversationRef).order_by(ConversationRef.updated_at.desc())).first()


