"""The wheel's follow-ups: the weekly digest of what is open, and the chair's nudge about a
reminder nobody answered (outbox rows, written with the escalation's claim)."""

from __future__ import annotations

import datetime as dt

from bot.i18n import Translator, area_name, translator
from bot.outbox import card_activity
from bot.rules.wheel import Wheel, digest_moment, digest_period, escalation_due
from cards import reminder as reminder_cards
from dialogs.wheel.common import channel_area_name, log, reminder_view
from storage import outbox
from storage import reminders as repo
from storage.outbox import Recipient
from storage.reminder_tables import ReminderOccurrence
from storage.reminders import SteeringChannel, SteeringLink


def digest_row(session, wheel: Wheel, zone: dt.tzinfo, link: SteeringLink, now: dt.datetime,
               grace: dt.timedelta, weekday: int) -> dict | None:
    """This week's digest for the linked channel, once its moment has passed, if anything is open
    there (a channel linked after that moment waits for next week)."""
    moment = digest_moment(wheel, now, weekday, zone)
    if moment is None or moment <= link.linked_at - grace or not repo.digest_rows(session, link.scope, moment):
        return None
    return {"activity_key": repo.DIGEST_KEY, "period": digest_period(moment, zone), "scope": link.scope,
            "e_area_id": link.e_area_id, "due_at": moment, "send_after": moment, "answer_by": None}


def digest_card(t: Translator, wheel: Wheel, channel: SteeringChannel, occ: ReminderOccurrence,
                open_rows: list[ReminderOccurrence]) -> dict:
    """The digest as posted: what is still open in the e-area."""
    return reminder_cards.digest_card(t, channel_area_name(t, channel), occ.period,
                                      [_digest_item(t, wheel, row) for row in open_rows])


def _digest_item(t: Translator, wheel: Wheel, row: ReminderOccurrence) -> reminder_cards.DigestItem:
    try:
        title = wheel.activity(row.activity_key).title[t.lang]
    except KeyError:
        title = row.activity_key
    return reminder_cards.DigestItem(title, row.period,
                                     reminder_cards.status_label(t, row.status, row.answer,
                                                                 missed=row.missed_at is not None),
                                     row.answer_by)


# --- escalation -------------------------------------------------------------------------------


async def escalate(services, wheel: Wheel, now: dt.datetime) -> int:
    settings = services.settings
    days = settings.escalation_working_days
    rows = await services.db.run(repo.unanswered)
    count = 0
    for row in rows:
        if row.sent_at is None or not escalation_due(row.sent_at, days, now, settings.zone):
            continue
        if await services.db.run(_escalate_one, row.id, wheel, days, settings.default_locale, now):
            count += 1
    if count:
        services.outbox.nudge()
    return count


def _escalate_one(session, occurrence_id: int, wheel: Wheel, days: int, default_locale: str,
                  now: dt.datetime) -> bool:
    """Take the right to escalate (once: another instance may have) and leave a nudge for each
    chair in the outbox, in the same transaction; False when it was taken already."""
    if not repo.claim_escalation(session, occurrence_id, now):
        return False
    row = repo.get(session, occurrence_id)
    chairs = repo.chairs(session, row.scope)
    if not chairs:
        log.warning("no chair to escalate reminder %s of %s to", row.id, row.scope)
    for chair in chairs:
        t = translator(chair.locale or default_locale)
        name = area_name((chair.area_name, chair.area_name_en), t)
        card = reminder_cards.escalation_card(t, reminder_view(t, wheel, row, None, area_name=name), days)
        # Per post: a reminder posted again after a snooze may be escalated again.
        outbox.enqueue(session, key=f"{repo.subject_of(row.id)}:escalation:{row.sent_count}:{chair.aad_id}",
                       to=Recipient.person(chair.aad_id), activity=card_activity(card),
                       kind="reminder.escalation", now=now)
    return True

