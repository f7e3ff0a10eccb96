"""Needs in chat: `mina behov`, `behov B-2026-0042`, `behov <e-område> [status]`, and the card
verbs behind their buttons. Registering is dialogs/needs/register.py, plans dialogs/needs/plans.py.
"""

from __future__ import annotations

import json
import re
from zoneinfo import ZoneInfo

from pydantic import Field

from bot.actions import CardAction
from bot.registry import Capability
from bot.roles import can
from bot.rules import needs as rules
from bot.rules.permissions import Permission
from bot.rules.policy import Act
from bot.text import fold
from bot.turn import Turn
from cards import need_lists
from cards import needs as needcards
from cards.common import escape, status_label
from cards.verbs import Verb
from dialogs.commissions import origins as commission_origins
from dialogs.needs.views import (
    answer_text,
    area_name,
    basis_state,
    coordinator_names,
    listed_row,
    may_view,
    need_row,
    rights,
    send,
    split_area,
)
from storage import assessments, need_changes, need_pages, org
from storage import needs as repo
from storage.models import NeedStatus

cap = Capability("needs")

LIST_LIMIT = 25

STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "öppna": rules.OPEN_STATUSES, "öppen": rules.OPEN_STATUSES, "open": rules.OPEN_STATUSES,
    "alla": rules.STATUSES, "all": rules.STATUSES,
    "registrerade": ("registered",), "registrerad": ("registered",), "nya": ("registered",), "registered": ("registered",), "new": ("registered",),
    "under bedömning": ("under_assessment",), "bedöms": ("under_assessment",), "under assessment": ("under_assessment",),
    "inom planen": ("within_plan",), "within plan": ("within_plan",), "within the plan": ("within_plan",),
    "väntar på beslut": ("awaiting_decision",), "beslut": ("awaiting_decision",), "awaiting decision": ("awaiting_decision",),
    "behovsinventering": ("inventory",), "inventering": ("inventory",), "inventory": ("inventory",),
    "avslagna": ("declined",), "avslag": ("declined",), "declined": ("declined",),
    "godkända": ("approved",), "approved": ("approved",),
    "klara": ("done",), "avslutade": ("done",), "done": ("done",),
    "tillbakadragna": ("withdrawn",), "återtagna": ("withdrawn",), "withdrawn": ("withdrawn",),
}


# --- my needs ----------------------------------------------------------------------------------


def _my_needs(session, aad_id: str, lang: str, tz: str, before_id: int | None = None):
    rows = need_pages.page_of_person(session, aad_id, before_id=before_id, limit=LIST_LIMIT + 1)
    return [listed_row(need, area, lang, tz) for need, area in rows]


async def show_my_needs(turn: Turn, before_id: int | None = None):
    """A page of the person's needs, newest first; "Show more" continues before the last one shown."""
    t = turn.t
    rows = await turn.db.read(_my_needs, turn.speaker.aad_id, t.lang, turn.settings.timezone, before_id)
    more = None
    if len(rows) > LIST_LIMIT:
        rows = rows[:LIST_LIMIT]
        more = MoreOfMine(before_id=rows[-1].need_id).data()
    empty = (t("No more needs.") if before_id else
             t("You have not registered any needs yet. Write **new need** to register one."))
    return await send(turn, need_lists.list_card(t, t("Your needs"), rows, more=more, empty=empty))


@cap.command("need.mine", r"(?:mina behov|mina ärenden|my needs|behov|needs)", examples=("mina behov", "my needs"))
async def my_needs_command(turn: Turn, match: re.Match) -> None:
    await show_my_needs(turn)


@cap.action(Verb.NEED_MINE)
class MyNeeds(CardAction):
    pass


@cap.handles(MyNeeds)
async def on_my_needs(turn: Turn, act: MyNeeds):
    return await show_my_needs(turn)


@cap.action(Verb.NEED_MINE_MORE)
class MoreOfMine(CardAction):
    """The clicker's own needs before this one: whose needs is never taken from the card."""

    before_id: int


@cap.handles(MoreOfMine)
async def on_more_of_mine(turn: Turn, act: MoreOfMine):
    return await show_my_needs(turn, act.before_id)


# --- one need ----------------------------------------------------------------------------------


