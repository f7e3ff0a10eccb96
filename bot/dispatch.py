"""The turn envelope: what happens to every activity once the door has let it in.

Order of a turn: claim the activity id (a redelivery is dropped), remember who and where, pick
the language, then dispatch to a capability: a card verb, an interrupt (help, cancel), the
answer to a pending question, a text command, or the fallback. Any exception becomes a short
localised apology with an incident id; the failed turn's claim is released so Teams' retry
runs again, and its pending question is not saved. A turn that ends marks its claim completed
(with the pending question, one trip); a claim never completed (the process died) expires after
STYRA_TURN_CLAIM_SECONDS, so Teams' resend is processed.
Nothing here knows the Bot Framework SDK (bot/teams/ translates).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from bot import envelope, guard
from bot.cardsize import fitted
from bot.claims import Completions, Starts
from bot.envelope import Click, Malformed, TooLong
from bot.i18n import choose_language, language_of, translator
from bot.registry import Where
from bot.services import Services
from bot.text import MAX_MESSAGE_CHARS, clean
from bot.turn import Speaker, Turn, tenant_of
from cards.system import error_card, welcome_card
from storage import activities, org, state_store, turn_start
from storage.models import ConversationRef
from storage.types import utcnow

log = logging.getLogger("styra.dispatch")

CARD_ACTION_INVOKE = envelope.CARD_ACTION_INVOKE
DAMAGED = "This card is out of date or damaged. Type **help** in a chat with me to start again."
UNREADABLE = "I could not read that button. The card may be out of date; type **help** to start again."


@dataclass
class InvokeAnswer:
    status: int
    body: dict


def card_response(card: dict) -> dict:
    """The Universal Actions answer: show this card in place of the one clicked."""
    from cards.common import CONTENT_TYPE

    return {"statusCode": 200, "type": CONTENT_TYPE, "value": card}


def channel_conversation_id(conversation_id: str) -> str:
    """A channel thread's id without ';messageid=…' is the channel's own conversation id."""
    return conversation_id.split(";messageid=")[0]


def conversation_facts(activity, bot_id: str | None = None) -> dict:
    """The conversation's columns as the activity tells them (a plain dict: the turn's start
    runs on every activity, and a model instance cost more than its statements)."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    team = data.get("team") or {}
    channel = data.get("channel") or {}
    conv = activity.conversation
    kind = conv.conversation_type or "personal"
    return {
        "conversation_id": channel_conversation_id(conv.id) if kind == "channel" else conv.id,
        "kind": kind, "service_url": activity.service_url, "tenant_id": tenant_of(activity),
        "team_id": team.get("id"), "channel_id": channel.get("id"), "name": channel.get("name") or conv.name,
        "bot_id": bot_id or (activity.recipient.id if activity.recipient else None),
        "aad_id": activity.from_property.aad_object_id if kind == "personal" and activity.from_property else None,
    }


def conversation_ref_of(activity, bot_id: str | None = None) -> ConversationRef:
    return ConversationRef(**conversation_facts(activity, bot_id))


def pending_key(conversation_id: str, aad_id: str) -> str:
    return f"pending/{conversation_id[:200]}/{aad_id}"


def _prepare(session, key: str | None, speaker: Speaker, ref: dict | None,
             client_lang: str | None, state_key: str | None, now=None, expiry=None, check=None):
    """One transaction per turn start, a few statements (storage/turn_start.py): claim, person,
    conversation, the pending question, and the access policy's verdict on a card click
    (bot/guard.py)."""
    person = {"name": speaker.name, "teams_id": speaker.teams_id, "client_locale": client_lang}
    started = turn_start.start(session, key, now or utcnow(), expiry or timedelta(seconds=30),
                               speaker.aad_id or None, person, ref, state_key)
    if started is None:
        return None
    verdict = check(session) if check is not None else None
    return (started.locale, started.welcomed_at, started.pending, verdict)


def _finish(session, key: str | None, state_key: str, pending, now) -> None:
    """One trip at the end of a turn that changed its pending question: the question, and the
    claim marked completed (other turns' claims are completed in batches, bot/claims.py)."""
    state_store.write_json(session, state_key, pending)
    if key is not None:
        turn_start.complete(session, key, now)


