"""The "register a need" guided flow, driven by card verbs rather than a botbuilder ComponentDialog.

Why not a ComponentDialog: the whole form is one Adaptive Card, and its submits arrive as card
verbs, which the handler routes before any dialog runs. Every step carries what it needs in the
card itself (the inputs, and a random form id put in the submit data when the form is rendered),
so no dialog state has to live between turns: a form can be sent days later, from another device,
after a restart, or twice. The form id becomes Need.request_key (unique), which is what makes a
repeated submit answer with the same confirmation instead of a second need. The similar-needs
step shows the user's inputs again on the same card, so "new need" submits them once more and
"same need" needs only the need's id. Nothing is registered in dialogs.registry for this flow.

Flow: form -> (invalid: the same form with errors, values kept) -> (similar needs found: the
choice card) -> confirmation, or "you are now also affected". Coordinators are told of new needs.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from bot.i18n import translator
from bot.rules import needs as rules
from bot.similar import index_of
from cards import needs as needcards
from storage import access, org, plans
from storage import needs as repo
from storage.models import ChannelPurpose, EArea, Need, Role

log = logging.getLogger("styra.needs")

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


def local_today(turn) -> date:
    return turn.now().astimezone(ZoneInfo(turn.settings.timezone)).date()


def area_name(area: EArea, lang: str) -> str:
    return (area.name_en or area.name) if lang == "en" else area.name


def need_row(need: Need, area: EArea, lang: str, affected: int = 0, tz: str = "Europe/Stockholm") -> needcards.NeedRow:
    created = need.created_at.astimezone(ZoneInfo(tz)).date().isoformat() if need.created_at else ""
    excerpt = need.description[:200] + ("…" if len(need.description) > 200 else "")
    return needcards.NeedRow(need_id=need.id, number=need.number, title=need.title, status=str(getattr(need.status, "value", need.status)),
                             area=area_name(area, lang), created=created, affected=affected, excerpt=excerpt)


# --- reading what the form needs -----------------------------------------------------------


def _form_options(session, lang: str, year: int) -> tuple[list[needcards.Option], list[needcards.Option], dict[str, set[int]]]:
    areas = org.e_areas(session)
    area_options = [needcards.Option(a.slug, area_name(a, lang)) for a in areas]
    goal_options, goals_by_area = [], {}
    for area, goal in plans.goals_of_year(session, year):
        goals_by_area.setdefault(area.slug, set()).add(goal.id)
        goal_options.append(needcards.Option(str(goal.id), f"{area_name(area, lang)} – {goal.title}"))
    return area_options, goal_options, goals_by_area


def _valid_choices(session, year: int) -> tuple[set[str], dict[str, set[int]]]:
    """Only what validation needs (slugs and goal ids), in two light column queries."""
    from sqlmodel import select

    from storage.models import Plan, PlanGoal

    slugs = set(session.exec(select(EArea.slug)))
    goals: dict[str, set[int]] = {}
    stmt = (select(EArea.slug, PlanGoal.id).join(Plan, Plan.e_area_id == EArea.id)
            .join(PlanGoal, PlanGoal.plan_id == Plan.id).where(Plan.year == year))
    for slug, goal_id in session.exec(stmt):
        goals.setdefault(slug, set()).add(goal_id)
    return slugs, goals


def _coordinators(session, slug: str) -> list[tuple[str, str, str | None]]:
    """(aad id, name, chosen language) of the e-area's coordinators, in one query."""
    from sqlalchemy import func
    from sqlmodel import select

    from storage.models import Person, RoleAssignment

    stmt = (select(RoleAssignment.aad_id, Person.name, func.coalesce(Person.locale, Person.client_locale))
            .join(Person, Person.aad_id == RoleAssignment.aad_id, isouter=True)
            .where(RoleAssignment.scope == slug, RoleAssignment.role == Role.coordinator)
            .order_by(RoleAssignment.aad_id))
    return [(aad_id, name or aad_id, locale) for aad_id, name, locale in session.exec(stmt)]


def _plan_status(session, area_id: int, year: int) -> str | None:
    from sqlmodel import select

    from storage.models import Plan

    status = session.exec(select(Plan.status).where(Plan.e_area_id == area_id, Plan.year == year)).first()
    return None if status is None else str(getattr(status, "value", status))


def _form_view(session, lang: str, year: int, today: date, form_id: str, values: dict[str, str],
               errors: dict[str, str] | None = None) -> needcards.FormView:
    area_options, goal_options, _ = _form_options(session, lang, year)
    return needcards.FormView(form_id=form_id, areas=area_options, goals=goal_options, today=today.isoformat(),
                              values=values, errors=errors or {})


