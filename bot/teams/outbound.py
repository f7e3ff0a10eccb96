"""Proactive work: post and update cards in linked channels, reach people in their 1:1 chat.

All sends go through one `Deliverer` (pacing, retries, service-URL allow-list); permanent
failures are recorded on the conversation so admins can see them.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from bot.cardsize import fitted
from bot.teams.delivery import DeliveryResult, Outcome, Target, TransportError
from cards.common import attachment
from storage import org, outbox
from storage.models import ChannelPurpose, ConversationRef

log = logging.getLogger("styra.outbound")

# A turn's answers are sent within this many seconds, so the turn ends well before Teams gives up
# on it (15 s) and resends the activity.
REPLY_BUDGET_S = 8.0


def card_activity(card: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    activity: dict[str, Any] = {"type": "message", "attachments": [attachment(fitted(card))]}
    if text:
        activity["text"] = text
    return activity


def target_of(ref: ConversationRef, activity_id: str | None = None) -> Target:
    return Target(ref.service_url, ref.conversation_id, ref.tenant_id, activity_id)


class Outbound:
    def __init__(self, db, app_id: str, deliverer, create_conversation, team_channels=None) -> None:
        self.db = db
        self.team_channels = team_channels  # (service_url, team_id) -> [(channel id, name)]
        self.app_id = app_id
        self.deliverer = deliverer
        self.create_conversation = create_conversation  # (service_url, bot_id, user_id, tenant) -> id

    async def post(self, ref: ConversationRef, activity: dict, replace_id: str | None = None) -> str | None:
        """A message in a known conversation, or an edit of one of its messages (paced)."""
        result = await self.deliverer.deliver(target_of(ref, replace_id), activity)
        if result.outcome is not Outcome.SENT:
            raise TransportError(result.status, result.retry_after, result.error or "not sent")
        return result.activity_id

    def replier(self, incoming, budget_s: float = REPLY_BUDGET_S) -> TurnReplies:
        """The answers of one turn: paced and retried like every send, within `budget_s` for the
        whole turn; what cannot be sent in time waits in the outbox."""
        return TurnReplies(self, incoming, self.deliverer.now() + budget_s)

    async def reply(self, incoming, activity: dict, replace_id: str | None = None) -> str | None:
        """Answer an inbound activity in its conversation (thread), within a fresh budget."""
        return await self.replier(incoming)(activity, replace_id)

    def reply_body(self, incoming, activity: dict, replace_id: str | None = None) -> dict:
        """The activity as the SDK's send would complete it, without msrest and worker threads:
        this runs on every turn."""
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
            "replyToId": None if replace_id else incoming.id,
            "inputHint": "acceptingInput",
        }
        return _without_nones(body)

    # --- sending --------------------------------------------------------------------------

    async def copies(self, subject: str) -> list[tuple[ConversationRef, str]]:
        """Every posted copy of a subject's card: (conversation, message id)."""
        rows = await self.db.read(org.sent_cards, subject)  # a read: no write lock, no commit
        return [(ref, sent.activity_id) for sent, ref in rows if sent.activity_id]

    async def ready(self, conversation_id: str) -> None:
        await self.deliverer.ready(conversation_id)

    def share(self, senders: int, grace: float = 0.0) -> None:
        self.deliverer.share(senders, grace)

    def app_share(self) -> int | None:
        return self.deliverer.app_share()

    def pace_now(self) -> float:
        """The pacing clock (virtual in benchmarks and tests)."""
        return self.deliverer.now()

    async def pause(self, seconds: float) -> None:
        await self.deliverer.pause(seconds)

    async def send(self, ref: ConversationRef, activity: dict, *, subject: str | None = None,
                   replace_id: str | None = None, timeout: float | None = None) -> DeliveryResult:
        """Post (or, with `replace_id`, update) in a known conversation: paced and retried; a
        permanent failure is marked on the conversation. The outbox records the posted id in
        its own fenced transaction (no `subject` here)."""
        result = await self.deliverer.deliver(target_of(ref, replace_id), activity, timeout=timeout)
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
        return await self.update_activity(subject, card_activity(card))

    async def update_activity(self, subject: str, activity: dict) -> list[DeliveryResult]:
        rows = await self.db.run(org.sent_cards, subject)
        results = []
        for sent, ref in rows:
            if not sent.activity_id:
                continue
            result = await self.deliverer.deliver(target_of(ref, sent.activity_id), activity)
            await self._record(ref, result, None)
            results.append(result)
        return results

    async def _record(self, ref: ConversationRef, result: DeliveryResult, subject: str | None) -> None:
        if result.outcome is Outcome.SENT:
            if subject and result.activity_id:
                await self.db.run(org.remember_sent, subject, ref.conversation_id, result.activity_id)
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
        found = await self.db.run(org.personal_ref, aad_id)
        if found is not None:
            return found
        return await self._open_personal(aad_id, teams_id, service_url, tenant_id)

    async def _open_personal(self, aad_id: str, teams_id: str | None, service_url: str,
                             tenant_id: str | None) -> ConversationRef | None:
        if not teams_id or not self.deliverer.allows(service_url):
            return None
        bot_id = f"28:{self.app_id}" if self.app_id else "styra"
        try:
            conversation_id = await self.create_conversation(service_url, bot_id, teams_id, tenant_id)
        except TransportError as exc:  # e.g. the app is not installed for that user
            log.warning("could not open a 1:1 chat with %s: %s", aad_id, exc)
            return None
        ref = ConversationRef(conversation_id=conversation_id, kind="personal", service_url=service_url,
                              tenant_id=tenant_id, aad_id=aad_id)
        await self.db.run(org.save_conversation, ref)
        return ref

    async def reach_person(self, aad_id: str) -> ConversationRef | None:
        """The person's 1:1 chat, opened now if Styra knows how to reach them."""
        ref, teams_id, known = await self.db.read(org.how_to_reach, aad_id)
        if ref is None and known is not None:
            ref = await self._open_personal(aad_id, teams_id, known.service_url, known.tenant_id)
        return ref

    async def send_personal(self, aad_id: str, card: dict) -> DeliveryResult | None:
        ref = await self.reach_person(aad_id)
        if ref is None:
            return None
        return await self.send_card(ref, card)


