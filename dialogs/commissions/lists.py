"""`uppdrag` / `commissions`: lists (mine, active, by kind, by unit) and one commission with its
versions and history. Others' commissions are listed once decided, with the announced facts
only (DOMAIN.md §8); an id that does not exist and one the user may not see get the same answer.
"""

from __future__ import annotations

import re

from bot.actions import CardAction
from bot.registry import Where
from bot.roles import is_admin
from bot.turn import Turn
from cards.commission_lists import detail_card, list_card
from cards.verbs import Verb
from dialogs.commissions import views
from dialogs.commissions.capability import NOT_FOUND, answer_text, cap, show
from storage import commission_queries as queries

SHOWN = 25
MINE = {"mina", "mitt", "mine", "my"}
ACTIVE = {"aktiva", "aktivt", "pågående", "active", "running", "current"}
ALL = {"alla", "all", "beslutade", "decided"}
KINDS = {
    "nätverk": "network", "nätverksuppdrag": "network", "network": "network", "networks": "network",
    "samordning": "coordination", "samordningsuppdrag": "coordination", "coordination": "coordination",
    "utredning": "investigation", "utredningar": "investigation", "utredningsuppdrag": "investigation",
    "investigation": "investigation", "investigations": "investigation",
}
UNIT_WORDS = {"enhet", "enheten", "unit"}


def parse_filters(rest: str) -> dict | None:
    """'aktiva nätverk', 'mina', 'enhet IT-avdelningen' → listing() filters; None when not understood."""
    words = rest.split()
    found: dict = {}
    for i, word in enumerate(words):
        if word in UNIT_WORDS:
            unit = " ".join(words[i + 1:]).strip()
            if not unit:
                return None
            found["unit"] = unit[:120]
            break
        if word in MINE:
            found["mine"] = True
        elif word in ACTIVE:
            found["active"] = True
        elif word in ALL:
            found["all"] = True
        elif word in KINDS:
            found["kind"] = KINDS[word]
        else:
            return None
    return found


def list_work(session, *, t, viewer: str, filters: dict):
    mine = filters.get("mine") or not (filters.keys() - {"mine"})
    found = queries.listing(session, mine=viewer if mine else None, active=bool(filters.get("active")),
                            kind=filters.get("kind"), unit=filters.get("unit"), limit=SHOWN * 8)
    if mine:
        title, empty = t("My commissions"), t("You have no commissions yet. Write **new commission** to start one, "
                                              "or **commissions active** to see the running ones.")
    else:
        title, empty = t("Commissions"), t("No decided commission matches.")
    if filters.get("active"):
        title += " · " + t("active")
    if filters.get("kind"):
        title += " · " + {"network": t("networks"), "coordination": t("coordination"),
                          "investigation": t("investigations")}[filters["kind"]]
    if filters.get("unit"):
        title += " · " + filters["unit"]
    return list_card(t, title, views.rows(session, found[:SHOWN]), empty=empty, more=max(len(found) - SHOWN, 0))


async def show_list(turn: Turn, filters: dict) -> None:
    card = await turn.db.run(lambda s: list_work(s, t=turn.t, viewer=turn.speaker.aad_id, filters=filters))
    await turn.send_card(card)


def detail_work(session, *, t, viewer: str, ref: int | str, tz: str, admin: bool):
    c = views.find(session, ref)
    seen = views.visibility(session, c, viewer)
    if seen is None:
        return None
    return detail_card(t, views.detail_view(session, t, c, viewer, seen, tz=tz, admin=admin))


async def show_detail(turn: Turn, ref: int | str):
    admin = is_admin(turn.settings, turn.speaker.aad_id)
    card = await turn.db.run(lambda s: detail_work(s, t=turn.t, viewer=turn.speaker.aad_id, ref=ref,
                                                   tz=turn.settings.timezone, admin=admin))
    if card is None:
        return await answer_text(turn, turn.t(NOT_FOUND))
    return await show(turn, card, new_message=True)


# Registered before the list command: "uppdrag U-2026-0007" is one commission, not a filter.
@cap.command("commission.show", r"(?:uppdrag|uppdraget|commission|commissions) (?P<number>[a-zåäö]{1,6}-\d{4}-\d{1,6})",
             where=Where.personal, examples=("uppdrag U-2026-0007", "commission U-2026-0007"))
async def detail_command(turn: Turn, match: re.Match) -> None:
    await show_detail(turn, match.group("number").upper())


@cap.command("commission.mine", r"(?:mina uppdrag|my commissions)", where=Where.personal,
             examples=("mina uppdrag", "my commissions"))
async def mine_command(turn: Turn, match: re.Match) -> None:
    await show_list(turn, {"mine": True})


@cap.command("commission.list", r"(?:uppdrag|commissions)(?: (?P<rest>.+))?", where=Where.personal,
             examples=("uppdrag", "commissions", "uppdrag aktiva", "commissions active"))
async def list_command(turn: Turn, match: re.Match) -> None:
    filters = parse_filters(match.group("rest") or "")
    if filters is None:
        await turn.say(turn.t("Write **commissions** for yours, or add what to show: **active**, **all**, a kind "
                              "(**network**, **coordination**, **investigation**) or **unit** and its name. "
                              "For example **commissions active investigation**."))
        return
    await show_list(turn, filters)


@cap.action(Verb.COMMISSION_SHOW, personal=True)
class ShowCommission(CardAction):
    commission_id: int


@cap.handles(ShowCommission)
async def on_show(turn: Turn, act: ShowCommission):
    return await show_detail(turn, act.commission_id)
