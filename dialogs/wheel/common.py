"""What the wheel's parts share: the capability, the loaded wheel and a reminder's view."""

from __future__ import annotations

import datetime as dt
import logging

from bot.i18n import Translator, area_name
from bot.registry import Capability
from bot.rules.calendar import to_local
from bot.rules.wheel import Wheel
from bot.rules.wheel_file import load_wheel
from cards import reminder as reminder_cards
from storage.reminder_tables import ReminderOccurrence
from storage.reminders import SteeringChannel

cap = Capability("wheel")

log = logging.getLogger("styra.reminders")


def wheel_of(services) -> Wheel:
    """The wheel loaded at start (app.py), or loaded now and kept."""
    if services.wheel is None:
        services.wheel = load_wheel(services.settings.wheel_file)
    return services.wheel


def instance_id(services) -> str:
    """Who holds a claim: one id per running Services (per process in production)."""
    return services.instance_id


def channel_area_name(t: Translator, channel: SteeringChannel) -> str:
    return area_name((channel.area_name, channel.area_name_en), t)


def reminder_view(t: Translator, wheel: Wheel, occ: ReminderOccurrence, channel: SteeringChannel | None,
                  area_name: str | None = None, *, zone: dt.tzinfo = dt.UTC) -> reminder_cards.ReminderView:
    """The reminder card's data in `t`'s language; `area_name` when there is no channel; `zone`
    (STYRA_TIMEZONE) for the local day a missed reminder was due."""
    try:
        activity = wheel.activity(occ.activity_key)
        title, body = activity.title[t.lang], activity.body[t.lang]
        audience, act = activity.audience, activity.action
    except KeyError:  # the wheel file changed since this was posted
        title, body, audience, act = occ.activity_key, "", "coordinators", None
    return reminder_cards.ReminderView(
        occurrence_id=occ.id, title=title, body=body,
        area_name=area_name or (channel_area_name(t, channel) if channel else occ.scope),
        audience=audience, period=occ.period, answer_by=occ.answer_by, status=occ.status,
        answer=occ.answer, answered_by_name=occ.answered_by_name, answered_at=occ.answered_at,
        snooze_until=occ.snooze_until, reason=occ.reason, action=act,
        coordinator_ids=channel.coordinator_ids if channel else (),
        mentions=channel.coordinators if channel else (),
        missed_due=to_local(occ.due_at, zone).date() if occ.missed_at is not None else None,
    )

