"""`årshjul` / `wheel`: the year of the annual wheel per e-area, with each reminder's state and
a picture of the wheel."""

from __future__ import annotations

import datetime as dt
import re
from base64 import b64encode

from bot.documents.wheel_picture import WheelPicture, numbered, render_svg, to_png
from bot.i18n import Translator, area_name
from bot.rules.calendar import to_local
from bot.rules.wheel import Wheel, occurrences_for_year
from bot.turn import Turn
from cards import wheel as wheel_cards
from cards.common import MAX_CARD_BYTES, escape
from cards.fit import size_of
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

    chosen = await turn.db.read(scopes)
    if chosen == []:
        await turn.say(t("I do not know an e-area called \"{name}\".", name=escape(wanted)))
        return
    overview = await turn.db.read(year_overview, wheel, zone, year, now, chosen)
    lang = t.lang
    current = to_local(now, zone).month
    areas = []
    for _slug, name, name_en, linked, entries in overview:
        areas.append(wheel_cards.AreaYear(
            area_name((name, name_en), lang), linked,
            tuple(wheel_cards.WheelEntry(a.month, a.title[lang], status, to_local(due, zone).date().isoformat())
                  for a, due, status in entries)))
    await turn.send_card(wheel_cards.wheel_card(t, year, areas, current))
    # A picture per e-area asked for, or per e-area of the user; someone with no e-area sees
    # every e-area in the card, and is told how to ask for one picture.
    pictured = overview if wanted or chosen is not None else []
    for _slug, name, name_en, _linked, entries in pictured:
        picture = wheel_picture(t, year, area_name((name, name_en), lang), current, entries, zone)
        if picture is not None:
            await turn.send_card(picture)
    if overview and not pictured:
        await turn.say(t("For the picture of one e-area, write **wheel <e-area>**."))


def picture_data(t: Translator, year: int, area_name: str, current_month: int | None, entries,
                 zone: dt.tzinfo) -> WheelPicture:
    """What the picture shows: the marks numbered in date order (the list under it uses the same
    numbers); an activity that passed unposted stays "not posted", never "upcoming"."""
    marks = numbered((a.month, to_local(due, zone).date().isoformat(), a.title[t.lang], status)
                     for a, due, status in entries)
    return WheelPicture(t("Annual wheel {year}", year=year), area_name, wheel_cards.short_month_names(t),
                        current_month, marks, wheel_cards.status_names(t))


def wheel_picture(t: Translator, year: int, area_name: str, current_month: int | None, entries,
                  zone: dt.tzinfo) -> dict | None:
    """The picture card with its numbered list, or None when no PNG rasteriser is installed.
    A long wheel is drawn smaller rather than have its list cut or the card refused as too large."""
    picture = picture_data(t, year, area_name, current_month, entries, zone)
    svg = render_svg(picture)
    items = tuple(wheel_cards.PictureItem(m.number, m.day, m.month, m.label, m.status) for m in picture.marks)
    title = f"{picture.title} · {area_name}"
    prefix = "data:image/png;base64,"
    room = MAX_CARD_BYTES - size_of(wheel_cards.picture_card(t, title, prefix, items))
    url = None
    for scale in (1.0, 0.8, 0.65, 0.5):
        png = to_png(svg, scale=scale)
        if png is None:
            return None
        url = prefix + b64encode(png).decode()
        if len(url) - len(prefix) <= room:
            break
    return wheel_cards.picture_card(t, title, url, items)
