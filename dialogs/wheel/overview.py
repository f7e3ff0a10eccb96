"""`årshjul` / `wheel`: the year of the annual wheel per e-area, with each reminder's state and
a picture of the wheel."""

from __future__ import annotations

import datetime as dt
import re
from base64 import b64encode

from bot.documents.wheel_picture import Mark, WheelPicture, render_svg, to_png
from bot.i18n import Translator
from bot.rules.calendar import to_local
from bot.rules.wheel import Wheel, occurrences_for_year
from bot.turn import Turn
from cards import wheel as wheel_cards
from cards.common import escape
from dialogs.wheel.common import cap, wheel_of
from storage import org
from storage import reminders as repo
from storage.models import ChannelPurpose
from storage.reminder_tables import OccurrenceStatus, ReminderOccurrence


def _entry_status(row: ReminderOccurrence | None, due_at: dt.datetime, now: dt.datetime) -> str:
    if row is None:
        return "upcoming" if due_at > now else "none"
    if row.answer in ("done", "not_applicable", "started", "snoozed"):
        return row.answer
    if row.missed_at is not None and row.status != OccurrenceStatus.failed.value:
        return "missed"  # missed while Styra was down, posted once since: unanswered yet
    if row.status == OccurrenceStatus.sent.value:
        return "open"
    if row.status in (OccurrenceStatus.missed.value, OccurrenceStatus.failed.value):
        return row.status
    return "upcoming"


def year_overview(session, wheel: Wheel, zone: dt.tzinfo, year: int, now: dt.datetime,
                  scopes: list[str] | None):
    """(area name, name_en, linked, [(activity, due_at, status)]) for each wanted e-area."""
    linked = {scope for scope, _ in org.linked_channels(session, ChannelPurpose.steering)}
    occurrences = occurrences_for_year(wheel, year, zone)
    out = []
    for area in org.e_areas(session):
        if scopes is not None and area.slug not in scopes:
            continue
        rows = {r.activity_key: r for r in repo.in_year(session, area.slug, year)}
        entries = []
        for occ in occurrences:
            row = rows.get(occ.activity_key)
            entries.append((wheel.activity(occ.activity_key), occ.due_at,
                            _entry_status(row, occ.due_at, now)))
        out.append((area.slug, area.name, area.name_en or area.name, area.slug in linked, entries))
    return out


WHEEL = re.compile(r"(?:årshjul|arshjul|wheel|annual wheel)(?: (?P<area>.+))?")


@cap.command("wheel", WHEEL.pattern, examples=("årshjul", "wheel"))
async def wheel_command(turn: Turn, match: re.Match) -> None:
    t = turn.t
    wanted = (match.group("area") or "").strip()
    now = turn.now()
    zone = turn.settings.zone
    year = to_local(now, zone).year
    wheel = wheel_of(turn.services)

    def scopes(session):
        if wanted:
            area = org.find_e_area(session, wanted)
            return [area.slug] if area else []
        mine = sorted({a.scope for a in org.roles_of(session, turn.speaker.aad_id)
                       if a.scope != org.PORTFOLIO_SCOPE})
        return mine or None  # no role in an e-area: show every e-area

    chosen = await turn.db.run(scopes)
    if chosen == []:
        await turn.say(t("I do not know an e-area called \"{name}\".", name=escape(wanted)))
        return
    overview = await turn.db.run(year_overview, wheel, zone, year, now, chosen)
    lang = t.lang
    current = to_local(now, zone).month
    areas = []
    for _slug, name, name_en, linked, entries in overview:
        areas.append(wheel_cards.AreaYear(
            name_en if lang == "en" else name, linked,
            tuple(wheel_cards.WheelEntry(a.month, a.title[lang], status, to_local(due, zone).date().isoformat())
                  for a, due, status in entries)))
    await turn.send_card(wheel_cards.wheel_card(t, year, areas, current))
    if overview:
        _slug, name, name_en, _linked, entries = overview[0]
        picture = wheel_picture(t, year, name_en if lang == "en" else name, current, entries)
        if picture is not None:
            await turn.send_card(picture)


def wheel_picture(t: Translator, year: int, area_name: str, current_month: int | None, entries) -> dict | None:
    """The picture card, or None when no PNG rasteriser is installed."""
    names = wheel_cards.status_names(t)
    marks = tuple(Mark(a.month, a.title[t.lang], status if status != "none" else "upcoming")
                  for a, _due, status in entries)
    legend = {k: names[k] for k in ("done", "started", "open", "snoozed", "missed", "upcoming")}
    title = t("Annual wheel {year}", year=year)
    svg = render_svg(WheelPicture(title, area_name, wheel_cards.short_month_names(t), current_month, marks, legend))
    png = to_png(svg)
    if png is None:
        return None
    return wheel_cards.picture_card(t, f"{title} · {area_name}", "data:image/png;base64," + b64encode(png).decode())

