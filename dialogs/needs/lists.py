"""Needs and plans in chat: `nytt behov`, "Vi behöver …", `mina behov`, `behov B-2026-0042`,
`behov <e-område> [status]`, `plan [<e-område>] [år]`, and the card verbs behind their buttons.

The registration form itself is the guided flow in dialogs/register_need.py.
"""

from __future__ import annotations

import json
import re
from typing import Any
from zoneinfo import ZoneInfo

from bot.actions import CardAction
from bot.registry import Capability, Where
from bot.roles import can, is_admin
from bot.rules import needs as rules
from bot.rules.permissions import Permission
from bot.text import fold
from bot.turn import Turn
from cards import needs as needcards
from cards import plan as plancards
from cards.common import escape
from cards.verbs import Verb
from dialogs.needs import register as flow
from storage import needs as repo
from storage import org, plans
from storage.models import EArea, NeedStatus, Role

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
}
STATUS_EXAMPLES_SV = "öppna, alla, registrerade, under bedömning, inom planen, väntar på beslut, behovsinventering, avslagna, godkända, klara"


# --- registering -----------------------------------------------------------------------------

_NEW_PREFIX = re.compile(r"^\s*(nytt behov|new need|registrera (ett )?behov|register (a )?need)\s*[:\-–]?\s*", re.IGNORECASE)


@cap.command("need.new", r"(?:nytt behov|new need|registrera (?:ett )?behov|register (?:a )?need)(?: .*)?",
         r"(?:vi|jag) (?:behöver|skulle behöva|vill ha) .+", r"(?:we|i) (?:need|would need|want) .+",
         where=Where.personal, examples=("nytt behov", "new need", "vi behöver …", "we need …"))
async def new_need_command(turn: Turn, match: re.Match) -> None:
    text = turn.text
    if _NEW_PREFIX.match(text):
        rest = _NEW_PREFIX.sub("", text, count=1)
        title, description = rules.title_from_text(rest) if rest else ("", "")
    else:
        title, description = rules.title_from_text(text)
    await flow.open_form(turn, title, description)


@cap.action(Verb.NEED_START, personal=True)
class StartNeed(CardAction):
    title: str = ""


@cap.handles(StartNeed)
async def on_start_need(turn: Turn, act: StartNeed):
    await flow.open_form(turn, act.title[: rules.TITLE_MAX])
    return None


@cap.action(Verb.NEED_SUBMIT)
class SubmitNeed(CardAction):
    # Not typed strictly: a damaged form id is answered by showing the form again, not refused.
    form_id: Any = None
    confirmed: Any = False


@cap.handles(SubmitNeed)
async def on_submit_need(turn: Turn, act: SubmitNeed):
    return await flow.on_submit(turn, act.form_id, act.confirmed is True or act.confirmed == "true")


@cap.action(Verb.NEED_JOIN)
class JoinNeed(CardAction):
    need_id: int
    form_id: Any = None


@cap.handles(JoinNeed)
async def on_join_need(turn: Turn, act: JoinNeed):
    return await flow.on_join(turn, act.need_id)


# --- my needs ----------------------------------------------------------------------------------


def _my_needs(session, aad_id: str, lang: str, tz: str):
    rows = repo.of_person(session, aad_id, limit=LIST_LIMIT + 1)
    counts = repo.affected_counts(session, [need.id for need, _ in rows])
    return [flow.need_row(need, area, lang, counts.get(need.id, 0), tz) for need, area in rows]


async def show_my_needs(turn: Turn):
    t = turn.t
    rows = await turn.db.run(_my_needs, turn.speaker.aad_id, t.lang, turn.settings.timezone)
    total = None
    if len(rows) > LIST_LIMIT:
        rows, total = rows[:LIST_LIMIT], LIST_LIMIT + 1
    card = needcards.list_card(t, t("Your needs"), rows, total=total,
                               empty=t("You have not registered any needs yet. Write **new need** to register one."))
    if turn.is_invoke:
        return card
    await turn.send_card(card)
    return None


@cap.command("need.mine", r"(?:mina behov|mina ärenden|my needs|behov|needs)", examples=("mina behov", "my needs"))
async def my_needs_command(turn: Turn, match: re.Match) -> None:
    await show_my_needs(turn)


@cap.action(Verb.NEED_MINE)
class MyNeeds(CardAction):
    pass


@cap.handles(MyNeeds)
async def on_my_needs(turn: Turn, act: MyNeeds):
    return await show_my_needs(turn)


# --- one need ----------------------------------------------------------------------------------


def _may_view_area(session, settings, aad_id: str, slug: str) -> bool:
    if is_admin(settings, aad_id) or can(session, settings, aad_id, Permission.view_area_needs, scope=slug):
        return True
    return Role.portfolio_office.value in {a.role.value for a in org.roles_of(session, aad_id) if a.scope == org.PORTFOLIO_SCOPE}


def _coordinator_names(session, slug: str) -> list[str]:
    names = []
    for aad_id in org.holders(session, slug, Role.coordinator):
        person = org.person(session, aad_id)
        names.append(person.name if person and person.name else aad_id)
    return names


