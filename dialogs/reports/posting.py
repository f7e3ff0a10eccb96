"""What a report's use cases leave in the outbox, inside their own transaction: the report card in
the steering-group channel (and its in-place updates), the portfolio roll-up in the portfolio
channel, and the chair's nudge about a late report. The channel's copy is in the organisation's
language and is the read-only view; the chair's refresh swaps in the personal one."""

from __future__ import annotations

import datetime as dt

from bot.i18n import area_name, translator
from bot.outbox import card_activity
from bot.rules import reports as rules
from bot.rules.reports import Period
from cards import reports as cards
from cards.system import message_card
from dialogs.reports.common import FILE_VALID, file_url, local_day
from dialogs.reports.views import report_card
from storage import org
from storage import outbox as box
from storage import report_data as reads
from storage.models import ChannelPurpose, Role
from storage.outbox import Recipient
from storage.report_views import AreaLine, rollup

PORTFOLIO = ChannelPurpose.portfolio


def subject(report_id: int) -> str:
    """Every posted copy of a report's card (the chair's review updates them)."""
    return f"report:{report_id}"


def rollup_subject(period: str) -> str:
    return f"rollup:{period}"


def document_url(session, settings, data: reads.ReportData, lang: str, actor: str, now: dt.datetime) -> str:
    if not settings.document_base_url:
        return ""
    token = reads.file_link(session, kind="report", e_area_id=data.area.id, period=data.report.period,
                            report_id=data.report.id, lang=lang, actor=actor, now=now, valid=FILE_VALID)
    return file_url(settings, token)


def shared_card(session, settings, report_id: int, actor: str, now: dt.datetime,
                data: reads.ReportData | None = None) -> dict:
    """The channel's copy of a report as it stands now (`data`: already read in this transaction)."""
    data = data or reads.report_data(session, report_id, timezone=settings.timezone, now=now)
    t = translator(settings.default_locale)
    return report_card(t, data, settings.timezone, refresh_ids=reads.chair_teams_ids(session, data.area.slug),
                       document_url=document_url(session, settings, data, t.lang, actor, now))


def post_report(session, settings, data: reads.ReportData, actor: str, now: dt.datetime) -> bool:
    """Queue the submitted report for the e-area's steering-group channel; False when none is linked."""
    slug, report_id = data.area.slug, data.report.id
    if org.linked_channel(session, ChannelPurpose.steering, slug) is None:
        return False
    box.enqueue(session, key=f"report-post:{report_id}", to=Recipient.linked(ChannelPurpose.steering, slug),
                activity=card_activity(shared_card(session, settings, report_id, actor, now, data)),
                kind="report", subject=subject(report_id), now=now)
    return True


def update_report(session, settings, report_id: int, key: str, actor: str, now: dt.datetime) -> None:
    """Replace every posted copy of the report's card with how it stands now."""
    box.enqueue(session, key=key, to=Recipient.updates(subject(report_id)),
                activity=card_activity(shared_card(session, settings, report_id, actor, now)),
                kind="report", now=now)


# --- the portfolio roll-up ----------------------------------------------------------------------


def rollup_view(lang: str, lines: list[AreaLine], period: Period, due: dt.date, today: dt.date,
                timezone: str) -> cards.RollupView:
    shown = []
    for line in lines:
        submitted = line.status in ("submitted", "reviewed")
        on = local_day(line.submitted_on, timezone) if submitted else None
        shown.append(cards.RollupLine(
            area_name=area_name(line, lang), period=line.period, status=line.status,
            counts={c.value: n for c, n in line.counts.items()}, worst=line.worst.value if line.worst else None,
            open_deviations=line.open_deviations, escalations=line.escalations, used_percent=line.used_percent,
            punctuality=rules.punctuality(on, due, today).value))
    return cards.RollupView(str(period), due.isoformat(), tuple(shown))


def rollup_card(lang: str, lines: list[AreaLine], period: Period, due: dt.date, today: dt.date,
                timezone: str) -> dict:
    return cards.rollup_card(translator(lang), rollup_view(lang, lines, period, due, today, timezone))


def post_rollup(session, settings, period: Period, due: dt.date, today: dt.date, now: dt.datetime, *,
                when_complete: bool, update_key: str) -> str:
    """Post the roll-up to the portfolio channel once (when every e-area has reported, or on its due
    date); once posted, later submissions update it in place. Returns posted | updated | waiting."""
    if org.linked_channel(session, PORTFOLIO, org.PORTFOLIO_SCOPE) is None:
        return "waiting"
    posted = box.rows_for(session, f"rollup-post:{period}")
    if not posted and when_complete and reads.areas_without_sent(session, str(period)):
        return "waiting"  # the cheap question first: the roll-up itself is read only when it goes out
    lines = rollup(session, period)
    card = rollup_card(settings.default_locale, lines, period, due, today, settings.timezone)
    if posted:
        box.enqueue(session, key=update_key, to=Recipient.updates(rollup_subject(str(period))),
                    activity=card_activity(card), kind="rollup", now=now)
        return "updated"
    box.enqueue(session, key=f"rollup-post:{period}", to=Recipient.linked(PORTFOLIO, org.PORTFOLIO_SCOPE),
                activity=card_activity(card), kind="rollup", subject=rollup_subject(str(period)), now=now)
    return "posted"


# --- a late report --------------------------------------------------------------------------------


def escalate_late(session, settings, period: Period, due: dt.date, meeting: dt.date, now: dt.datetime) -> int:
    """Tell each e-area's chair, once per period, that its report was not submitted by its due date."""
    told = 0
    for line in rollup(session, period):
        if line.status in ("submitted", "reviewed"):
            continue
        area = org.e_area_by_slug(session, line.slug)
        for chair in reads.people_with(session, line.slug, (Role.chair,)):
            t = translator(reads.language(chair, settings.default_locale))
            name = area_name(area, t)
            coordinators = ", ".join(p.name or p.aad_id for p in reads.people_with(session, line.slug,
                                                                                      (Role.coordinator,)))
            card = message_card(t("The status report of {area} is late", area=name), [
                t("The report for {period} was due {due} and has not been submitted. The steering group meets {meeting}.",
                  period=str(period), due=due.isoformat(), meeting=meeting.isoformat()),
                t("Coordinators: {names}.", names=coordinators or "–"),
            ], style="warning")
            if box.enqueue(session, key=f"report-late:{period}:{line.slug}:{chair.aad_id}",
                           to=Recipient.person(chair.aad_id), activity=card_activity(card), kind="escalation",
                           now=now):
                told += 1
    return told
