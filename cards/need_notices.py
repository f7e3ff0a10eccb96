"""The coordinators' daily digest of new needs: one card per recipient and day, every e-area
that recipient follows in digest mode, each need with its Assess button."""

from __future__ import annotations

from dataclasses import dataclass

from microsoft_teams.cards import ActionSet, Container

from bot.i18n import Translator
from cards.common import card, escape, heading, para, submit, user_text
from cards.verbs import Verb

MAX_ITEMS = 25  # with buttons each, well under the card size limit


@dataclass(frozen=True)
class DigestNeed:
    need_id: int
    number: str
    title: str
    raised_by: str


@dataclass(frozen=True)
class DigestArea:
    name: str
    slug: str
    needs: tuple[DigestNeed, ...]


def mode_label(t: Translator, mode: str) -> str:
    return {"each": t("a notice for each new need"), "digest": t("one digest a day"),
            "off": t("no notices")}.get(mode, mode)


def digest_card(t: Translator, day: str, areas: list[DigestArea]) -> dict:
    count = sum(len(a.needs) for a in areas)
    title = t.n("{n} new need since the last digest", "{n} new needs since the last digest", count)
    body: list = [heading(title, size="Medium"), para(day, is_subtle=True, size="Small", spacing="None")]
    shown = 0
    for area in areas:
        body.append(heading(escape(area.name), size="Default"))
        for need in area.needs:
            if shown >= MAX_ITEMS:
                break
            shown += 1
            body.append(Container(separator=True, items=[
                para(f"**{need.number}**", spacing="None"),
                user_text(need.title, weight="Bolder"),
                *([para(t("Registered by {name}", name=escape(need.raised_by)), is_subtle=True, size="Small",
                        spacing="None")] if need.raised_by else []),
                ActionSet(actions=[submit(t("Assess"), {"verb": Verb.ASSESS_OPEN, "need_id": need.need_id}),
                                   submit(t("Show the need"), {"verb": Verb.NEED_SHOW, "need_id": need.need_id})]),
            ]))
    if count > shown:
        body.append(para(t("… and {n} more.", n=count - shown), is_subtle=True))
    body.append(para(t("Change how often: **notices <e-area> each|digest|off**."), is_subtle=True, size="Small"))
    return card(body, fallback_text=title)