class TurnReplies:
    """Sends a turn's replies through the Deliverer until the turn's deadline. A reply that
    cannot go in time (Teams throttles or is away) becomes an outbox row, and so does every
    later reply of the turn, so they still arrive in order."""

    def __init__(self, outbound: Outbound, incoming, deadline: float) -> None:
        self.outbound = outbound
        self.incoming = incoming
        self.deadline = deadline
        self.deferred = False
        self.count = 0

    async def __call__(self, activity: dict, replace_id: str | None) -> str | None:
        incoming = self.incoming
        body = self.outbound.reply_body(incoming, activity, replace_id)
        self.count += 1
        conversation = incoming.conversation
        if not self.deferred:
            target = Target(incoming.service_url, conversation.id, conversation.tenant_id, replace_id)
            result = await self.outbound.deliverer.deliver(target, body, deadline=self.deadline)
            if result.outcome is Outcome.SENT:
                return result.activity_id
            if result.outcome is Outcome.PERMANENT_FAILURE:
                log.warning("reply to %s refused (%s): %s", conversation.id[:80], result.status, result.error)
                return None
            self.deferred = True
            wait = result.retry_after or 2.0
        else:
            wait = 2.0
        key = f"reply:{incoming.channel_id}|{conversation.id}|{incoming.id}:{self.count}"
        try:
            await self.outbound.db.run(outbox.enqueue_later, key=key, to=outbox.Recipient.conversation(conversation.id),
                                       activity=body, kind="reply", delay=timedelta(seconds=wait))
        except Exception:  # the database is away too: this answer is lost, the turn goes on
            log.exception("could not keep the reply to %s for later", conversation.id[:80])
        else:
            log.info("reply to %s kept in the outbox: not sent within the turn", conversation.id[:80])
        return None


def _without_nones(value):
    """The Bot Connector refuses explicit nulls the SDK would have left out."""
    if isinstance(value, dict):
        return {k: _without_nones(v) for k, v in value.items() if v is not None}
    return value
