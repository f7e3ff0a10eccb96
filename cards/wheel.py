"""The year as a card: each activity's status per month, per e-area; and the wheel's picture."""

from __future__ import annotations

from dataclasses import dataclass

from microsoft_teams.cards import Container, Fact, FactSet, Image

from bot.i18n import Translator
from cards.common import card, escape, heading, para

# One symbol per status so the card reads at a glance in both themes.
SYMBOLS = {
    "done": "✅",
    "not_applicable": "➖",
    "started": "▶️",
    "snoozed": "⏸️",
    "open": "🟠",
    "missed": "❌",
    "failed": "⚠️",
    "upcoming": "⚪",
    "none": "◌",  # passed before the channel was linked: never posted
}


def month_names(t: Translator) -> tuple[str, ...]:
    return (t("January"), t("February"), t("March"), t("April"), t("May"), t("June"), t("July"),
            t("August"), t("September"), t("October"), t("November"), t("December"))


def short_month_names(t: Translator) -> tuple[str, ...]:
    return tuple(name[:3].lower() for name in month_names(t))


def status_names(t: Translator) -> dict[str, str]:
    return {
        "done": t("Done"),
        "not_applicable": t("Not applicable"),
        "started": t("Started"),
        "snoozed": t("Snoozed"),
        "open": t("Open"),
        "missed": t("Missed"),
        "failed": t("Could not be posted"),
        "upcoming": t("Upcoming"),
        "none": t("Not posted"),
    }


@dataclass(frozen=True)
class WheelEntry:
    month: int
    title: str
    status: str  # a key of SYMBOLS
    day: str  # "2026-03-04"


@dataclass(frozen=True)
class AreaYear:
    area_name: str
    linked: bool  # a steering-group channel is linked (otherwise nothing is posted)
    entries: tuple[WheelEntry, ...]


def wheel_card(t: Translator, year: int, areas: list[AreaYear], current_month: int | None) -> dict:
    names = month_names(t)
    body = [heading(t("Annual wheel {year}", year=year))]
    for area in areas:
        items = [heading(escape(area.area_name), size="Medium")]
        if not area.linked:
            items.append(para(t("No steering-group channel is linked, so no reminders are posted. An administrator links one with **@Styra link <e-area>** in the channel."),
                              is_subtle=True, size="Small"))
        facts = []
        for month in range(1, 13):
            entries = sorted((e for e in area.entries if e.month == month), key=lambda e: e.day)
            if not entries:
                continue
            label = names[month - 1]
            if month == current_month:
                label = f"▸ {label}"
            # One fact per activity: a line break inside a fact value is not shown by every client.
            for index, e in enumerate(entries):
                facts.append(Fact(title=label if index == 0 else " ",
                                  value=f"{SYMBOLS.get(e.status, '')} {e.day[8:10].lstrip('0')}/{month} {escape(e.title)}"))
        items.append(FactSet(facts=facts))
        body.append(Container(items=items, separator=True))
    legend = status_names(t)
    shown = {e.status for area in areas for e in area.entries}
    # The usual six always; a failed delivery and a passed, unposted activity when there are any.
    keys = ("done", "started", "open", "snoozed", "missed", "upcoming") + tuple(
        k for k in ("failed", "not_applicable", "none") if k in shown)
    body.append(para("  ".join(f"{SYMBOLS[key]} {legend[key]}" for key in keys), is_subtle=True, size="Small"))
    return card(body, fallback_text=t("Annual wheel {year}", year=year))


@dataclass(frozen=True)
class PictureItem:
    number: int  # the number on the picture's mark
    day: int
    month: int
    title: str
    status: str  # a key of SYMBOLS


def picture_card(t: Translator, title: str, png_data_url: str, items: tuple[PictureItem, ...] = ()) -> dict:
    """The wheel as an image (a small PNG as a data URL: no image hosting needed), and the list
    its numbered marks refer to."""
    names = status_names(t)
    body = [heading(title, size="Medium"), Image(url=png_data_url, alt_text=title, size="Stretch")]
    if items:
        body.append(FactSet(facts=[Fact(title=str(i.number), value=f"{i.day}/{i.month} {escape(i.title)} · "
                                                                   f"{SYMBOLS.get(i.status, '')} {names.get(i.status, '')}")
                                   for i in items]))
    return card(body, fallback_text=title)
