"""The steering-group meeting pack: `möte <e-område>` / `meeting <e-area>` puts the quarter's
agenda on one card (the status report, decision bases awaiting a decision, deviations, the
quarter's items in the annual wheel) with the agenda as a .docx; from the meeting day on, the
decisions taken since the previous meeting are listed as minutes (.docx too). Answered in the
asker's 1:1 chat: a channel may hold people without a role in the e-area."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from bot.i18n import Translator
from bot.registry import Where
from bot.rules import reports as rules
from bot.rules.permissions import Permission
from bot.rules.reports import Period
from bot.rules.wheel import activity_date
from bot.turn import Turn
from cards import decision as decision_cards
from cards import reports as cards
from cards.common import escape
from cards.report_labels import colour_label, status_label
from dialogs.reports.common import (
    FILE_VALID,
    access,
    area_name,
    cap,
    file_url,
    local_start,
    meeting_date,
    today,
    wanted_area,
    wheel_of,
)
from dialogs.reports.views import deviation_lines
from storage import org
from storage import report_data as reads


@dataclass
class Pack:
    area: object
    period: Period
    meeting: dt.date
    held: bool
    data: reads.ReportData | None = None
    bases: list = field(default_factory=list)
    decisions: list = field(default_factory=list)
    agenda_url: str = ""
    minutes_url: str = ""


def wheel_items(services, period: Period, lang: str) -> tuple[str, ...]:
    """The quarter's activities in the annual wheel, dated, in the reader's language."""
    wheel = wheel_of(services)
    months = range(3 * period.quarter - 2, 3 * period.quarter + 1)
    items = []
    for activity in wheel.activities:
        if activity.month in months:
            day = activity_date(wheel, activity, period.year)
            items.append((day, f"{day.day}/{day.month} {activity.title.get(lang) or activity.title.get('sv', '')}"))
    return tuple(text for _day, text in sorted(items))


def pack_of(session, settings, area, period: Period, meeting: dt.date, previous: dt.date, day: dt.date,
            now, lang: str, actor: str) -> Pack:
    """Everything the meeting has before it, read in one transaction (no role check: callers do)."""
    shown = reads.shown_report(session, area.id, str(period))
    data = reads.report_data(session, shown.id, timezone=settings.timezone, now=now) if shown else None
    start = local_start(previous + dt.timedelta(days=1), settings.timezone)
    end = local_start(meeting + dt.timedelta(days=1), settings.timezone)
    pack = Pack(area, period, meeting, day >= meeting, data, reads.bases_awaiting(session, area.id),
                reads.decisions_between(session, area.id, start, end))
    if settings.document_base_url:
        for kind in ("agenda", "minutes") if pack.held else ("agenda",):
            token = reads.file_link(session, kind=kind, e_area_id=area.id, period=str(period), report_id=None,
                                    lang=lang, actor=actor, now=now, valid=FILE_VALID)
            setattr(pack, f"{kind}_url", file_url(settings, token))
    return pack


def meeting_view(t: Translator, pack: Pack, items: tuple[str, ...]) -> cards.MeetingView:
    data = pack.data
    if data is not None:
        line = t("{status}, version {version}; worst status: {colour}", status=status_label(t, data.report.status),
                 version=data.report.version, colour=colour_label(t, rules.worst(g.colour for g in data.content.goals)))
    else:
        line = t("No status report for {period} yet.", period=str(pack.period))
    return cards.MeetingView(
        area_name=area_name(pack.area, t.lang), period=str(pack.period), meeting_date=pack.meeting.isoformat(),
        report_line=line, report_id=data.report.id if data else None,
        bases=tuple((basis_id, number, title) for basis_id, number, title in pack.bases),
        deviations=deviation_lines(t, data) if data else (), wheel_items=items,
        decisions=tuple((number, registry, decision_cards.outcome_label(t, outcome), title)
                        for number, registry, outcome, title, _at in pack.decisions),
        meeting_held=pack.held, agenda_url=pack.agenda_url, minutes_url=pack.minutes_url)


def load(session, settings, aad_id: str, wanted: str, by_slug: bool, dates, now, lang: str):
    area = org.e_area_by_slug(session, wanted) if by_slug else org.find_e_area(session, wanted)
    if area is None:
        return "unknown", [area_name(a, lang) for a in org.e_areas(session)]
    acc = access(session, settings, aad_id, area.slug)
    if not (acc.view or acc.write or acc.portfolio or acc.admin):
        return "refused", area_name(area, lang)
    period, meeting, previous, day = dates
    return "ok", pack_of(session, settings, area, period, meeting, previous, day, now, lang, aad_id)


@cap.command("report.meeting", r"(?:möte|mote|styrgruppsmöte|meeting|steering meeting)(?: (?P<rest>.+))?",
             where=Where.personal, examples=("möte utbildning", "meeting education"))
async def meeting_command(turn: Turn, match: re.Match) -> None:
    t = turn.t
    found = await wanted_area(turn, match.group("rest") or "", Permission.view_report,
                              t("Which e-area? Write **meeting <e-area>**, for example **meeting education**."))
    if found is None:
        return
    wanted, period, by_slug = found
    services = turn.services
    dates = (period, meeting_date(services, period), meeting_date(services, period.previous()), today(services))
    kind, found = await turn.db.run(load, turn.settings, turn.speaker.aad_id, wanted, by_slug, dates, turn.now(),
                                    t.lang)
    if kind == "unknown":
        await turn.say(t("I do not know an e-area called \"{name}\". Known e-areas: {known}.", name=escape(wanted),
                         known=", ".join(escape(n) for n in found) or "–"))
        return
    if kind == "refused":
        await turn.say(t("Only the roles of {area}, the portfolio office and portfolio management can see its meeting pack.",
                         area=escape(found)))
        return
    await turn.send_card(cards.meeting_card(t, meeting_view(t, found, wheel_items(services, period, t.lang))))
