"""Reminders to a commission's lead to report status to the responsible manager, once per period
of the chosen cadence (monthly, quarterly, twice a year), on working days in working hours.

The database says what is due: each reminder is an outbox row keyed by commission and period, so
a tick run twice, on two instances or after a restart, writes it once. A commission is not
reminded in the period it was decided in.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.i18n import translator
from bot.outbox import card_activity
from cards.commissions import cadence_label, notice_card, title_of
from dialogs.commissions import views
from dialogs.commissions.capability import cap
from storage import commission_queries as queries
from storage import outbox
from storage.outbox import Recipient

WORKING_HOURS = range(8, 16)
MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6}


def period_of(cadence: str, day: date) -> tuple[str, date] | None:
    """The period `day` falls in for this cadence: its key and its first day."""
    months = MONTHS.get(cadence)
    if months is None:
        return None
    index = (day.month - 1) // months
    first = date(day.year, index * months + 1, 1)
    key = {1: f"{day.year}-{day.month:02d}", 3: f"{day.year}-Q{index + 1}", 6: f"{day.year}-H{index + 1}"}[months]
    return key, first


def remind_work(session, *, now: datetime, tz: str, default_lang: str) -> int:
    local = now.astimezone(ZoneInfo(tz))
    today = local.date()
    due: list[tuple[object, str]] = []
    for c in queries.due_for_reminder(session, today):
        period = period_of(c.cadence, today)
        decided = c.decided_at.astimezone(ZoneInfo(tz)).date() if c.decided_at else today
        if period is None or (c.start and c.start > today) or decided >= period[1]:
            continue
        due.append((c, f"commission:{c.id}:remind:{period[0]}"))
    done = queries.sent_keys(session, [key for _c, key in due])
    written = 0
    for c, key in due:
        lead = c.lead or c.created_by
        if key in done or not lead:
            continue
        t = translator(queries.languages(session, {lead}).get(lead) or default_lang)
        d = views.document_of(session, c, c.decided_version)
        manager = queries.names(session, {c.responsible_manager}).get(c.responsible_manager, c.responsible_manager)
        card = notice_card(t, t("Time for a status report: {title}", title=title_of(t, d)),
                           t("Report the status of the commission to {manager} ({cadence}): how the work goes, "
                             "risks and deviations, and the use of money and working time.",
                             manager=manager or "–", cadence=cadence_label(t, c.cadence).lower()), c.id)
        if outbox.enqueue(session, key=key, to=Recipient.person(lead),
                          activity=card_activity(card), kind="reminder", now=now):
            written += 1
    return written


@cap.on_tick
async def remind(services, now: datetime | None = None) -> int:
    now = now or services.clock()
    local = now.astimezone(ZoneInfo(services.settings.timezone))
    if local.weekday() >= 5 or local.hour not in WORKING_HOURS:
        return 0
    written = await services.db.run(remind_work, now=now, tz=services.settings.timezone,
                                    default_lang=services.settings.default_locale)
    if written:
        services.outbox.nudge()
    return written
