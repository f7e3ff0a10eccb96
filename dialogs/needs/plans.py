"""An e-area's plan in chat: `plan [<e-område>] [år]` and the button that shows another year."""

from __future__ import annotations

import re

from pydantic import field_validator

from bot.actions import CardAction
from bot.registry import Capability
from bot.rules.permissions import Permission
from bot.turn import Turn
from cards import plan as plancards
from cards.common import escape
from cards.verbs import Verb
from dialogs.needs.views import (
    answer_text,
    area_name,
    coordinator_names,
    local_today,
    may_view,
    send,
    split_area,
)
from storage import org, plans
from storage.models import EArea

cap = Capability("plans")


def _plan_view(session, area: EArea, year: int, lang: str) -> plancards.PlanView | None:
    plan = plans.plan_for(session, area.id, year)
    if plan is None:
        return None
    goals = tuple(plancards.GoalView(g.support_area, g.title, g.start, g.end, g.units, g.period) for g in plans.goals(session, plan.id))
    return plancards.PlanView(area_slug=area.slug, area=area_name(area, lang), year=year, title=plan.title,
                              status=str(getattr(plan.status, "value", plan.status)), frame_sek=plan.frame_sek,
                              frame_hours=plan.frame_hours, used_sek=plan.committed_sek,
                              used_hours=plan.committed_hours, goals=goals)


def _plan_work(session, *, words: list[str], year: int, speaker, settings, lang: str):
    if words and re.fullmatch(r"20\d\d", words[-1]):
        year = int(words[-1])
        words = words[:-1]
    if words:
        area, rest = split_area(session, words)
        if area is None or rest:
            return "unknown_area", [area_name(a, lang) for a in org.e_areas(session)]
        areas = [area]
    else:
        areas = [a for a in org.e_areas(session)
                 if may_view(session, settings, speaker.aad_id, a.slug, Permission.view_plan)]
        if not areas:
            return "no_areas", None
        if len(areas) > 1:
            return "choose", ([(a.slug, area_name(a, lang)) for a in areas], year)
    area = areas[0]
    if not may_view(session, settings, speaker.aad_id, area.slug, Permission.view_plan):
        return "refused", (area_name(area, lang), coordinator_names(session, area.slug))
    view = _plan_view(session, area, year, lang)
    if view is None:
        return "no_plan", (area_name(area, lang), year)
    return "ok", view


async def show_plan(turn: Turn, words: list[str], year: int | None = None):
    t = turn.t
    year = year or local_today(turn).year
    kind, data = await turn.db.read(lambda s: _plan_work(s, words=words, year=year, speaker=turn.speaker,
                                                        settings=turn.settings, lang=t.lang))
    if kind == "ok":
        return await send(turn, plancards.plan_card(t, data))
    if kind == "choose":
        return await send(turn, plancards.plan_choice_card(t, data[0], data[1]))
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
    return await answer_text(turn, text)


@cap.command("plan", r"(?:plan|planen|plans)(?: (?P<rest>.+))?", examples=("plan utbildning", "plan education"))
async def plan_command(turn: Turn, match: re.Match) -> None:
    await show_plan(turn, (match.group("rest") or "").split())


@cap.action(Verb.PLAN_SHOW)
class ShowPlan(CardAction):
    area: str
    year: int | None = None  # a year outside 2000-2100 reads as "this year"

    @field_validator("area")
    @classmethod
    def _short(cls, value: str) -> str:
        return value[:60]

    @field_validator("year")
    @classmethod
    def _plausible(cls, value: int | None) -> int | None:
        return value if value and 2000 <= value <= 2100 else None


@cap.handles(ShowPlan)
async def on_show_plan(turn: Turn, act: ShowPlan):
    return await show_plan(turn, [act.area], act.year)