def _speaker(account) -> Speaker:
    if account is None:
        return Speaker("", "", "")
    return Speaker(account.aad_object_id or "", clean(account.name or ""), account.id or "")


class Dispatcher:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.registry = services.registry
        if services.completions is None:
            services.starts, services.completions = Starts(services.db), Completions(services.db)
        self.starts, self.completions = services.starts, services.completions

    # --- the envelope ---------------------------------------------------------------------

    async def handle(self, activity) -> InvokeAnswer | None:
        services = self.services
        speaker = _speaker(activity.from_property)
        key = None
        if activity.id and activity.type in ("message", "conversationUpdate"):
            key = f"{activity.channel_id}|{activity.conversation.id}|{activity.id}"
        ref = conversation_facts(activity) if activity.service_url else None
        default = services.settings.default_locale
        turn = Turn(activity=activity, services=services, speaker=speaker, reply=self._replier(activity),
                    t=translator(choose_language(None, activity.locale, default)))
        state_key = (pending_key(activity.conversation.id, speaker.aad_id)
                     if activity.conversation and speaker.aad_id and activity.type == "message" else None)
        if key is not None and self.completions.finished(key):
            log.info("dropped redelivered activity %s", key)
            return None
        click = self._read_click(activity)
        check = (guard.checker(click, services.settings, speaker.aad_id, ref["conversation_id"] if ref else None)
                 if isinstance(click, Click) else None)
        try:
            prepared = await self.starts.run(_prepare, key, speaker, ref, language_of(activity.locale), state_key,
                                             services.clock(), timedelta(seconds=services.settings.turn_claim_seconds),
                                             check)
        except Exception:  # e.g. the database is unreachable: apologise, let Teams' retry come
            return await self._incident(turn, None)
        if prepared is None:
            log.info("dropped redelivered activity %s", key)
            return None
        chosen, welcomed_at, pending, verdict = prepared
        turn.t = translator(choose_language(chosen, activity.locale, default))
        turn.state["welcomed_at"] = welcomed_at
        turn.state["click"], turn.state["verdict"] = click, verdict
        turn.pending = pending
        try:
            answer = await self._route(turn)
            if turn.pending_changed and state_key:
                await services.db.run(_finish, key, state_key, turn.pending, services.clock())
            elif key is not None:
                self.completions.add(key, services.clock())
            return answer
        except Exception:
            return await self._incident(turn, key)

    async def _route(self, turn: Turn) -> InvokeAnswer | None:
        kind = turn.activity.type
        if kind == "message":
            await self.on_message(turn)
        elif kind == "invoke":
            return await self.on_invoke(turn)
        elif kind == "conversationUpdate":
            await self.on_conversation_update(turn)
        elif kind == "installationUpdate" and (turn.activity.action or "").startswith("add"):
            if turn.in_channel:
                await self._remember_team_channels(turn)
        return None

    def _read_click(self, activity) -> Click | Malformed | TooLong | None:
        """A card click's envelope, checked before anything else (None: not a click)."""
        if activity.type == "invoke":
            if activity.name != CARD_ACTION_INVOKE:
                return None
            data = envelope.invoke_data(activity)
            return data if isinstance(data, Malformed) else envelope.check(data, self.registry)
        value = activity.value
        if activity.type == "message" and isinstance(value, dict) and value.get("verb") is not None:
            return envelope.check(value, self.registry)
        return None

    def _replier(self, activity):
        """The turn's answers: paced, retried within the turn's budget, else kept in the outbox."""
        return self.services.outbound.replier(activity)

    async def _incident(self, turn: Turn, claimed_key: str | None) -> InvokeAnswer | None:
        """Log the traceback under an incident id and tell the user that id, never the trace."""
        incident = uuid.uuid4().hex[:8].upper()
        log.exception("incident %s in %s activity %s", incident, turn.activity.type, str(turn.activity.id)[:80])
        if claimed_key is not None:
            try:
                await self.services.db.run(activities.release, claimed_key)
            except Exception:
                log.exception("incident %s: could not release the claim on %s", incident, claimed_key)
        text = turn.t("Sorry, something went wrong on my side. Please try again. Incident id: {incident}.",
                      incident=incident)
        if turn.is_invoke:
            return InvokeAnswer(200, card_response(error_card(turn.t, text)))
        try:
            await turn.say(text)
        except Exception:  # the apology itself must never raise
            log.exception("could not deliver apology for incident %s", incident)
        return None

    # --- messages -------------------------------------------------------------------------

    async def on_message(self, turn: Turn) -> None:
        turn.text = clean(_without_mention(turn.activity) or "")
        if len(turn.text) > MAX_MESSAGE_CHARS:
            await turn.say(turn.t("That message is too long for me ({length} characters; at most {limit}). "
                                  "Please shorten it and send it again.",
                                  length=len(turn.text), limit=MAX_MESSAGE_CHARS))
            return
        value = turn.activity.value
        if not turn.in_channel and turn.speaker.aad_id and turn.state.get("welcomed_at") is None:
            await self._welcome_person(turn)
            if not turn.text and not value:
                return
        if turn.state.get("click") is not None:
            await self._on_card_submit(turn, turn.state["click"])
            return
        if turn.text:
            for interrupt in self.registry.interrupts:
                if await interrupt(turn):
                    return
        if turn.pending is not None:
            answer = self.registry.answer_for(str(turn.pending.get("question")))
            if answer is None:  # asked by an earlier release: forget it rather than fail
                turn.forget_question()
            elif await answer(turn):
                return
        if not turn.text:
            if value is not None:
                await turn.say(turn.t("That form is no longer active. Type **help** to see what I can do."))
            return
        await self._on_command(turn)

    async def _on_command(self, turn: Turn) -> None:
        found = self.registry.match(turn.text)
        if found is None:
            for fallback in self.registry.fallbacks:
                await fallback(turn)
            return
        cmd, match = found
        if cmd.where is Where.personal and turn.in_channel:
            await self.continue_in_personal(turn, lambda personal: cmd.run(personal, match))
            return
        await cmd.run(turn, match)

    async def _on_card_submit(self, turn: Turn, click: Click | Malformed | TooLong) -> None:
        if isinstance(click, TooLong):
            guard.log_unreadable("card submit", click, turn.speaker.aad_id)
            await turn.say(guard.too_long_text(turn.t, click))
            return
        handler = self.registry.handler_for(click.action) if isinstance(click, Click) else None
        if handler is None:
            guard.log_unreadable("card submit", click if isinstance(click, Malformed) else Malformed("no handler"),
                                 turn.speaker.aad_id)
            await turn.say(turn.t(UNREADABLE))
            return
        act, verdict = click.action, turn.state.get("verdict")
        if verdict is not None and not verdict.allowed:
            guard.log_refusal(click, verdict, turn.speaker.aad_id)
            await turn.say(guard.refusal_text(turn.t, act.verb, verdict))
            return
        if act.personal and turn.in_channel:
            await self.continue_in_personal(turn, lambda personal: handler(personal, act))
            return
        await handler(turn, act)

    async def continue_in_personal(self, turn: Turn, work) -> None:
        """A personal flow started in a channel: say so there, run `work` in the 1:1 chat."""
        outbound = self.services.outbound
        ref = await outbound.personal_conversation(
            turn.speaker.aad_id, turn.speaker.teams_id, turn.activity.service_url, turn.tenant_id)
        if ref is None:
            await turn.say(turn.t("I could not open a private chat with you. Write to me directly in a 1:1 chat instead."))
            return
        await turn.say(turn.t("I have continued in our private chat, so your answers stay between us."))

        async def reply(body: dict, replace_id: str | None) -> str | None:
            return await outbound.post(ref, body, replace_id)

        state_key = pending_key(ref.conversation_id, turn.speaker.aad_id)
        personal = Turn(activity=turn.activity, services=self.services, t=turn.t, speaker=turn.speaker,
                        reply=reply, text=turn.text, personal_conversation=ref.conversation_id,
                        state=turn.state)
        await work(personal)
        if personal.pending_changed:
            await self.services.db.run(state_store.write_json, state_key, personal.pending)

    async def _welcome_person(self, turn: Turn) -> None:
        await turn.send_card(welcome_card(turn.t, turn.speaker.name))
        await turn.db.run(org.mark_welcomed, turn.speaker.aad_id, turn.now())
        turn.state["welcomed_at"] = turn.now()

    # --- installs ---------------------------------------------------------------------------

    async def on_conversation_update(self, turn: Turn) -> None:
        activity = turn.activity
        bot_id = activity.recipient.id if activity.recipient else None
        added = [m for m in (activity.members_added or []) if m.id == bot_id]
        removed = [m for m in (activity.members_removed or []) if m.id == bot_id]
        if removed:
            await turn.db.run(org.mark_uninstalled, conversation_ref_of(activity).conversation_id)
            return
        if not added:
            return
        kind = activity.conversation.conversation_type or "personal"
        if kind == "channel":
            await self._remember_team_channels(turn)
            await turn.send_card(welcome_card(turn.t, None, in_team=True))
        elif kind == "groupChat":
            await turn.send_card(welcome_card(turn.t, None, in_team=True))
        elif turn.speaker.aad_id and turn.state.get("welcomed_at") is None:
            await self._welcome_person(turn)

    async def _remember_team_channels(self, turn: Turn) -> None:
        """Store every channel of the team, so any of them can be linked and reached later."""
        base = conversation_ref_of(turn.activity)
        outbound = self.services.outbound
        if not base.team_id or outbound.team_channels is None:
            return
        try:
            channels = await outbound.team_channels(base.service_url, base.team_id)
        except Exception as exc:  # the roster is a convenience; linking works without it
            log.warning("could not list channels of team %s: %s", base.team_id[:80], exc)
            return
        refs = [ConversationRef(conversation_id=cid, kind="channel", service_url=base.service_url,
                                tenant_id=base.tenant_id, team_id=base.team_id, channel_id=cid,
                                name=name or turn.t("General"), bot_id=base.bot_id)
                for cid, name in channels]
        await turn.db.run(org.save_conversations, refs)

    # --- invokes (Action.Execute) -----------------------------------------------------------

    async def on_invoke(self, turn: Turn) -> InvokeAnswer:
        if turn.activity.name != CARD_ACTION_INVOKE:
            return InvokeAnswer(200, {})
        click = turn.state.get("click")
        if isinstance(click, TooLong):
            guard.log_unreadable("invoke", click, turn.speaker.aad_id)
            return InvokeAnswer(200, guard.message_response(guard.too_long_text(turn.t, click)))
        handler = self.registry.handler_for(click.action) if isinstance(click, Click) else None
        if handler is None:
            guard.log_unreadable("invoke", click if isinstance(click, Malformed) else Malformed("no handler"),
                                 turn.speaker.aad_id)
            return InvokeAnswer(200, card_response(error_card(turn.t, turn.t(DAMAGED))))
        act, verdict = click.action, turn.state.get("verdict")
        if verdict is not None and not verdict.allowed:
            guard.log_refusal(click, verdict, turn.speaker.aad_id)
            return InvokeAnswer(200, card_response(error_card(turn.t, guard.refusal_text(turn.t, act.verb, verdict))))
        card = await handler(turn, act)
        if card is None:
            card = error_card(turn.t, turn.t(DAMAGED))
        return InvokeAnswer(200, card_response(fitted(card, turn.t)))


def _without_mention(activity) -> str:
    """The text without Styra's own @mention (channels send `<at>Styra</at> …`)."""
    text = activity.text or ""
    recipient = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        props = entity if isinstance(entity, dict) else getattr(entity, "additional_properties", None) or {}
        kind = props.get("type") if isinstance(props, dict) else getattr(entity, "type", None)
        if kind is None:
            kind = getattr(entity, "type", None)
        mentioned = props.get("mentioned") if isinstance(props, dict) else None
        if kind == "mention" and isinstance(mentioned, dict) and mentioned.get("id") == recipient:
            text = text.replace(props.get("text") or "", "")
    return text.strip()