def _detail(session, *, number: str | None, need_id: int | None, speaker, settings, lang: str):
    need = repo.by_number(session, number) if number else repo.by_id(session, need_id or 0)
    if need is None:
        return "missing", None
    area = org.e_area(session, need.e_area_id)
    affected = repo.affected(session, need.id)
    involved = need.raised_by == speaker.aad_id or any(a.aad_id == speaker.aad_id for a in affected)
    if not involved and not may_view(session, settings, speaker.aad_id, area.slug, Permission.view_area_needs):
        return "refused", (area_name(area, lang), coordinator_names(session, area.slug))
    tz = ZoneInfo(settings.timezone)
    entries = []
    for event in repo.history(session, need.id):
        try:
            detail = json.loads(event.detail or "{}")
        except ValueError:
            detail = {}
        entries.append((event.at, event.actor_name or event.actor, event.kind, detail if isinstance(detail, dict) else {}))
    edits = _edits(session, need.id, lang)
    entries = sorted(entries + edits, key=lambda entry: entry[0])
    history = [(at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), who, kind, detail) for at, who, kind, detail in entries]
    last = next((e for e in reversed(edits) if e[2] == "edited"), None)
    acts = rights(session, settings, need.id, speaker.aad_id)
    goals = [g.title for g in repo.goals_of(session, need.id)]
    view = needcards.NeedDetail(
        row=need_row(need, area, lang, len(affected), settings.timezone), description=need.description,
        benefit=need.benefit, source=need.source, raised_by=need.raised_by_name or need.raised_by,
        on_behalf_of=need.on_behalf_of, hours=need.effort_hours, cost=need.cost_sek,
        wished_date=need.wished_date.isoformat() if need.wished_date else "", goals=goals,
        affected=[a.name or a.aad_id for a in affected], history=history,
        # a decided or withdrawn need cannot be assessed (dialogs/assessment.py): no button to refuse
        can_assess=(need.status not in assessments.DECIDED_STATUSES
                    and can(session, settings, speaker.aad_id, Permission.assess_need, scope=area.slug)),
        can_edit=Act.edit in acts, can_withdraw=Act.withdraw in acts,
        basis=(basis_state(session, need) or ("",))[0] if Act.assess in acts else "",
        last_change=(last[0].astimezone(tz).date(), last[1], tuple(last[3]["fields"])) if last else None,
        commissions=tuple(commission_origins.of_need(session, need.id)),
        can_commission=(str(getattr(need.status, "value", need.status)) in commission_origins.COMMISSIONABLE
                        and commission_origins.may_commission_need(session, settings, need, speaker.aad_id)),
    )
    return "ok", view


def _edits(session, need_id: int, lang: str) -> list[tuple]:
    """The need's edits and withdrawal from the need-history table, as history entries."""
    names = {a.slug: area_name(a, lang) for a in org.e_areas(session)}
    out = []
    for change in need_changes.of_need(session, need_id):
        try:
            values = json.loads(change.changes or "{}")
        except ValueError:
            values = {}
        values = values if isinstance(values, dict) else {}
        if isinstance(values.get("e_area"), list):
            values["e_area"] = [names.get(str(slug), str(slug)) for slug in values["e_area"]]
        out.append((change.at, change.actor_name or change.actor, change.kind, {"fields": list(values), "values": values}))
    return out


async def show_need(turn: Turn, *, number: str | None = None, need_id: int | None = None):
    t = turn.t
    kind, data = await turn.db.read(lambda s: _detail(s, number=number, need_id=need_id, speaker=turn.speaker,
                                                     settings=turn.settings, lang=t.lang))
    if kind == "missing":
        text = t("I cannot find a need called {number}. Write **my needs** to see yours.", number=escape((number or "?").upper()))
        return await answer_text(turn, text)
    if kind == "refused":
        area, names = data
        text = (t("Only the people involved and the steering group of {area} can see this need. Ask its coordinators: {names}.",
                  area=escape(area), names=", ".join(escape(n) for n in names))
                if names else t("Only the people involved and the steering group of {area} can see this need.", area=escape(area)))
        return await answer_text(turn, text)
    return await send(turn, needcards.detail_card(t, data))


