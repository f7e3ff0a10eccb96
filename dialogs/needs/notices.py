"""New-need notices per e-area: each need, a daily digest, or off (`aviseringar <e-område>
varje|sammanfattning|av`, coordinators and administrators), and the daily digest itself: one
outbox row per recipient and day (its key names both), the needs registered since the
recipient's previous digest, written by whichever instance ticks first after the digest hour."""

from __future__ import annotations

import datetime as dt
import re

from bot.i18n import translator
from bot.outbox import card_activity
from bot.registry import Capability
from bot.roles import can
from bot.rules.calendar import is_working_day, to_local
from bot.rules.permissions import Permission
from bot.turn import Turn
from cards import need_notices as cards
from cards.common import escape
from dialogs.needs import notice
from dialogs.needs.views import area_name, split_area
from storage import need_notices as store
from storage import org, outbox
from storage.models import EArea
from storage.outbox import Recipient

cap = Capability("notices")

WORDS = {"varje": "each", "varje behov": "each", "each": "each", "every": "each",
         "sammanfattning": "digest", "daglig sammanfattning": "digest", "digest": "digest", "daily": "digest",
         "av": "off", "inga": "off", "off": "off", "none": "off"}


def _mode_in(words: list[str]) -> tuple[str | None, list[str]]:
    for size in (2, 1):
        if len(words) >= size and " ".join(words[-size:]) in WORDS:
            return WORDS[" ".join(words[-size:])], words[:-size]
    return None, words


def _work(session, settings, aad_id: str, words: list[str], mode: str | None, lang: str):
    if not words:
        mine = [a for a in org.e_areas(session)
                if can(session, settings, aad_id, Permission.assess_need, a.slug)]
        return "list", [(area_name(a, lang), store.mode_of(a, settings.need_notices)) for a in mine]
    area, rest = split_area(session, words)
    if area is None or rest:
        return "unknown", [area_name(a, lang) for a in org.e_areas(session)]
    name = area_name(area, lang)
    if mode is None:
        return "show", (name, store.mode_of(area, settings.need_notices))
    if not can(session, settings, aad_id, Permission.assess_need, area.slug):
        return "refused", name
    store.set_mode(session, area.id, mode)
    return "set", (name, mode)


@cap.command("notices", r"(?:aviseringar|avisering|notiser|notices|notifications)(?: (?P<rest>.+))?",
             examples=("aviseringar utbildning sammanfattning", "notices education digest"))
async def notices_command(turn: Turn, match: re.Match) -> None:
    t = turn.t
    mode, words = _mode_in((match.group("rest") or "").split())
    kind, data = await turn.db.run(lambda s: _work(s, turn.settings, turn.speaker.aad_id, words, mode, t.lang))
    usage = t("Change it with **notices <e-area> each**, **digest** or **off**.")
    if kind == "list":
        if not data:
            text = t("You coordinate no e-area. Write **notices <e-area>** to see how its coordinators hear of new needs.")
        else:
            lines = [f"- {escape(name)}: {cards.mode_label(t, m)}" for name, m in data]
            text = "\n".join([t("New-need notices in your e-areas:"), *lines, usage])
    elif kind == "unknown":
        text = t("I do not know an e-area called \"{name}\". Known e-areas: {known}.",
                 name=escape(" ".join(words)), known=", ".join(escape(n) for n in data) or "–")
    elif kind == "show":
        name, current = data
        text = t("The coordinators of {area} get {mode}.", area=escape(name), mode=cards.mode_label(t, current)) + " " + usage
    elif kind == "refused":
        text = t("Only the coordinators of {area} or an administrator can change how they hear of new needs.",
                 area=escape(data))
    else:
        name, new = data
        text = t("From now on the coordinators of {area} get {mode}.", area=escape(name), mode=cards.mode_label(t, new))
    await turn.say(text)


# --- the daily digest -------------------------------------------------------------------------


@cap.on_tick
async def need_digest(services, now: dt.datetime | None = None) -> int:
    """After the digest hour on a working day: today's digests, once (their keys)."""
    now = now or services.clock()
    settings = services.settings
    local = to_local(now, settings.zone)
    if (local.hour < settings.need_digest_hour or not is_working_day(local.date())
            or services.need_digest_day == local.date()):
        return 0
    added = await services.db.run(write_digests, now, local.date(), settings)
    # Once a day is enough: a need registered later today is in the next digest (it covers the
    # time since the previous one), so the tick does not look again every minute.
    services.need_digest_day = local.date()
    if added and services.outbox is not None:
        services.outbox.nudge()
    return added


def write_digests(session, now: dt.datetime, day: dt.date, settings) -> int:
    prefix = f"{store.DIGEST_PREFIX}{day.isoformat()}:"
    if store.digest_written(session, prefix):
        return 0  # today's digests are written (one transaction wrote them all)
    wanted: dict[str, tuple[Recipient, str, str | None, list[EArea]]] = {}
    for area in store.areas_in_digest(session, settings.need_notices):
        for to, lang, aad in notice.recipients(session, area, settings):
            wanted.setdefault(to.address, (to, lang, aad, []))[3].append(area)
    added = 0
    for to, lang, aad, areas in wanted.values():
        since = store.last_digest_at(session, to.address) or now - dt.timedelta(days=1)
        t = translator(lang)
        found = []
        for area in areas:
            needs = [n for n in store.new_needs(session, area.id, since, now) if n.raised_by != aad]
            if needs:
                found.append(cards.DigestArea(area_name(area, t.lang), area.slug, tuple(
                    cards.DigestNeed(n.id, n.number, n.title, n.raised_by_name) for n in needs)))
        if not found:
            continue
        card = cards.digest_card(t, day.isoformat(), found)
        added += outbox.enqueue(session, key=f"{prefix}{to.address}", to=to, activity=card_activity(card),
                                kind="notice.digest", now=now)
    return added

