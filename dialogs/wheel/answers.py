"""The reminder card's verbs: done, start, snooze, not applicable and refresh.

The card that was clicked is the invoke's answer; what follows (the other posted copies updated,
what "Start" opens in the 1:1 chat) is left in the outbox in the answer's transaction.
"""

from __future__ import annotations

import datetime as dt

from bot.actions import CardAction
from bot.i18n import area_name as i18n_area_name
from bot.i18n import translator
from bot.outbox import card_activity
from bot.roles import can, who_can
from bot.rules.calendar import to_local
from bot.rules.permissions import Permission
from bot.turn import Turn
from cards import reminder as reminder_cards
from cards.common import escape
from cards.system import error_card
from cards.verbs import Verb
from dialogs.wheel.common import cap, reminder_view, wheel_of
from dialogs.wheel.start import start
from storage import org, outbox
from storage import reminders as repo
from storage.outbox import Recipient
from storage.reminder_tables import Answer

MAX_SNOOZE_DAYS = 120


class _OccurrenceAction(CardAction):
    occurrence_id: int


@cap.action(Verb.REMINDER_DONE)
class ReminderDone(_OccurrenceAction):
    pass


@cap.action(Verb.REMINDER_START)
class ReminderStart(_OccurrenceAction):
    pass


@cap.action(Verb.REMINDER_SNOOZE)
class ReminderSnooze(_OccurrenceAction):
    pass


@cap.action(Verb.REMINDER_NA)
class ReminderNotApplicable(_OccurrenceAction):
    pass


@cap.action(Verb.REMINDER_REFRESH)
class ReminderRefresh(_OccurrenceAction):
    pass


def _load(session, occurrence_id: int):
    row = repo.get(session, occurrence_id)
    if row is None:
        return None
    channel = repo.steering_channels(session, row.scope).get(row.scope)
    area = org.e_area_by_slug(session, row.scope)
    return row, channel, area


def _raw_inputs(turn: Turn) -> dict:
    value = turn.activity.value or {}
    if turn.is_invoke and isinstance(value, dict):
        return dict((value.get("action") or {}).get("data") or {})
    return dict(value) if isinstance(value, dict) else {}


async def _reply(turn: Turn, card: dict):
    """Action.Execute shows the card in place; an Action.Submit gets it as a reply."""
    if turn.is_invoke:
        return card
    await turn.send_card(card)
    return None


async def _context(turn: Turn, occurrence_id: int):
    loaded = await turn.db.run(_load, occurrence_id)
    if loaded is None:
        return None
    row, channel, area = loaded
    wheel = wheel_of(turn.services)
    area_name = i18n_area_name(area, turn.t) if area else row.scope
    return row, channel, wheel, area_name


def _allowed(turn: Turn, scope: str):
    def check(session):
        if can(session, turn.settings, turn.speaker.aad_id, Permission.answer_reminder, scope):
            return True, []
        return False, who_can(session, Permission.answer_reminder, scope)

    return turn.db.run(check)


