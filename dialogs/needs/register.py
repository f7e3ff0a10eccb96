"""Registering a need: `nytt behov`, "Vi behöver …", the welcome card's button, and the form.

The whole form is one Adaptive Card, and every step carries what it needs in the card itself
(the inputs, and a random form id put in the submit data when the form is rendered), so nothing
lives between turns: a form can be sent days later, from another device, after a restart, or
twice. The form id becomes Need.request_key (unique), which is what makes a repeated submit
answer with the same confirmation instead of a second need. The similar-needs step shows the
user's inputs again on the same card, so "new need" submits them once more and "same need"
needs only the need's id.

Flow: form -> (invalid: the same form with errors, values kept) -> (similar needs found: the
choice card) -> confirmation, or "you are now also affected". The coordinators' notice is
written to the outbox with the need (dialogs/needs/notice.py).
"""

from __future__ import annotations

import asyncio
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import field_validator, model_validator

from bot.actions import CardAction
from bot.config import Settings
from bot.i18n import Translator
from bot.registry import Capability, Where
from bot.rules import needs as rules
from bot.similar import index_of
from bot.turn import Speaker, Turn
from cards import needs as needcards
from cards.verbs import Verb
from dialogs.needs import notice
from dialogs.needs.views import area_name, local_today, need_row, show
from storage import access, org, plans
from storage import needs as repo
from storage.models import EArea, Need, Role

cap = Capability("need-form")

FORM_ID_CHARS = set("0123456789abcdefghijklmnopqrstuvwxyz-")


def new_form_id() -> str:
    return secrets.token_hex(12)


def valid_form_id(value: Any) -> str | None:
    if isinstance(value, str) and 8 <= len(value) <= 64 and set(value) <= FORM_ID_CHARS:
        return value
    return None


def request_key(aad_id: str, form_id: str) -> str:
    # The person is part of the key: a forwarded card cannot reveal or reuse someone else's need.
    return f"need-form:{aad_id}:{form_id}"[:200]


# --- what a card sends ----------------------------------------------------------------------


