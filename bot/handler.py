"""The activity handler: routes Teams activities, text commands and card verbs.

Order of a turn: claim the activity id (a redelivery is dropped), remember who and where,
pick the language, then dispatch. Any exception becomes a short localised apology with an
incident id; the state of the failed turn is not saved, so the conversation stays consistent.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from botbuilder.core import ActivityHandler, ConversationState, TurnContext, UserState
from botbuilder.core.teams import TeamsInfo
from botbuilder.dialogs import DialogSet, DialogTurnStatus
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
    InvokeResponse,
)

from bot import actions, commands
from bot.commands import Where
from bot.i18n import choose_language, language_of, translator
from bot.services import Services
from bot.text import MAX_MESSAGE_CHARS, clean
from bot.turn import Speaker, Turn, tenant_of
from cards import common as cardkit
from cards.system import error_card, welcome_card
from dialogs import help as core_commands  # noqa: F401  (registers handlers)
from dialogs import registry as dialog_registry
from storage import activities, org, state_store
from storage.models import ConversationRef

log = logging.getLogger("styra.handler")

CARD_ACTION_INVOKE = "adaptiveCard/action"


def _channel_conversation_id(conversation_id: str) -> str:
    """A channel thread's id without ';messageid=…' is the channel's own conversation id."""
    return conversation_id.split(";messageid=")[0]


def conversation_ref_of(activity: Activity, bot_id: str | None = None) -> ConversationRef:
    data = activity.channel_data or {}
    team = (data.get("team") or {}) if isinstance(data, dict) else {}
    channel = (data.get("channel") or {}) if isinstance(data, dict) else {}
    conv = activity.conversation
    kind = conv.conversation_type or "personal"
    conversation_id = _channel_conversation_id(conv.id) if kind == "channel" else conv.id
    return ConversationRef(
        conversation_id=conversation_id,
        kind=kind,
        service_url=activity.service_url,
        tenant_id=tenant_of(activity),
        team_id=team.get("id"),
        channel_id=channel.get("id"),
        name=channel.get("name") or conv.name,
        bot_id=bot_id or (activity.recipient.id if activity.recipient else None),
        aad_id=activity.from_property.aad_object_id if kind == "personal" and activity.from_property else None,
    )


def _prepare(session, key: str | None, speaker: Speaker, ref: ConversationRef | None,
             client_lang: str | None = None, state_key: str | None = None):
    """One transaction per turn start: claim, person, conversation, and the dialog state."""
    if key is not None and not activities.claim(session, key):
        return None
    person = (org.upsert_person(session, speaker.aad_id, speaker.name, speaker.teams_id, client_lang)
              if speaker.aad_id else None)
    if ref is not None:
        org.save_conversation(session, ref)
    state = state_store.read_rows(session, [state_key]) if state_key else {}
    return (person.locale if person else None, person.welcomed_at if person else None, state)


class StyraBot(ActivityHandler):
    def __init__(self, services: Services, conversation_state: ConversationState, user_state: UserState):
        self.services = services
        self.conversation_state = conversation_state
        self.user_state = user_state
        self.dialog_state = conversation_state.create_property("DialogState")
        self.dialogs = DialogSet(self.dialog_state)
        for dialog in dialog_registry.build(services):
            self.dialogs.add(dialog)

    # --- turn envelope --------------------------------------------------------------------

    async def on_turn(self, turn_context: TurnContext):
        activity = turn_context.activity
        speaker = _speaker(activity.from_property)
        key = None
        if activity.id and activity.type in (ActivityTypes.message, ActivityTypes.conversation_update):
            key = f"{activity.channel_id}|{activity.conversation.id}|{activity.id}"
        ref = conversation_ref_of(activity) if activity.service_url else None
        default = self.services.settings.default_locale
        turn = Turn(ctx=turn_context, services=self.services,
                    t=translator(choose_language(None, activity.locale, default)), speaker=speaker)
        try:
            state_key = (self.conversation_state.get_storage_key(turn_context)
                         if activity.conversation and activity.channel_id else None)
            prepared = await self.services.db.run(_prepare, key, speaker, ref, language_of(activity.locale), state_key)
        except Exception:  # e.g. the database is unreachable: apologise, let Teams' retry come
            await self._incident(turn, None)
            return
        if prepared is None:
            log.info("dropped redelivered activity %s", key)
            return
        chosen, welcomed_at, state = prepared
        state_store.prefetch(state_key, state)  # the dialog state load below needs no second trip
        turn.t = translator(choose_language(chosen, activity.locale, default))
        turn.state["welcomed_at"] = welcomed_at
        turn_context.turn_state["styra.turn"] = turn
        try:
            await super().on_turn(turn_context)
            await self.conversation_state.save_changes(turn_context)
            await self.user_state.save_changes(turn_context)
        except Exception:
            await self._incident(turn, key)

    async def _incident(self, turn: Turn, claimed_key: str | None) -> None:
        """Log the traceback under an incident id and tell the user that id, never the trace."""
        incident = uuid.uuid4().hex[:8].upper()
        log.exception("incident %s in %s activity %s", incident, turn.activity.type, turn.activity.id)
        if claimed_key is not None:
            try:
                await self.services.db.run(activities.release, claimed_key)
            except Exception:
                log.exception("incident %s: could not release the claim on %s", incident, claimed_key)
        await self._apologise(turn, incident)

    async def _apologise(self, turn: Turn, incident: str) -> None:
        text = turn.t("Sorry, something went wrong on my side. Please try again. Incident id: {incident}.",
                      incident=incident)
        if turn.is_invoke:
            turn.ctx.turn_state[TurnContext._INVOKE_RESPONSE_KEY] = Activity(
                type=ActivityTypes.invoke_response,
                value=InvokeResponse(status=200, body=card_response(error_card(turn.t, text))),
            )
            return
        try:
            await turn.say(text)
        except Exception:  # the apology itself must never raise
            log.exception("could not deliver apology for incident %s", incident)

    # --- messages -------------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext):
        turn: Turn = turn_context.turn_state["styra.turn"]
        turn.text = clean(TurnContext.remove_recipient_mention(turn.activity) or "")
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
        dc = await self.dialogs.create_context(turn_context)
        turn.dialogs = dc
        if isinstance(value, dict) and value.get("verb"):
            await self._on_card_submit(turn, value)
            return
        if turn.text:
            if await core_commands.interrupt(turn):
                return
        if dc.active_dialog is not None and await self.dialogs.find(dc.active_dialog.id) is None:
            # State saved by an earlier release names a dialog that no longer exists: start afresh
            # rather than failing on every message.
            log.warning("dropping in-flight dialog %r unknown to this release", dc.active_dialog.id)
            await dc.cancel_all_dialogs()
        if dc.active_dialog is not None:
            result = await dc.continue_dialog()
            if result.status != DialogTurnStatus.Empty:
                return
        if not turn.text:
            if value is not None:
                await turn.say(turn.t("That form is no longer active. Type **help** to see what I can do."))
            return
        await self._on_command(turn)

    async def _on_command(self, turn: Turn) -> None:
        found = commands.match(turn.text)
        if found is None:
            await core_commands.unknown(turn)
            return
        cmd, match = found
        if cmd.where is Where.personal and turn.in_channel:
            await turn.services.outbound.continue_in_personal(turn, lambda personal: cmd.run(personal, match))
            return
        await cmd.run(turn, match)

    async def _on_card_submit(self, turn: Turn, value: dict) -> None:
        try:
            act = actions.parse(value)
        except actions.InvalidAction as exc:
            log.info("refused card data: %s", exc)
            await turn.say(turn.t("I could not read that button. The card may be out of date; type **help** to start again."))
            return
        handler = actions.handler_for(act)
        if handler is None:
            await turn.say(turn.t("I could not read that button. The card may be out of date; type **help** to start again."))
            return
        if act.personal and turn.in_channel:
            await turn.services.outbound.continue_in_personal(turn, lambda personal: handler(personal, act))
            return
        await handler(turn, act)

    async def _welcome_person(self, turn: Turn) -> None:
        await turn.send_card(welcome_card(turn.t, turn.speaker.name))
        await turn.db.run(_mark_welcomed, turn.speaker.aad_id, turn.now())
        turn.state["welcomed_at"] = turn.now()

    async def run_in_personal(self, turn: Turn, ref: ConversationRef, work) -> None:
        """Run `work(turn)` as a turn in the user's 1:1 chat (dialog state is kept per user there)."""
        reference = ConversationReference(
            channel_id=turn.activity.channel_id,
            service_url=ref.service_url,
            conversation=ConversationAccount(id=ref.conversation_id, conversation_type="personal",
                                             tenant_id=ref.tenant_id),
            bot=turn.activity.recipient,
            user=turn.activity.from_property,
        )

        async def logic(ctx: TurnContext):
            personal = Turn(ctx=ctx, services=self.services, t=turn.t, speaker=turn.speaker, text=turn.text)
            ctx.turn_state["styra.turn"] = personal
            personal.dialogs = await self.dialogs.create_context(ctx)
            await work(personal)
            await self.conversation_state.save_changes(ctx)
            await self.user_state.save_changes(ctx)

        await turn.ctx.adapter.continue_conversation(reference, logic, self.services.app_id or None)

    # --- installs ---------------------------------------------------------------------------

    async def on_conversation_update_activity(self, turn_context: TurnContext):
        activity = turn_context.activity
        turn: Turn = turn_context.turn_state["styra.turn"]
        bot_id = activity.recipient.id if activity.recipient else None
        added = [m for m in (activity.members_added or []) if m.id == bot_id]
        removed = [m for m in (activity.members_removed or []) if m.id == bot_id]
        if removed:
            await turn.db.run(_mark_uninstalled, conversation_ref_of(activity).conversation_id)
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

    async def on_installation_update_add(self, turn_context: TurnContext):
        turn: Turn = turn_context.turn_state["styra.turn"]
        if turn.in_channel:
            await self._remember_team_channels(turn)

    async def _remember_team_channels(self, turn: Turn) -> None:
        """Store every channel of the team, so any of them can be linked and reached later."""
        base = conversation_ref_of(turn.activity)
        if not base.team_id:
            return
        try:
            # TeamsInfo's client does blocking I/O: run it on its own loop in a worker thread.
            channels = await asyncio.wait_for(asyncio.to_thread(
                lambda: asyncio.run(TeamsInfo.get_team_channels(turn.ctx, base.team_id))), timeout=10)
        except Exception as exc:  # the roster is a convenience; linking works without it
            log.warning("could not list channels of team %s: %s", base.team_id, exc)
            return
        refs = []
        for channel in channels or []:
            refs.append(ConversationRef(
                conversation_id=channel.id, kind="channel", service_url=base.service_url,
                tenant_id=base.tenant_id, team_id=base.team_id, channel_id=channel.id,
                name=channel.name or turn.t("General"), bot_id=base.bot_id,
            ))
        await turn.db.run(lambda s: [org.save_conversation(s, r) for r in refs])

    # --- invokes (Action.Execute) -----------------------------------------------------------

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        turn: Turn = turn_context.turn_state["styra.turn"]
        if turn_context.activity.name != CARD_ACTION_INVOKE:
            return InvokeResponse(status=200, body={})
        value = turn_context.activity.value or {}
        action_data = (value.get("action") or {}) if isinstance(value, dict) else {}
        data = dict(action_data.get("data") or {})
        data.setdefault("verb", action_data.get("verb"))
        try:
            act = actions.parse(data)
        except actions.InvalidAction as exc:
            log.info("refused invoke data: %s", exc)
            body = error_card(turn.t, turn.t("This card is out of date or damaged. Type **help** in a chat with me to start again."))
            return InvokeResponse(status=200, body=card_response(body))
        handler = actions.handler_for(act)
        card = await handler(turn, act) if handler else None
        if card is None:
            card = error_card(turn.t, turn.t("This card is out of date or damaged. Type **help** in a chat with me to start again."))
        return InvokeResponse(status=200, body=card_response(card))


def card_response(card: dict) -> dict:
    """The Universal Actions answer: show this card in place of the one clicked."""
    return {"statusCode": 200, "type": cardkit.CONTENT_TYPE, "value": card}


def _speaker(account: ChannelAccount | None) -> Speaker:
    if account is None:
        return Speaker("", "", "")
    return Speaker(account.aad_object_id or "", clean(account.name or ""), account.id or "")


def _mark_welcomed(session, aad_id: str, when) -> None:
    person = org.person(session, aad_id)
    if person is not None and person.welcomed_at is None:
        person.welcomed_at = when


def _mark_uninstalled(session, conversation_id: str) -> None:
    ref = org.conversation(session, conversation_id)
    if ref is not None:
        ref.installed = False
