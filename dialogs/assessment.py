"""Assessing a need against the plan (DOMAIN.md §2): a stateless Adaptive Card form flow.

    assess.open    -> the form (need, most similar plan goals, frame left)
    assess.review  -> the same form with the computed outcome and a confirm button
    assess.confirm -> stored atomically (storage.assessments.assess) with the raiser's notice in
                      the outbox; a decision basis starts the basis form (dialogs/basis.py)

Every step looks the speaker's roles up again; nothing a card carries is trusted beyond ids.
A random form id is the assessment's request key, and `after` (the latest assessment id when
the form was opened) makes a card from before a re-assessment store nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rapidfuzz import fuzz, utils

from bot.actions import CardAction
from bot.config import Settings
from bot.i18n import area_name
from bot.registry import Capability, Where
from bot.roles import can, who_can
from bot.rules import routing as rules
from bot.rules.permissions import Permission
from bot.text import clean
from bot.turn import Turn
from cards import assessment as cards
from cards.common import escape, frame_left
from cards.verbs import Verb
from dialogs import notify
from dialogs.basis import open_basis_form
from dialogs.forms import Problem, inputs, problem_reply, reply
from storage import assessments as repo
from storage import needs, org
from storage.models import EArea, Need, Plan

cap = Capability("assessment")

TEXT_FIELDS = ("business_goals", "reason")
FORM_FIELDS = ("serves", "goals", "business_goals", "hours", "cost", "urgent", "areas", "portfolio", "if_not", "reason")


# --- card verbs ------------------------------------------------------------------------------


@cap.action(Verb.ASSESS_OPEN, personal=True)
class AssessOpen(CardAction):
    need_id: int


@cap.action(Verb.ASSESS_REVIEW)
class AssessReview(CardAction):
    need_id: int
    form: str
    after: int = 0


@cap.action(Verb.ASSESS_CONFIRM)
class AssessConfirm(CardAction):
    need_id: int
    form: str
    after: int = 0
    check: str


# --- helpers ---------------------------------------------------------------------------------


def form_values(raw: dict[str, Any]) -> dict[str, str]:
    out = {}
    for key in FORM_FIELDS:
        value = raw.get(key)
        text = "" if value is None else str(value)
        out[key] = clean(text, multiline=key in TEXT_FIELDS)
    return out


def similar_goals(need: Need, goals, limit: int = 3) -> tuple[list[cards.GoalChoice], list[cards.GoalChoice]]:
    """Every goal ordered by likeness to the need, and the few that are clearly alike."""
    query = " ".join((need.title, need.description, need.benefit))
    scored = []
    for goal in goals:
        text = " ".join((goal.title, goal.why, goal.effect))
        score = fuzz.token_set_ratio(query, text, processor=utils.default_process)
        scored.append(cards.GoalChoice(goal.id, goal.title, score))
    scored.sort(key=lambda g: -g.score)
    return scored, [g for g in scored[:limit] if g.score >= 40]


def fingerprint(values: dict[str, str], outcome: str) -> str:
    """What the coordinator saw when checking: answers and outcome. Confirm must match it."""
    body = json.dumps({"v": {k: values.get(k, "") for k in FORM_FIELDS}, "o": outcome}, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()[:20]


def _ids(raw: str) -> list[str]:
    return [p.strip() for p in (raw or "").split(",") if p.strip()]


# --- loading what a step needs ---------------------------------------------------------------


@dataclass
class Context:
    need: Need
    area: EArea
    plan: Plan
    frame: rules.Frame
    goals: list
    other_areas: list[tuple[str, tuple[str, str | None]]]  # (slug, (name, name_en))
    after: int
    history: list[tuple[str, str, str]]  # (outcome, when, assessor name)


def load_context(session, settings, aad_id: str, year: int, *, need_id: int | None = None,
                 number: str | None = None) -> Context | Problem:
    need = needs.by_id(session, need_id) if need_id is not None else repo.need_by_number(session, number or "")
    if need is None:
        return Problem("no_need", number or need_id)
    area = org.e_area(session, need.e_area_id)
    if not can(session, settings, aad_id, Permission.assess_need, scope=area.slug):
        return Problem("not_allowed", who_can(session, Permission.assess_need, area.slug), area)
    if need.status in repo.DECIDED_STATUSES:
        return Problem("decided", need.status, area)
    plan = repo.decided_plan(session, area.id, year)
    if plan is None:
        draft = repo.plan_for_year(session, area.id, year)
        return Problem("no_plan", (year, draft is not None), area)
    others = [(a.slug, (a.name, a.name_en)) for a in org.e_areas(session) if a.id != area.id]
    history = []
    for row in repo.assessments_of(session, need.id):
        person = org.person(session, row.assessor)
        history.append((row.outcome, row.created_at.strftime("%Y-%m-%d"), person.name if person else row.assessor))
    latest = repo.latest_assessment(session, need.id)
    return Context(need, area, plan, repo.frame_for(session, need, plan), repo.goals_of(session, plan.id),
                   others, latest.id if latest else 0, history)


def need_info(ctx_need: Need, area_name: str) -> cards.NeedInfo:
    n = ctx_need
    return cards.NeedInfo(n.id, n.number, n.title, n.description, area_name, n.raised_by_name, n.benefit,
                          n.effort_hours, n.cost_sek)


def view_of(turn: Turn, ctx: Context, *, form: str, values: dict[str, str] | None = None, **kw) -> cards.AssessView:
    t = turn.t
    goals, similar = similar_goals(ctx.need, ctx.goals)
    history = tuple(t("{when}: {outcome} ({name})", when=when, outcome=cards.outcome_label(t, outcome), name=escape(name))
                    for outcome, when, name in ctx.history)
    if values is None:  # a first form: start from the raiser's own estimate
        values = {"hours": "" if ctx.need.effort_hours is None else str(ctx.need.effort_hours),
                  "cost": "" if ctx.need.cost_sek is None else str(ctx.need.cost_sek)}
    return cards.AssessView(
        need=need_info(ctx.need, area_name(ctx.area, t)), goals=tuple(goals), similar=tuple(similar),
        areas=tuple((slug, area_name(names, t)) for slug, names in ctx.other_areas),
        frame=ctx.frame, plan_title=ctx.plan.title or str(ctx.plan.year),
        form=form, after=ctx.after, values=values, use_execute=turn.is_invoke, history=history, **kw)


def answers_of(values: dict[str, str], ctx: Context) -> rules.Answers:
    known = {slug for slug, _ in ctx.other_areas}
    return rules.Answers(
        serves_goals=values["serves"] == "yes",
        hours=rules.parse_amount(values["hours"]) or 0,
        cost_sek=rules.parse_amount(values["cost"]) or 0,
        urgent=values["urgent"] == "true",
        affects_areas=tuple(a for a in _ids(values["areas"]) if a in known),
        whole_portfolio=values["portfolio"] == "true",
        decline=values["if_not"] == "declined",
        own_area=ctx.area.slug,
    )


async def _context(turn: Turn, **kw) -> Context | Problem:
    return await turn.db.run(load_context, turn.settings, turn.speaker.aad_id, turn.now().year, **kw)


# --- open ------------------------------------------------------------------------------------


async def open_form(turn: Turn, *, need_id: int | None = None, number: str | None = None,
                    notice: str = "") -> dict | None:
    ctx = await _context(turn, need_id=need_id, number=number)
    if isinstance(ctx, Problem):
        return await problem_reply(turn, ctx)
    return await reply(turn, cards.assessment_form(turn.t, view_of(turn, ctx, form=uuid.uuid4().hex, notice=notice)))


@cap.handles(AssessOpen)
async def on_open(turn: Turn, act: AssessOpen):
    return await open_form(turn, need_id=act.need_id)


@cap.command("assess", r"(?:bedöm|bedom|bedöma|assess) (?P<number>b-\d{4}-\d{1,6})",
         where=Where.personal, examples=("bedöm B-2026-0042", "assess B-2026-0042"))
async def assess_command(turn: Turn, match: re.Match) -> None:
    _, year, seq = match.group("number").split("-")
    await open_form(turn, number=f"B-{year}-{int(seq):04d}")


# --- review ----------------------------------------------------------------------------------


def _errors(turn: Turn, values: dict[str, str], frame: rules.Frame) -> dict[str, str]:
    return {k: turn.t.gettext(v) for k, v in rules.validate(values, frame).items()}


async def _review(turn: Turn, ctx: Context, values: dict[str, str], form: str, notice: str = "") -> dict | None:
    errors = _errors(turn, values, ctx.frame)
    if errors:
        view = view_of(turn, ctx, form=form, values=values, errors=errors,
                       notice=notice or turn.t("Some answers need a look before I can show the outcome."))
        return await reply(turn, cards.assessment_form(turn.t, view))
    routing = rules.route(answers_of(values, ctx), ctx.frame)
    review = cards.Review(routing.outcome.value, routing.reasons, routing.escalate, routing.after,
                          routing.other_areas)
    view = view_of(turn, ctx, form=form, values=values, review=review,
                   check=fingerprint(values, routing.outcome.value), notice=notice)
    return await reply(turn, cards.assessment_form(turn.t, view))


@cap.handles(AssessReview)
async def on_review(turn: Turn, act: AssessReview):
    ctx = await _context(turn, need_id=act.need_id)
    if isinstance(ctx, Problem):
        return await problem_reply(turn, ctx)
    return await _review(turn, ctx, form_values(inputs(turn)), act.form)


# --- confirm ---------------------------------------------------------------------------------


@cap.handles(AssessConfirm)
async def on_confirm(turn: Turn, act: AssessConfirm):
    t = turn.t
    done = await turn.db.run(repo.by_request_key, act.form)
    if done is not None:
        return await _result(turn, done, duplicate=True)
    ctx = await _context(turn, need_id=act.need_id)
    if isinstance(ctx, Problem):
        return await problem_reply(turn, ctx)
    values = form_values(inputs(turn))
    if _errors(turn, values, ctx.frame):
        return await _review(turn, ctx, values, act.form)
    answers = answers_of(values, ctx)
    routing = rules.route(answers, ctx.frame)
    if fingerprint(values, routing.outcome.value) != act.check:
        return await _review(turn, ctx, values, act.form,
                             t("Something changed since you checked (your answers or the frame). Here is the outcome now; confirm again to save."))
    goal_ids = [int(g) for g in _ids(values["goals"]) if g.isdigit() and int(g) in {goal.id for goal in ctx.goals}]
    now = turn.now()

    def store(session):
        result = repo.assess(
            session, need_id=ctx.need.id, plan_id=ctx.plan.id, answers=answers, expected=routing.outcome,
            after=act.after, request_key=act.form, actor=turn.speaker.aad_id, actor_name=turn.speaker.name,
            goal_ids=goal_ids, business_goals=values["business_goals"], reason=values["reason"], at=now)
        if isinstance(result, repo.Stored):
            tell_raiser(session, turn.settings, result.need, ctx.area, result.assessment, routing.reasons, now)
        return result

    result = await turn.db.run(store)
    if isinstance(result, repo.Duplicate):
        return await _result(turn, result.assessment, duplicate=True)
    if isinstance(result, repo.Refused):
        return await problem_reply(turn, Problem("decided", result.status, ctx.area))
    if isinstance(result, repo.Stale):
        return await open_form(turn, need_id=ctx.need.id, notice=t(
            "This form is out of date: the need was assessed again after it was opened. Nothing was saved; here is a fresh form."))
    if isinstance(result, (repo.FrameFull, repo.Changed)):
        fresh = await _context(turn, need_id=ctx.need.id)
        if isinstance(fresh, Problem):
            return await problem_reply(turn, fresh)
        notice = t("Someone else used the frame first. Nothing was saved. Left now: {left}. Check the outcome and confirm again.",
                   left=frame_left(t, fresh.frame.left_hours, fresh.frame.left_sek))
        return await _review(turn, fresh, values, uuid.uuid4().hex, notice)
    notify.nudge(turn.services)
    if result.assessment.outcome == rules.Outcome.decision_basis.value:
        first = await _result(turn, result.assessment, frame=result.frame, send_only=True)
        return await open_basis_form(turn, result.assessment.id, notice=first)
    return await _result(turn, result.assessment, frame=result.frame)


async def _result(turn: Turn, row, *, duplicate: bool = False, frame: rules.Frame | None = None,
                  send_only: bool = False):
    def load(session):
        need = needs.by_id(session, row.need_id)
        area = org.e_area(session, need.e_area_id)
        plan = repo.plan(session, row.plan_id) if row.plan_id else None
        person = org.person(session, row.assessor)
        return need, area, plan, person, repo.reasons_for(session, row)

    need, area, plan, person, reasons = await turn.db.run(load)
    view = cards.ResultView(
        need=need_info(need, area_name(area, turn.t)), outcome=row.outcome, reasons=reasons, reason=row.reason,
        escalate=row.escalate, frame=frame or (repo.frame_of(plan) if plan else rules.Frame(0, 0)),
        assessor_name=person.name if person else row.assessor, duplicate=duplicate)
    card = cards.assessment_result(turn.t, view)
    if send_only:
        return card
    return await reply(turn, card)


def tell_raiser(session, settings: Settings, need: Need, area: EArea, row, reasons: tuple[str, ...],
                now: datetime) -> None:
    """The person who raised the need reads the outcome in their own language (an outbox row)."""
    t = notify.reader(session, settings, need.raised_by)
    card = cards.outcome_notice(t, cards.NoticeView(need.number, need.title, row.outcome, reasons, row.reason,
                                                     area_name(area, t)))
    notify.to_person(session, key=f"assessment:{row.id}:raiser", aad_id=need.raised_by, card=card, now=now)


__all__ = ["AssessOpen", "open_form", "tell_raiser"]
