"""What the assessment, decision-basis and anchoring forms share: reading the inputs of a click,
answering in place or as a message, and saying why a need cannot be assessed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.i18n import area_name
from bot.turn import Turn
from cards.common import escape
from cards.system import error_card
from storage.models import NeedStatus


def inputs(turn: Turn) -> dict[str, Any]:
    """The form inputs that came with the click (Action.Submit value or Action.Execute data)."""
    value = turn.activity.value or {}
    if turn.is_invoke and isinstance(value, dict):
        value = (value.get("action") or {}).get("data") or {}
    return value if isinstance(value, dict) else {}


async def reply(turn: Turn, card: dict) -> dict | None:
    """Action.Execute shows the card in place; Action.Submit gets it as a new message."""
    if turn.is_invoke:
        return card
    await turn.send_card(card)
    return None


async def say(turn: Turn, text: str) -> dict | None:
    if turn.is_invoke:
        return error_card(turn.t, text)
    await turn.say(text)
    return None


@dataclass(frozen=True)
class Problem:
    kind: str  # no_need | not_allowed | decided | no_plan
    detail: Any = None
    area: Any = ""  # the EArea (named in the reader's language) or a name

    def area_name(self, t) -> str:
        return self.area if isinstance(self.area, str) else area_name(self.area, t)


def status_label(t, status: NeedStatus) -> str:
    return {
        NeedStatus.approved: t("approved"),
        NeedStatus.declined: t("declined"),
        NeedStatus.done: t("done"),
        NeedStatus.withdrawn: t("withdrawn"),
    }.get(status, status.value)


async def problem_reply(turn: Turn, problem: Problem) -> dict | None:
    t = turn.t
    if problem.kind == "no_need":
        return await say(turn, t("I cannot find need {number}. Check the number, for example **B-2026-0042**.",
                                 number=escape(str(problem.detail))))
    if problem.kind == "not_allowed":
        names = problem.detail
        if names:
            return await say(turn, t("Only the coordinators of {area} can assess this need. Ask {names}.",
                                     area=escape(problem.area_name(t)), names=", ".join(escape(n) for n in names)))
        return await say(turn, t("Only the coordinators of {area} can assess this need, and it has no coordinator yet. Ask an administrator.",
                                 area=escape(problem.area_name(t))))
    if problem.kind == "decided" and problem.detail == NeedStatus.withdrawn:
        return await say(turn, t("This need was withdrawn by the person who registered it, so there is nothing to assess."))
    if problem.kind == "decided":
        return await say(turn, t("This need is already decided ({status}), so it cannot be assessed again. Register a new need if things have changed.",
                                 status=status_label(t, problem.detail)))
    year, has_draft = problem.detail
    if has_draft:
        return await say(turn, t("The plan of {area} for {year} is not decided yet, so there is no frame to assess against. Ask the steering group to decide the plan first.",
                                 area=escape(problem.area_name(t)), year=year))
    return await say(turn, t("{area} has no plan for {year}, so there is no frame to assess against. The coordinators need to add the year's plan and have it decided first.",
                             area=escape(problem.area_name(t)), year=year))