async def open_form(turn, title: str = "", description: str = "", area_slug: str | None = None) -> None:
    today = local_today(turn)
    values = {"title": title[: rules.TITLE_MAX], "description": description[: rules.DESCRIPTION_MAX],
              "source": "staff", "e_area": area_slug or ""}
    view = await turn.db.run(_form_view, turn.t.lang, today.year, today, new_form_id(), values)
    await show(turn, needcards.need_form_card(turn.t, view), new_message=True)


async def show(turn, content: dict, *, new_message: bool = False):
    """Answer a card click: in place for Action.Execute, else replace the clicked card when possible."""
    if turn.is_invoke:
        return content
    reply_to = getattr(turn.activity, "reply_to_id", None)
    if reply_to and not new_message:
        try:
            await turn.replace_card(reply_to, content)
            return None
        except Exception as exc:  # an old or foreign message cannot be edited: send a new one
            log.info("could not update card %s in place: %s", reply_to, exc)
    await turn.send_card(content)
    return None


# --- the submit ------------------------------------------------------------------------------


@dataclass
class Outcome:
    kind: str  # invalid | similar | created | repeat | refused
    card: dict | None = None
    notify: dict[str, Any] = field(default_factory=dict)


def _confirmation(session, t, need: Need, area: EArea, today: date, *, repeated: bool, tz: str,
                  coordinators: list[tuple[str, str, str | None]] | None = None) -> dict:
    if coordinators is None:
        coordinators = _coordinators(session, area.slug)
    steps = rules.next_steps(str(getattr(need.status, "value", need.status)),
                             coordinators=[name for _aad, name, _locale in coordinators],
                             wished_date=need.wished_date, today=today,
                             plan_status=_plan_status(session, area.id, today.year), year=today.year)
    row = need_row(need, area, t.lang, tz=tz)
    return needcards.confirmation_card(t, row, steps, repeated=repeated)


def submit_work(session, *, t, speaker, raw: dict[str, Any], form_id: str, confirmed: bool, today: date,
                now, index, tz: str) -> Outcome:
    """One transaction: repeat check, validation, similar needs, save."""
    key = request_key(speaker.aad_id, form_id)
    existing = repo.by_request_key(session, key)
    if existing is not None:
        area = session.get(EArea, existing.e_area_id)
        return Outcome("repeat", _confirmation(session, t, existing, area, today, repeated=True, tz=tz))
    slugs, goals_by_area = _valid_choices(session, today.year)
    check = rules.validate(raw, today=today, areas=slugs, goals_by_area=goals_by_area)
    if not check.ok:
        area_options, goal_options, _ = _form_options(session, t.lang, today.year)
        view = needcards.FormView(form_id, area_options, goal_options, today.isoformat(), check.kept, check.errors)
        return Outcome("invalid", needcards.need_form_card(t, view))
    draft = check.draft
    area = org.e_area_by_slug(session, draft.e_area)
    if not confirmed:
        similar = index.search(session, area.id, draft.title, draft.description)
        if similar:
            access.record_offers(session, speaker.aad_id, [need.id for need, _ in similar], now)
            counts = repo.affected_counts(session, [need.id for need, _ in similar])
            rows = [need_row(need, area, t.lang, counts.get(need.id, 0), tz) for need, _score in similar]
            area_options, goal_options, _ = _form_options(session, t.lang, today.year)
            view = needcards.FormView(form_id, area_options, goal_options, today.isoformat(), check.kept, {})
            return Outcome("similar", needcards.similar_card(t, view, rows))
    need = repo.create(session, e_area_id=area.id, year=today.year, title=draft.title,
                       description=draft.description, source=draft.source, raised_by=speaker.aad_id,
                       raised_by_name=speaker.name, on_behalf_of=draft.on_behalf_of, benefit=draft.benefit,
                       effort_hours=draft.hours, cost_sek=draft.cost, wished_date=draft.wished_date,
                       goal_ids=draft.goals, request_key=key, at=now)
    coordinators = _coordinators(session, area.slug)
    card = _confirmation(session, t, need, area, today, repeated=False, tz=tz, coordinators=coordinators)
    notice = {"need_id": need.id, "area": area, "need": need, "raised_by": speaker.name, "raiser": speaker.aad_id,
              "coordinators": [(aad_id, locale) for aad_id, _name, locale in coordinators]}
    return Outcome("created", card, notice)


