"""Cards for plans: one e-area's plan for a year (goals, resource frame used and left), or a choice."""

from __future__ import annotations

from dataclasses import dataclass

from microsoft_teams.cards import Container, Fact, FactSet

from bot.i18n import Translator
from cards.common import card, effort, escape, heading, para, status_label, submit, user_text
from cards.needs import number_text
from cards.verbs import Verb


@dataclass(frozen=True)
class GoalView:
    support_area: str
    title: str
    start: str
    end: str
    units: str = ""
    period: str = ""  # one "Planerad start/slut" text, as the plan wrote it


@dataclass(frozen=True)
class PlanView:
    area_slug: str
    area: str
    year: int
    title: str
    status: str  # draft | decided
    frame_sek: int
    frame_hours: int
    used_sek: int
    used_hours: int
    goals: tuple[GoalView, ...]


def _frame_line(t: Translator, used: int, frame: int, unit: str) -> str:
    left = frame - used
    if left >= 0:
        return t("{used} of {frame} {unit} used, {left} left", used=number_text(t, used),
                 frame=number_text(t, frame), unit=unit, left=number_text(t, left))
    return t("{used} of {frame} {unit} used, {over} over the frame", used=number_text(t, used),
             frame=number_text(t, frame), unit=unit, over=number_text(t, -left)) + " ⚠"


def plan_card(t: Translator, view: PlanView) -> dict:
    body: list = [
        heading(escape(view.title) if view.title else t("Plan for {area} {year}", area=escape(view.area), year=view.year)),
        FactSet(facts=[
            Fact(title=t("E-area"), value=escape(view.area)),
            Fact(title=t("Year"), value=str(view.year)),
            Fact(title=t("Status"), value=status_label(t, view.status)),
            Fact(title=t("Budget"), value=_frame_line(t, view.used_sek, view.frame_sek, t("SEK"))),
            Fact(title=t("Capacity"), value=_frame_line(t, view.used_hours, view.frame_hours, t("hours"))),
        ]),
    ]
    if view.used_sek > view.frame_sek or view.used_hours > view.frame_hours:
        body.append(Container(style="attention", items=[para(t("More is committed than the frame allows. Changes need a steering-group decision."))]))
    body.append(heading(t("Goals"), size="Medium"))
    if not view.goals:
        body.append(para(t("The plan has no goals yet. Coordinators import them with **styra plan import**.")))
    current = None
    for goal in view.goals:
        if goal.support_area != current:
            current = goal.support_area
            if current:
                body.append(user_text(current, weight="Bolder", color="Accent"))
        if goal.period and not (goal.start or goal.end):
            span = goal.period
        elif goal.start and goal.end:
            span = f"{goal.start} – {goal.end}"
        elif goal.start or goal.end:
            span = t("from {start}", start=goal.start) if goal.start else t("until {end}", end=goal.end)
        else:
            span = t("No dates set")
        body.append(Container(spacing="Small", items=[
            user_text(goal.title),
            para(escape(span) + (f" · {escape(goal.units)}" if goal.units else ""), size="Small",
                 is_subtle=True, spacing="None"),
        ]))
    other_year = view.year + 1
    return card(body, [submit(t("Plan for {year}", year=other_year),
                              {"verb": Verb.PLAN_SHOW, "area": view.area_slug, "year": other_year})],
                fallback_text=t("Plan for {area} {year}", area=view.area, year=view.year))


@dataclass(frozen=True)
class OverFrameView:
    """A plan an approval has put over its frame (figures after the decision)."""

    area: str
    plan_title: str
    need_number: str
    need_title: str
    decision_number: str
    frame_hours: int
    frame_sek: int
    committed_hours: int
    committed_sek: int


def over_frame_notice(t: Translator, view: OverFrameView) -> dict:
    """For the coordinators: a commitment has put the plan over its frame, never silently."""
    title = t("{plan} is over its frame", plan=escape(view.plan_title))
    over_hours, over_sek = max(0, view.committed_hours - view.frame_hours), max(0, view.committed_sek - view.frame_sek)
    body: list = [
        heading(title, size="Medium"),
        Container(style="attention", items=[para(t(
            "Decision {decision} on need {need} committed more than the frame allows.",
            decision=view.decision_number, need=view.need_number))]),
        FactSet(facts=[
            Fact(title=t("E-area"), value=escape(view.area)),
            Fact(title=t("Need"), value=f"{view.need_number} {escape(view.need_title)}"),
            Fact(title=t("Budget"), value=_frame_line(t, view.committed_sek, view.frame_sek, t("SEK"))),
            Fact(title=t("Capacity"), value=_frame_line(t, view.committed_hours, view.frame_hours, t("hours"))),
            Fact(title=t("Over the frame"), value=effort(t, over_hours, over_sek)),
        ]),
        para(t("Anything more needs a steering-group decision: propose a change to the frame or to the plan."),
             is_subtle=True, size="Small"),
    ]
    return card(body, fallback_text=title)


def plan_choice_card(t: Translator, areas: list[tuple[str, str]], year: int) -> dict:
    body = [heading(t("Which e-area's plan?"), size="Medium"),
            para(t("You have a role in several e-areas. Pick one, or write **plan <e-area>**."))]
    actions = [submit(name, {"verb": Verb.PLAN_SHOW, "area": slug, "year": year}) for slug, name in areas[:6]]
    return card(body, actions, fallback_text=t("Which e-area's plan?"))