def _detail(session, *, number: str | None, need_id: int | None, speaker, settings, lang: str):
    need = repo.by_number(session, number) if number else repo.by_id(session, need_id or 0)
    if need is None:
        return "missing", None
    area = session.get(EArea, need.e_area_id)
    affected = repo.affected(session, need.id)
    involved = need.raised_by == speaker.aad_id or any(a.aad_id == speaker.aad_id for a in affected)
    if not involved and not _may_view_area(session, settings, speaker.aad_id, area.slug):
        return "refused", (area_name_for(area, lang), _coordinator_names(session, area.slug))
    tz = ZoneInfo(settings.timezone)
    history = []
    for event in repo.history(session, need.id):
        try:
            detail = json.loads(event.detail or "{}")
        except ValueError:
            detail = {}
        history.append((event.at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), event.actor_name or event.actor,
                        event.kind, detail if isinstance(detail, dict) else {}))
    goals = [g.title for g in repo.goals_of(session, need.id)]
    view = needcards.NeedDetail(
        row=flow.need_row(need, area, lang, len(affected), settings.timezone), description=need.description,
        benefit=need.benefit, source=need.source, raised_by=need.raised_by_name or need.raised_by,
        on_behalf_of=need.on_behalf_of, hours=need.effort_hours, cost=need.cost_sek,
        wished_date=need.wished_date.isoformat() if need.wished_date else "", goals=goals,
        affected=[a.name or a.aad_id for a in affected], history=history,
        can_assess=can(session, settings, speaker.aad_id, Permission.assess_need, scope=area.slug),
    )
    return "ok", view


def area_name_for(area: EArea, lang: str) -> str:
    return flow.area_name(area, lang)


async def show_need(turn: Turn, *, number: str | None = None, need_id: int | None = None):
    t = turn.t
    kind, data = await turn.db.run(lambda s: _detail(s, number=number, need_id=need_id, speaker=turn.speaker,
                                                     settings=turn.settings, lang=t.lang))
    if kind == "missing":
        text = t("I cannot find a need called {number}. Write **my needs** to see yours.", number=escape((number or "?").upper()))
        return await _answer_text(turn, text)
    if kind == "refused":
        area, names = data
        text = (t("Only the people involved and the steering group of {area} can see this need. Ask its coordinators: {names}.",
                  area=escape(area), names=", ".join(escape(n) for n in names))
                if names else t("Only the people involved and the steering group of {area} can see this need.", area=escape(area)))
        return await _answer_text(turn, text)
    card = needcards.detail_card(t, data)
    if turn.is_invoke:
        return card
    await turn.send_card(card)
    return None


async def _answer_text(turn: Turn, text: str):
    if turn.is_invoke:
        from cards.system import error_card

        return error_card(turn.t, text)
    await turn.say(text)
    return None


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


def _split_area_status(session, words: list[str]) -> tuple[EArea | None, str]:
    """'ekonomi och personal under bedömning' -> (the e-area, 'under bedömning'); longest area first."""
    for cut in range(len(words), 0, -1):
        area = org.find_e_area(session, " ".join(words[:cut]))
        if area is not None:
            return area, " ".join(words[cut:])
    return None, ""


def _area_needs(session, *, rest: str, speaker, settings, lang: str):
    area, status_text = _split_area_status(session, rest.split())
    if area is None:
        return "unknown_area", [flow.area_name(a, lang) for a in org.e_areas(session)]
    statuses = STATUS_WORDS.get(status_text, None) if status_text else rules.OPEN_STATUSES
    if statuses is None:
        return "unknown_status", status_text
    if not _may_view_area(session, settings, speaker.aad_id, area.slug):
        return "refused", (flow.area_name(area, lang), _coordinator_names(session, area.slug))
    wanted = [NeedStatus(s) for s in statuses]
    rows = repo.of_area(session, area.id, wanted, limit=LIST_LIMIT)
    total = repo.count_of_area(session, area.id, wanted)
    counts = repo.affected_counts(session, [need.id for need, _ in rows])
    out = [flow.need_row(need, a, lang, counts.get(need.id, 0), settings.timezone) for need, a in rows]
    return "ok", (flow.area_name(area, lang), statuses, out, total)