async def on_submit(turn, form_id_value: Any, confirmed: bool):
    t = turn.t
    raw = _submitted(turn)
    today = local_today(turn)
    form_id = valid_form_id(form_id_value)
    if form_id is None:
        # A damaged or hand-made submit: show the form again with what it carried and a fresh id.
        kept = {k: v for k, v in raw.items() if k in rules.FIELDS and isinstance(v, str)}
        view = await turn.db.run(_form_view, t.lang, today.year, today, new_form_id(), kept)
        await turn.say(t("That form could not be read, so nothing was saved. Here it is again with what you wrote; check it and send it."))
        return await show(turn, needcards.need_form_card(t, view), new_message=True)
    index = index_of(turn.services)
    args = dict(t=t, speaker=turn.speaker, raw=raw, form_id=form_id, confirmed=bool(confirmed is True or confirmed == "true"),
                today=today, now=turn.now(), index=index, tz=turn.settings.timezone)
    try:
        outcome = await turn.db.run(lambda s: submit_work(s, **args))
    except IntegrityError:
        # The same form saved concurrently by a redelivery: answer with that need.
        log.info("concurrent submit of form %s; answering with the stored need", form_id)
        outcome = await turn.db.run(lambda s: submit_work(s, **args))
    answer = await show(turn, outcome.card)
    if outcome.kind == "created":
        need = outcome.notify["need"]  # committed: the next check of the e-area sees it at once
        await asyncio.to_thread(index.put, need.e_area_id, need.id, need.title, need.description)
        # Off the turn's path: pacing towards one busy chat must never slow down the person registering.
        _in_background(turn.services, notify_coordinators(turn, outcome.notify))
    return answer


def _submitted(turn) -> dict[str, Any]:
    value = turn.activity.value
    if turn.is_invoke and isinstance(value, dict):
        value = ((value.get("action") or {}).get("data")) or {}
    return dict(value) if isinstance(value, dict) else {}


# --- "same need: add me as also affected" ----------------------------------------------------


def join_work(session, *, t, speaker, need_id: int, tz: str):
    need = repo.by_id(session, need_id)
    if need is None:
        return None
    area = session.get(EArea, need.e_area_id)
    own = need.raised_by == speaker.aad_id
    added = False if own else repo.add_affected(session, need, speaker.aad_id, speaker.name)
    count = repo.affected_counts(session, [need.id]).get(need.id, 0)
    return needcards.joined_card(t, need_row(need, area, t.lang, count, tz), added=added, own=own)


async def on_join(turn, need_id: int):
    card = await turn.db.run(lambda s: join_work(s, t=turn.t, speaker=turn.speaker, need_id=need_id,
                                                 tz=turn.settings.timezone))
    if card is None:
        await turn.say(turn.t("I cannot find that need any more. Nothing was changed."))
        return None
    return await show(turn, card)


# --- telling the coordinators ----------------------------------------------------------------


def _in_background(services, work) -> None:
    tasks = services.runtime.setdefault("need_notices", set())
    task = asyncio.get_running_loop().create_task(work)
    tasks.add(task)
    task.add_done_callback(tasks.discard)


async def drain(services) -> None:
    """Wait for the coordinator notices still being delivered (tests, orderly shutdown)."""
    tasks = services.runtime.get("need_notices") or set()
    while tasks:
        await asyncio.gather(*list(tasks), return_exceptions=True)


async def notify_coordinators(turn, data: dict[str, Any]) -> None:
    """A card in the e-area's steering-group channel, or 1:1 to each coordinator (configurable)."""
    try:
        await _notify(turn, data)
    except Exception:  # the need is saved; a failed notice must not look like a failed registration
        log.exception("could not notify the coordinators of need %s", data.get("need_id"))


async def _notify(turn, data: dict[str, Any]) -> None:
    settings, outbound = turn.settings, turn.services.outbound
    need, area = data["need"], data["area"]

    def notice(lang: str) -> dict:
        t = translator(lang)
        row = need_row(need, area, t.lang, tz=settings.timezone)
        wished = need.wished_date.isoformat() if need.wished_date else ""
        return needcards.coordinator_notice_card(t, row, raised_by=data["raised_by"], on_behalf_of=need.on_behalf_of,
                                                 hours=need.effort_hours, cost=need.cost_sek, wished_date=wished)

    subject = f"need:{need.id}"
    if settings.notify_coordinators_in != "personal":
        result = await outbound.send_to_linked(ChannelPurpose.steering, area.slug, notice(settings.default_locale),
                                               subject=subject)
        if result is not None:
            return
    for aad_id, locale in data["coordinators"]:
        if aad_id == data["raiser"]:
            continue  # a coordinator who registers a need knows about it
        result = await outbound.send_personal(aad_id, notice(locale or settings.default_locale))
        if result is None:
            log.warning("could not reach coordinator %s about need %s", aad_id, need.number)