class NeedInputs(CardAction):
    """The form's inputs, which Teams merges into the button's data. Read leniently: a value of
    the wrong type (a list, an object) is named in `unreadable` and answered on the form with
    everything else kept, never refused as a damaged card. rules.validate checks the rest."""

    title: str | None = None
    description: str | None = None
    e_area: str | None = None
    source: str | None = None
    on_behalf_of: str | None = None
    benefit: str | None = None
    hours: str | None = None
    cost: str | None = None
    wished_date: str | None = None
    goals: str | None = None
    unreadable: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _read_inputs(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data, unreadable = dict(data), []
        for name in rules.FIELDS:
            value = data.get(name)
            if value is None or isinstance(value, str):
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                data[name] = str(value)
            else:
                unreadable.append(name)
                data.pop(name)
        data["unreadable"] = tuple(unreadable)
        return data

    def typed(self) -> dict[str, str]:
        """What was typed, field by field (absent fields left out)."""
        return {name: value for name in rules.FIELDS if (value := getattr(self, name)) is not None}


@cap.action(Verb.NEED_SUBMIT)
class SubmitNeed(NeedInputs):
    # A damaged form id reads as None: the form is shown again, not refused.
    form_id: str | None = None
    confirmed: bool = False  # "new need, save it" on the similar-needs card

    @field_validator("form_id", mode="before")
    @classmethod
    def _form_id(cls, value: Any) -> str | None:
        return valid_form_id(value)

    @field_validator("confirmed", mode="before")
    @classmethod
    def _confirmed(cls, value: Any) -> bool:
        return value is True or value == "true"


@cap.action(Verb.NEED_START, personal=True)
class StartNeed(CardAction):
    title: str = ""

    @field_validator("title")
    @classmethod
    def _short(cls, value: str) -> str:
        return value[: rules.TITLE_MAX]


@cap.action(Verb.NEED_JOIN)
class JoinNeed(CardAction):
    need_id: int


# --- the form --------------------------------------------------------------------------------


def _form_view(session, lang: str, today: date, form_id: str, values: dict[str, str],
               errors: dict[str, str] | None = None) -> needcards.FormView:
    areas = [needcards.Option(a.slug, area_name(a, lang)) for a in org.e_areas(session)]
    goals = [needcards.Option(str(goal.id), f"{area_name(area, lang)} – {goal.title}")
             for area, goal in plans.goals_of_year(session, today.year)]
    return needcards.FormView(form_id=form_id, areas=areas, goals=goals, today=today.isoformat(),
                              values=values, errors=errors or {})


form_view = _form_view  # the edit form shows the same fields (dialogs/needs/edit.py)


async def open_form(turn: Turn, title: str = "", description: str = "") -> None:
    today = local_today(turn)
    values = {"title": title[: rules.TITLE_MAX], "description": description[: rules.DESCRIPTION_MAX],
              "source": "staff", "e_area": ""}
    view = await turn.db.run(_form_view, turn.t.lang, today, new_form_id(), values)
    await show(turn, needcards.need_form_card(turn.t, view), new_message=True)


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
    await open_form(turn, title, description)


@cap.handles(StartNeed)
async def on_start_need(turn: Turn, act: StartNeed):
    await open_form(turn, act.title)
    return None


# --- the submit ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    t: Translator
    speaker: Speaker
    form: SubmitNeed
    today: date
    now: datetime
    settings: Settings
    index: Any  # the similar-needs index (bot.similar)


@dataclass
class Outcome:
    kind: str  # invalid | similar | created | repeat
    need: Need | None = None  # the need saved (or saved before: repeat)
    area: EArea | org.Area | None = None
    view: needcards.FormView | None = None  # invalid, similar: the form again
    similar: list = field(default_factory=list)  # similar: (need, affected count)
    draft: Any = None  # validated, not yet saved
    coordinators: list[org.Contact] = field(default_factory=list)
    plan_status: str | None = None


def _saved(session, outcome: Outcome, today: date) -> Outcome:
    """What the confirmation card tells about a saved need: its coordinators and plan."""
    outcome.coordinators = outcome.coordinators or org.contacts(session, outcome.area.slug, Role.coordinator)
    status = plans.status_of(session, outcome.area.id, today.year)
    outcome.plan_status = status.value if status else None
    return outcome


def check_work(session, sub: Submission) -> Outcome:
    """Reads only (no write lock on SQLite): the repeat check, the e-areas and their plans (one
    statement), validation, the similar needs."""
    t, form, today = sub.t, sub.form, sub.today
    facts = repo.form_facts(session, request_key(sub.speaker.aad_id, form.form_id), today.year)
    if facts.taken is not None:
        need = repo.by_id(session, facts.taken)
        return _saved(session, Outcome("repeat", need, org.e_area(session, need.e_area_id)), today)
    areas = facts.areas
    typed = form.typed()
    # The plan goals are read only when some were chosen: validation looks at them for nothing else.
    goals = plans.goal_ids_by_area(session, today.year) if (typed.get("goals") or "").strip() else {}
    check = rules.validate(typed, today=today, areas=set(areas), goals_by_area=goals, unreadable=form.unreadable)
    if not check.ok:
        return Outcome("invalid", view=_form_view(session, t.lang, today, form.form_id, check.kept, check.errors))
    area = areas[check.draft.e_area]
    if not form.confirmed:
        similar = sub.index.search(session, area.id, check.draft.title, check.draft.description)
        if similar:
            counts = repo.affected_counts(session, [need.id for need, _ in similar])
            return Outcome("similar", area=area, view=_form_view(session, t.lang, today, form.form_id, check.kept),
                           similar=[(need, counts.get(need.id, 0)) for need, _score in similar])
    status = facts.plans.get(area.id)
    return Outcome("valid", area=area, draft=check.draft, plan_status=status.value if status else None)


def save_work(session, sub: Submission, checked: Outcome) -> Outcome:
    """One transaction: the need and its coordinators' notice (or, for similar needs, that
    they were offered). The key's lookup, the similarity search, the plan and the card are done
    outside it; the need is written without a lookup first (create_once)."""
    if checked.kind == "similar":
        access.record_offers(session, sub.speaker.aad_id, [need.id for need, _ in checked.similar], sub.now)
        return checked
    draft, area = checked.draft, checked.area
    need, created = repo.create_once(
        session, request_key=request_key(sub.speaker.aad_id, sub.form.form_id), e_area_id=area.id,
        year=sub.today.year, title=draft.title, description=draft.description, source=draft.source,
        raised_by=sub.speaker.aad_id, raised_by_name=sub.speaker.name, on_behalf_of=draft.on_behalf_of,
        benefit=draft.benefit, effort_hours=draft.hours, cost_sek=draft.cost, wished_date=draft.wished_date,
        goal_ids=draft.goals, at=sub.now)
    if not created:  # the same form saved at this moment by a redelivery
        outcome = Outcome("repeat", need, org.e_area(session, need.e_area_id))
        return _saved(session, outcome, sub.today)
    coordinators = org.contacts(session, area.slug, Role.coordinator)
    notice.enqueue(session, need=need, area=area, raised_by=sub.speaker.name, raiser=sub.speaker.aad_id,
                   coordinators=coordinators, settings=sub.settings, now=sub.now)
    return Outcome("created", need, area, coordinators=coordinators, plan_status=checked.plan_status)


def card_of(sub: Submission, outcome: Outcome) -> dict:
    t, tz = sub.t, sub.settings.timezone
    if outcome.kind == "invalid":
        return needcards.need_form_card(t, outcome.view)
    if outcome.kind == "similar":
        rows = [need_row(need, outcome.area, t.lang, count, tz) for need, count in outcome.similar]
        return needcards.similar_card(t, outcome.view, rows)
    need, today = outcome.need, sub.today
    steps = rules.next_steps(str(getattr(need.status, "value", need.status)),
                             coordinators=[c.name for c in outcome.coordinators], wished_date=need.wished_date,
                             today=today, plan_status=outcome.plan_status, year=today.year)
    return needcards.confirmation_card(t, need_row(need, outcome.area, t.lang, tz=tz), steps,
                                       repeated=outcome.kind == "repeat")


@cap.handles(SubmitNeed)
async def on_submit(turn: Turn, act: SubmitNeed):
    t = turn.t
    today = local_today(turn)
    if act.form_id is None:
        # A damaged or hand-made submit: show the form again with what it carried and a fresh id.
        view = await turn.db.run(_form_view, t.lang, today, new_form_id(), act.typed())
        await turn.say(t("That form could not be read, so nothing was saved. Here it is again with what you wrote; check it and send it."))
        return await show(turn, needcards.need_form_card(t, view), new_message=True)
    sub = Submission(t=t, speaker=turn.speaker, form=act, today=today, now=turn.now(),
                     settings=turn.settings, index=index_of(turn.services))
    # The checks and the similarity search read only; the write that follows is short, and the
    # card is built after it, so other turns wait for as little as possible.
    outcome = await turn.db.read(check_work, sub)
    if outcome.kind in ("valid", "similar"):
        outcome = await turn.db.run(save_work, sub, outcome)
    if outcome.kind == "created":
        turn.services.outbox.nudge()
    answer = await show(turn, card_of(sub, outcome))
    if outcome.kind == "created":
        need = outcome.need  # committed: the next similarity check of the e-area sees it at once
        await asyncio.to_thread(sub.index.put, need.e_area_id, need.id, need.title, need.description)
    return answer


# --- "same need: add me as also affected" ----------------------------------------------------


def join_work(session, *, t: Translator, speaker: Speaker, need_id: int, tz: str) -> dict | None:
    need = repo.by_id(session, need_id)
    if need is None:
        return None
    area = org.e_area(session, need.e_area_id)
    own = need.raised_by == speaker.aad_id
    added = False if own else repo.add_affected(session, need, speaker.aad_id, speaker.name)
    count = repo.affected_counts(session, [need.id]).get(need.id, 0)
    return needcards.joined_card(t, need_row(need, area, t.lang, count, tz), added=added, own=own)


@cap.handles(JoinNeed)
async def on_join(turn: Turn, act: JoinNeed):
    card = await turn.db.run(join_work, t=turn.t, speaker=turn.speaker, need_id=act.need_id,
                             tz=turn.settings.timezone)
    if card is None:
        await turn.say(turn.t("I cannot find that need any more. Nothing was changed."))
        return None
    return await show(turn, card)