@cap.command("need.area", r"(?:behov|needs) (?P<rest>.+)", examples=("behov utbildning", "needs education"))
async def area_needs_command(turn: Turn, match: re.Match) -> None:
    t = turn.t
    kind, data = await turn.db.run(lambda s: _area_needs(s, rest=fold(match.group("rest")), speaker=turn.speaker,
                                                         settings=turn.settings, lang=t.lang))
    if kind == "unknown_area":
        await turn.say(t("I do not know an e-area called \"{name}\". Known e-areas: {known}.",
                         name=escape(match.group("rest")), known=", ".join(escape(n) for n in data) or "–"))
        return
    if kind == "unknown_status":
        await turn.say(t("I do not know the status \"{status}\". Use one of: {known}.", status=escape(data),
                         known=STATUS_EXAMPLES_SV if t.lang == "sv" else
                         "open, all, registered, under assessment, within plan, awaiting decision, inventory, declined, approved, done"))
        return
    if kind == "refused":
        area, names = data
        text = (t("Only the coordinators and the steering group of {area} can list its needs. Ask {names}.",
                  area=escape(area), names=", ".join(escape(n) for n in names))
                if names else t("Only the coordinators and the steering group of {area} can list its needs, and it has no coordinator yet. Ask an administrator.", area=escape(area)))
        await turn.say(text)
        return
    area, statuses, rows, total = data
    if tuple(statuses) == rules.OPEN_STATUSES:
        title = t("Open needs in {area}", area=escape(area))
    elif len(statuses) == 1:
        title = t("{status} needs in {area}", status=needcards.status_label(t, statuses[0]), area=escape(area))
    else:
        title = t("All needs in {area}", area=escape(area))
    await turn.send_card(needcards.list_card(t, title, rows, total=total, empty=t("No needs with that status.")))


# --- plans -------------------------------------------------------------------------------------


def _plan_view(session, area: EArea, year: int, lang: str) -> plancards.PlanView | None:
    plan = plans.plan_for(session, area.id, year)
    if plan is None:
        return None
    goals = tuple(plancards.GoalView(g.support_area, g.title, g.start, g.end, g.units) for g in plans.goals(session, plan.id))
    return plancards.PlanView(area_slug=area.slug, area=flow.area_name(area, lang), year=year, title=plan.title,
                              status=str(getattr(plan.status, "value", plan.status)), frame_sek=plan.frame_sek,
                              frame_hours=plan.frame_hours, used_sek=plan.committed_sek,
                              used_hours=plan.committed_hours, goals=goals)


def _may_view_plan(session, settings, aad_id: str, slug: str) -> bool:
    if is_admin(settings, aad_id) or can(session, settings, aad_id, Permission.view_plan, scope=slug):
        return True
    return Role.portfolio_office.value in {a.role.value for a in org.roles_of(session, aad_id) if a.scope == org.PORTFOLIO_SCOPE}


def _plan_work(session, *, words: list[str], year: int, speaker, settings, lang: str):
    if words and re.fullmatch(r"20\d\d", words[-1]):
        year = int(words[-1])
        words = words[:-1]
    if words:
        area, rest = _split_area_status(session, words)
        if area is None or rest:
            return "unknown_area", [flow.area_name(a, lang) for a in org.e_areas(session)]
        areas = [area]
    else:
        areas = [a for a in org.e_areas(session) if _may_view_plan(session, settings, speaker.aad_id, a.slug)]
        if not areas:
            return "no_areas", None
        if len(areas) > 1:
            return "choose", ([(a.slug, flow.area_name(a, lang)) for a in areas], year)
    area = areas[0]
    if not _may_view_plan(session, settings, speaker.aad_id, area.slug):
        return "refused", (flow.area_name(area, lang), _coordinator_names(session, area.slug))
    view = _plan_view(session, area, year, lang)
    if view is None:
        return "no_plan", (flow.area_name(area, lang), year)
    return "ok", view


async def show_plan(turn: Turn, words: list[str], year: int | None = None):
    t = turn.t
    year = year or flow.local_today(turn).year
    kind, data = await turn.db.run(lambda s: _plan_work(s, words=words, year=year, speaker=turn.speaker,
                                                        settings=turn.settings, lang=t.lang))
    if kind == "ok":
        card = plancards.plan_card(t, data)
    elif kind == "choose":
        card = plancards.plan_choice_card(t, data[0], data[1])
    else:
        if kind == "unknown_area":
            text = t("I do not know an e-area called \"{name}\". Known e-areas: {known}.",
                     name=escape(" ".join(words)), known=", ".join(escape(n) for n in data) or "–")
        elif kind == "no_areas":
            text = t("Plans are shown to the coordinators and steering groups of each e-area, and you have no role in one. Write **plan <e-area>** if you have been given access, or ask the e-area's coordinator.")
        elif kind == "refused":
            area, names = data
            text = (t("Only the coordinators and the steering group of {area} can see its plan. Ask {names}.",
                      area=escape(area), names=", ".join(escape(n) for n in names))
                    if names else t("Only the coordinators and the steering group of {area} can see its plan.", area=escape(area)))
        else:
            area, plan_year = data
            text = t("{area} has no plan for {year} yet.", area=escape(area), year=plan_year)
        return await _answer_text(turn, text)
    if turn.is_invoke:
        return card
    await turn.send_card(card)
    return None


@cap.command("plan", r"(?:plan|planen|plans)(?: (?P<rest>.+))?", examples=("plan utbildning", "plan education"))
async def plan_command(turn: Turn, match: re.Match) -> None:
    await show_plan(turn, (match.group("rest") or "").split())


@cap.action(Verb.PLAN_SHOW)
class ShowPlan(CardAction):
    area: str
    year: int | None = None


@cap.handles(ShowPlan)
async def on_show_plan(turn: Turn, act: ShowPlan):
    year = act.year if act.year and 2000 <= act.year <= 2100 else None
    return await show_plan(turn, [act.area[:60]], year)