@cap.command("need.show", r"(?:behov|need|behovet) (?P<number>b-\d{4}-\d{1,6})", examples=("behov B-2026-0042", "need B-2026-0042"))
async def need_command(turn: Turn, match: re.Match) -> None:
    await show_need(turn, number=match.group("number"))


@cap.action(Verb.NEED_SHOW, personal=True)
class ShowNeed(CardAction):
    need_id: int


@cap.handles(ShowNeed)
async def on_show_need(turn: Turn, act: ShowNeed):
    return await show_need(turn, need_id=act.need_id)


# --- an e-area's needs -------------------------------------------------------------------------


def _area_needs(session, *, rest: str, speaker, settings, lang: str, after_id: int | None = None):
    area, status_text = split_area(session, rest.split())
    if area is None:
        return "unknown_area", [area_name(a, lang) for a in org.e_areas(session)]
    statuses = STATUS_WORDS.get(status_text, None) if status_text else rules.OPEN_STATUSES
    if statuses is None:
        return "unknown_status", status_text
    if not may_view(session, settings, speaker.aad_id, area.slug, Permission.view_area_needs):
        return "refused", (area_name(area, lang), coordinator_names(session, area.slug))
    wanted = [NeedStatus(s) for s in statuses]
    rows = need_pages.page_of_area(session, area.id, wanted, after_id=after_id, limit=LIST_LIMIT + 1)
    total, before = need_pages.count_of_area(session, area.id, wanted, after_id)
    more = rows[LIST_LIMIT - 1][0].id if len(rows) > LIST_LIMIT else None
    out = [listed_row(need, a, lang, settings.timezone) for need, a in rows[:LIST_LIMIT]]
    return "ok", (area_name(area, lang), statuses, out, total, before, more)


async def area_needs(turn: Turn, rest: str, after_id: int | None = None):
    """`behov <e-område> [status]`, a page at a time: the card, or the refusal in words."""
    t = turn.t
    kind, data = await turn.db.read(lambda s: _area_needs(s, rest=fold(rest), speaker=turn.speaker,
                                                         settings=turn.settings, lang=t.lang, after_id=after_id))
    if kind == "unknown_area":
        return await answer_text(turn, t("I do not know an e-area called \"{name}\". Known e-areas: {known}.",
                                         name=escape(rest), known=", ".join(escape(n) for n in data) or "–"))
    if kind == "unknown_status":
        known = t("open, all, registered, under assessment, within plan, awaiting decision, inventory, declined, approved, done, withdrawn")
        return await answer_text(turn, t("I do not know the status \"{status}\". Use one of: {known}.",
                                         status=escape(data), known=known))
    if kind == "refused":
        area, names = data
        text = (t("Only the coordinators and the steering group of {area} can list its needs. Ask {names}.",
                  area=escape(area), names=", ".join(escape(n) for n in names))
                if names else t("Only the coordinators and the steering group of {area} can list its needs, and it has no coordinator yet. Ask an administrator.", area=escape(area)))
        return await answer_text(turn, text)
    area, statuses, rows, total, before, after = data
    if tuple(statuses) == rules.OPEN_STATUSES:
        title = t("Open needs in {area}", area=escape(area))
    elif len(statuses) == 1:
        title = t("{status} needs in {area}", status=status_label(t, statuses[0]), area=escape(area))
    else:
        title = t("All needs in {area}", area=escape(area))
    more = MoreOfArea(rest=rest[:REST_MAX], after_id=after).data() if after else None
    return await send(turn, need_lists.list_card(t, title, rows, total=total, empty=t("No needs with that status."),
                                                more=more, first=before + 1))


@cap.command("need.area", r"(?:behov|needs) (?P<rest>.+)", examples=("behov utbildning", "needs education"))
async def area_needs_command(turn: Turn, match: re.Match) -> None:
    await area_needs(turn, match.group("rest"))


REST_MAX = 120  # the e-area and status words as typed


@cap.action(Verb.NEED_AREA_MORE)
class MoreOfArea(CardAction):
    """The page after `after_id` of the list the words name; the e-area's roles are asked again."""

    rest: str = Field(max_length=REST_MAX)
    after_id: int


@cap.handles(MoreOfArea)
async def on_more_of_area(turn: Turn, act: MoreOfArea):
    return await area_needs(turn, act.rest, act.after_id)