async def _answer(turn: Turn, act: _OccurrenceAction, kind: Answer | None):
    t = turn.t
    ctx = await _context(turn, act.occurrence_id)
    if ctx is None:
        return await _reply(turn, error_card(t, t("This reminder no longer exists.")))
    row, channel, wheel, area_name = ctx
    ok, names = await _allowed(turn, row.scope)
    if not ok:
        if kind is None:  # a refresh: the read-only view, no complaint
            return await _reply(turn, reminder_cards.reminder_card(t, reminder_view(t, wheel, row, channel, area_name, zone=turn.settings.zone), interactive=False))
        if names:
            notice = t("Only the coordinators of {area} can answer this reminder. Ask {names}.",
                       area=escape(area_name), names=", ".join(escape(n) for n in names))
        else:
            notice = t("Only the coordinators of {area} can answer this reminder, and {area} has no coordinator yet. Ask an administrator.",
                       area=escape(area_name))
        return await _reply(turn, reminder_cards.reminder_card(t, reminder_view(t, wheel, row, channel, area_name, zone=turn.settings.zone),
                                                               interactive=False, notice=notice))
    if kind is None:
        return await _reply(turn, reminder_cards.reminder_card(t, reminder_view(t, wheel, row, channel, area_name, zone=turn.settings.zone), interactive=True))

    snooze_until, reason = None, ""
    inputs = _raw_inputs(turn)
    today = to_local(turn.now(), turn.settings.zone).date()
    if kind is Answer.snoozed:
        snooze_until = _parse_date(inputs.get("snooze_until"))
        if snooze_until is None or not today < snooze_until <= today + dt.timedelta(days=MAX_SNOOZE_DAYS):
            notice = t.n("Pick a date after today and at most {n} day ahead.", "Pick a date after today and at most {n} days ahead.", MAX_SNOOZE_DAYS)
            return await _reply(turn, reminder_cards.reminder_card(t, reminder_view(t, wheel, row, channel, area_name, zone=turn.settings.zone),
                                                                   interactive=True, notice=notice))
    if kind is Answer.not_applicable:
        reason = " ".join(str(inputs.get("reason") or "").replace("\x00", "").split())[:reminder_cards.MAX_REASON]
        if not reason:
            notice = t("Write a short reason why this does not apply.")
            return await _reply(turn, reminder_cards.reminder_card(t, reminder_view(t, wheel, row, channel, area_name, zone=turn.settings.zone),
                                                                   interactive=True, notice=notice))

    now = turn.now()
    speaker = turn.speaker
    # The click's identity: a replayed click leaves no second outbox row.
    click = f"{repo.subject_of(row.id)}:{str(turn.activity.id or now.isoformat())[:100]}"
    channel_t = translator(turn.settings.default_locale)

    def record(session):
        outcome, saved = repo.answer(session, row.id, kind, speaker.aad_id, speaker.name, now,
                                     snooze_until=snooze_until, reason=reason)
        if outcome != "answered":
            return outcome, saved, None
        # Everyone in the channel sees the answer: every posted copy is updated (the as-sent,
        # read-only view in the channel's language), after this answer, by the outbox.
        shared = reminder_cards.reminder_card(channel_t, reminder_view(channel_t, wheel, saved, channel, zone=turn.settings.zone), interactive=False)
        outbox.enqueue(session, key=f"{click}:update", to=Recipient.updates(repo.subject_of(saved.id)),
                       activity=card_activity(shared), kind="reminder.update", now=now)
        notice = None
        if kind is Answer.started:
            notice = start(session, t, saved, wheel, area_name, speaker.aad_id, f"{click}:start", now, turn.settings)
        return outcome, saved, notice

    outcome, row, notice = await turn.db.run(record)
    view = reminder_view(t, wheel, row, channel, area_name, zone=turn.settings.zone)
    if outcome == "stale":
        notice = t("This reminder was already answered. This is how it stands now.")
        return await _reply(turn, reminder_cards.reminder_card(t, view, interactive=True, notice=notice, notice_style="warning"))
    if outcome == "not_open":
        notice = t("This reminder is not open for answers ({status}).",
                   status=reminder_cards.status_label(t, row.status, row.answer))
        return await _reply(turn, reminder_cards.reminder_card(t, view, interactive=False, notice=notice, notice_style="warning"))

    turn.services.outbox.nudge()
    return await _reply(turn, reminder_cards.reminder_card(t, view, interactive=True, notice=notice, notice_style="good"))


def _parse_date(value) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


@cap.handles(ReminderDone)
async def on_done(turn: Turn, act: ReminderDone):
    return await _answer(turn, act, Answer.done)


@cap.handles(ReminderStart)
async def on_start(turn: Turn, act: ReminderStart):
    return await _answer(turn, act, Answer.started)


@cap.handles(ReminderSnooze)
async def on_snooze(turn: Turn, act: ReminderSnooze):
    return await _answer(turn, act, Answer.snoozed)


@cap.handles(ReminderNotApplicable)
async def on_not_applicable(turn: Turn, act: ReminderNotApplicable):
    return await _answer(turn, act, Answer.not_applicable)


@cap.handles(ReminderRefresh)
async def on_refresh(turn: Turn, act: ReminderRefresh):
    return await _answer(turn, act, None)

