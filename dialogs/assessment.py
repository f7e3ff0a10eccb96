"""Assessing a need against the plan (DOMAIN.md §2): a stateless Adaptive Card form flow.

    assess.open    -> the form (need, most similar plan goals, frame left)
    assess.review  -> the same form with the computed outcome and a confirm button
    assess.confirm -> stored atomically (storage.assessments.assess); a decision basis starts
                      the basis form (basis.submit -> anchoring with the area owners)

Every step looks the speaker's roles up again; nothing a card carries is trusted beyond ids.
A random form id is the assessment's request key, and `after` (the latest assessment id when
the form was opened) makes a card from before a re-assessment store nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, utils
from sqlalchemy.exc import IntegrityError

from bot.actions import CardAction
from bot.i18n import translator
from bot.registry import Capability, Where
from bot.roles import can, who_can
from bot.rules import routing as rules
from bot.rules.permissions import Permission
from bot.text import clean
from bot.turn import Turn
from cards import assessment as cards
from cards import decision_basis as basis_cards
from cards.common import effort, escape
from cards.system import error_card
from cards.verbs import Verb
from storage import assessments as repo
from storage import org
from storage.models import EArea, Need, NeedStatus, Plan

cap = Capability("assessment")

log = logging.getLogger("styra.assessment")

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


@cap.action(Verb.BASIS_SUBMIT)
class BasisSubmit(CardAction):
    need_id: int
    assessment_id: int
    after_version: int = 0


@cap.action(Verb.BASIS_REVISE)
class BasisRevise(CardAction):
    basis_id: int


# --- helpers ---------------------------------------------------------------------------------


def inputs(turn: Turn) -> dict[str, Any]:
    """The form inputs that came with the click (Action.Submit value or Action.Execute data)."""
    value = turn.activity.value or {}
    if turn.is_invoke and isinstance(value, dict):
        value = (value.get("action") or {}).get("data") or {}
    return value if isinstance(value, dict) else {}


def form_values(raw: dict[str, Any]) -> dict[str, str]:
    out = {}
    for key in FORM_FIELDS:
        value = raw.get(key)
        text = "" if value is None else str(value)
        out[key] = clean(text, multiline=key in TEXT_FIELDS)
    return out


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
    other_areas: list[tuple[str, str]]
    after: int
    history: list[tuple[str, str, str]]  # (outcome, when, assessor name)


@dataclass(frozen=True)
class Problem:
    kind: str  # no_need | not_allowed | decided | no_plan
    detail: Any = None
    area_name: str = ""


def load_context(session, settings, aad_id: str, year: int, *, need_id: int | None = None,
                 number: str | None = None) -> Context | Problem:
    need = session.get(Need, need_id) if need_id is not None else repo.need_by_number(session, number or "")
    if need is None:
        return Problem("no_need", number or need_id)
    area = session.get(EArea, need.e_area_id)
    if not can(session, settings, aad_id, Permission.assess_need, scope=area.slug):
        return Problem("not_allowed", who_can(session, Permission.assess_need, area.slug), area.name)
    if need.status in repo.DECIDED_STATUSES:
        return Problem("decided", need.status, area.name)
    plan = repo.decided_plan(session, area.id, year)
    if plan is None:
        draft = repo.plan_for_year(session, area.id, year)
        return Problem("no_plan", (year, draft is not None), area.name)
    others = [(a.slug, a.name) for a in org.e_areas(session) if a.id != area.id]
    history = []
    for row in repo.assessments_of(session, need.id):
        person = org.person(session, row.assessor)
        history.append((row.outcome, row.created_at.strftime("%Y-%m-%d"), person.name if person else row.assessor))
    latest = repo.latest_assessment(session, need.id)
    return Context(need, area, plan, repo.frame_for(session, need, plan), repo.goals_of(session, plan.id),
                   others, latest.id if latest else 0, history)


async def problem_reply(turn: Turn, problem: Problem) -> dict | None:
    t = turn.t
    if problem.kind == "no_need":
        return await say(turn, t("I cannot find need {number}. Check the number, for example **B-2026-0042**.",
                                 number=escape(str(problem.detail))))
    if problem.kind == "not_allowed":
        names = problem.detail
        if names:
            return await say(turn, t("Only the coordinators of {area} can assess this need. Ask {names}.",
                                     area=escape(problem.area_name), names=", ".join(escape(n) for n in names)))
        return await say(turn, t("Only the coordinators of {area} can assess this need, and it has no coordinator yet. Ask an administrator.",
                                 area=escape(problem.area_name)))
    if problem.kind == "decided":
        return await say(turn, t("This need is already decided ({status}), so it cannot be assessed again. Register a new need if things have changed.",
                                 status=status_label(t, problem.detail)))
    year, has_draft = problem.detail
    if has_draft:
        return await say(turn, t("The plan of {area} for {year} is not decided yet, so there is no frame to assess against. Ask the steering group to decide the plan first.",
                                 area=escape(problem.area_name), year=year))
    return await say(turn, t("{area} has no plan for {year}, so there is no frame to assess against. The coordinators need to add the year's plan and have it decided first.",
                             area=escape(problem.area_name), year=year))


def status_label(t, status: NeedStatus) -> str:
    return {
        NeedStatus.approved: t("approved"),
        NeedStatus.declined: t("declined"),
        NeedStatus.done: t("done"),
    }.get(status, status.value)


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
        need=need_info(ctx.need, ctx.area.name), goals=tuple(goals), similar=tuple(similar),
        areas=tuple(ctx.other_areas), frame=ctx.frame, plan_title=ctx.plan.title or str(ctx.plan.year),
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
    try:
        result = await turn.db.run(
            lambda s: repo.assess(
                s, need_id=ctx.need.id, plan_id=ctx.plan.id, answers=answers, expected=routing.outcome,
                after=act.after, request_key=act.form, actor=turn.speaker.aad_id, actor_name=turn.speaker.name,
                goal_ids=goal_ids, business_goals=values["business_goals"], reason=values["reason"], at=turn.now()))
    except IntegrityError:  # the same form stored by a concurrent copy of this click
        done = await turn.db.run(repo.by_request_key, act.form)
        if done is None:
            raise
        return await _result(turn, done, duplicate=True)
    if isinstance(result, repo.Duplicate):
        return await _result(turn, result.assessment, duplicate=True)
    if isinstance(result, repo.Refused):
        return await problem_reply(turn, Problem("decided", result.status, ctx.area.name))
    if isinstance(result, repo.Stale):
        return await open_form(turn, need_id=ctx.need.id, notice=t(
            "This form is out of date: the need was assessed again after it was opened. Nothing was saved; here is a fresh form."))
    if isinstance(result, (repo.FrameFull, repo.Changed)):
        fresh = await _context(turn, need_id=ctx.need.id)
        if isinstance(fresh, Problem):
            return await problem_reply(turn, fresh)
        notice = t("Someone else used the frame first. Nothing was saved. Left now: {left}. Check the outcome and confirm again.",
                   left=effort(t, fresh.frame.left_hours, fresh.frame.left_sek))
        return await _review(turn, fresh, values, uuid.uuid4().hex, notice)
    await notify_raiser(turn.services, result.need, ctx.area, result.assessment, routing.reasons)
    if result.assessment.outcome == rules.Outcome.decision_basis.value:
        first = await _result(turn, result.assessment, frame=result.frame, send_only=True)
        return await open_basis_form(turn, result.assessment.id, notice=first)
    return await _result(turn, result.assessment, frame=result.frame)


async def _result(turn: Turn, row, *, duplicate: bool = False, frame: rules.Frame | None = None,
                  send_only: bool = False):
    def load(session):
        need = session.get(Need, row.need_id)
        area = session.get(EArea, need.e_area_id)
        plan = session.get(Plan, row.plan_id) if row.plan_id else None
        person = org.person(session, row.assessor)
        return need, area, plan, person, repo.reasons_for(session, row)

    need, area, plan, person, reasons = await turn.db.run(load)
    view = cards.ResultView(
        need=need_info(need, area.name), outcome=row.outcome, reasons=reasons, reason=row.reason,
        escalate=row.escalate, frame=frame or (repo.frame_of(plan) if plan else rules.Frame(0, 0)),
        assessor_name=person.name if person else row.assessor, duplicate=duplicate)
    card = cards.assessment_result(turn.t, view)
    if send_only:
        return card
    return await reply(turn, card)


async def notify_raiser(services, need: Need, area: EArea, row, reasons: tuple[str, ...]) -> None:
    """Tell the person who raised the need, in their own language; never fails the assessment."""
    try:
        person = await services.db.run(org.person, need.raised_by)
        t = translator(org.language_of_person(person) or services.settings.default_locale)
        card = cards.outcome_notice(t, cards.NoticeView(need.number, need.title, row.outcome, reasons, row.reason,
                                                         area.name_en if t.lang == "en" and area.name_en else area.name))
        await services.outbound.send_personal(need.raised_by, card)
    except Exception:
        log.exception("could not tell %s about the assessment of %s", need.raised_by, need.number)


# --- decision basis form ---------------------------------------------------------------------


async def open_basis_form(turn: Turn, assessment_id: int, *, notice: dict | None = None,
                          basis_id: int | None = None) -> dict | None:
    """The basis form, prefilled from the assessment (or from the basis being revised)."""
    def load(session):
        from storage.models import Assessment, DecisionBasis

        basis = session.get(DecisionBasis, basis_id) if basis_id else None
        wanted = basis.assessment_id if basis else assessment_id
        row = session.get(Assessment, wanted) if wanted else None
        if row is None:  # a basis made without an assessment has no form to start from
            return Problem("no_need", basis_id or assessment_id)
        need = session.get(Need, row.need_id)
        area = session.get(EArea, need.e_area_id)
        if not can(session, turn.settings, turn.speaker.aad_id, Permission.assess_need, scope=area.slug):
            return Problem("not_allowed", who_can(session, Permission.assess_need, area.slug), area.name)
        latest = repo.latest_basis(session, need.id)
        last = repo.latest_assessment(session, need.id)
        names = {a.slug: a.name for a in org.e_areas(session)}
        return need, row, latest, last, names, basis

    loaded = await turn.db.run(load)
    if isinstance(loaded, Problem):
        return await problem_reply(turn, loaded)
    need, row, latest, last, names, basis = loaded
    if basis is not None:
        values = {"business_goals": basis.business_goals, "risk": basis.risk, "likelihood": basis.risk_likelihood,
                  "impact": basis.risk_impact, "resources": basis.resources, "hours": basis.hours,
                  "cost": basis.cost_sek, "dependencies": basis.dependencies, "proposal": basis.proposal,
                  "frame_hours": basis.frame_change_hours, "frame_sek": basis.frame_change_sek}
    else:
        deps = ", ".join(names.get(s, s) for s in json.loads(row.affects_areas or "[]"))
        values = {"business_goals": row.business_goals, "hours": row.hours, "cost": row.cost_sek,
                  "dependencies": deps}
    view = basis_cards.BasisFormView(need.id, need.number, need.title, last.id if last else row.id,
                                     latest.version if latest else 0, values=values, use_execute=turn.is_invoke)
    form = basis_cards.basis_form(turn.t, view)
    if notice is not None and not turn.is_invoke:
        await turn.send_card(notice)
    return await reply(turn, form)


BASIS_TEXT = ("business_goals", "risk", "resources", "dependencies", "proposal")


def basis_values(raw: dict[str, Any]) -> dict[str, str]:
    keys = (*BASIS_TEXT, "likelihood", "impact", "hours", "cost", "frame_hours", "frame_sek")
    return {k: clean("" if raw.get(k) is None else str(raw.get(k)), multiline=k in BASIS_TEXT) for k in keys}


def basis_errors(t, values: dict[str, str], frame: rules.Frame) -> dict[str, str]:
    errors = {k: t.gettext(v) for k, v in rules.validate_amounts(values["hours"], values["cost"], frame, needed=True).items()}
    for key in ("risk", "proposal"):
        if not values[key]:
            errors[key] = t("Required.")
    for key in ("likelihood", "impact"):
        if values[key] not in basis_cards.SCALE:
            errors[key] = t("Choose 1 to 5.")
    for key, whole in (("frame_hours", frame.frame_hours), ("frame_sek", frame.frame_sek)):
        try:
            change = rules.parse_amount(values[key]) or 0
        except ValueError:
            errors[key] = t.gettext(rules.E_NOT_A_NUMBER)
            continue
        if abs(change) > rules.ABSURD_FACTOR * max(whole, 1):
            absurd = rules.E_HOURS_ABSURD if key == "frame_hours" else rules.E_COST_ABSURD
            errors[key] = t.gettext(absurd)
    return errors


@cap.handles(BasisSubmit)
async def on_basis_submit(turn: Turn, act: BasisSubmit):
    from dialogs import anchoring

    t = turn.t
    ctx = await turn.db.run(_basis_context, turn.settings, turn.speaker.aad_id, act.need_id)
    if isinstance(ctx, Problem):
        return await problem_reply(turn, ctx)
    need, frame, escalate = ctx
    values = basis_values(inputs(turn))
    errors = basis_errors(t, values, frame)
    if errors:
        view = basis_cards.BasisFormView(need.id, need.number, need.title, act.assessment_id, act.after_version,
                                         values=values, errors=errors, use_execute=turn.is_invoke,
                                         notice=t("Some answers need a look before the basis can be sent."))
        return await reply(turn, basis_cards.basis_form(t, view))
    stored = {
        "business_goals": values["business_goals"], "risk": values["risk"],
        "risk_likelihood": int(values["likelihood"]), "risk_impact": int(values["impact"]),
        "resources": values["resources"], "hours": rules.parse_amount(values["hours"]) or 0,
        "cost_sek": rules.parse_amount(values["cost"]) or 0, "dependencies": values["dependencies"],
        "proposal": values["proposal"], "frame_change_hours": rules.parse_amount(values["frame_hours"]) or 0,
        "frame_change_sek": rules.parse_amount(values["frame_sek"]) or 0,
    }
    try:
        result = await turn.db.run(lambda s: repo.create_basis(
            s, need_id=need.id, assessment_id=act.assessment_id, after_version=act.after_version,
            values=stored, escalate=escalate, actor=turn.speaker.aad_id, actor_name=turn.speaker.name,
            at=turn.now()))
    except IntegrityError:  # the same version created by a concurrent copy of this click
        result = repo.BasisStale(await turn.db.run(repo.latest_basis, need.id))
    if isinstance(result, repo.Refused):
        return await say(turn, t("This need is no longer waiting for a decision basis, so nothing was saved."))
    if isinstance(result, repo.BasisStale):
        return await say(turn, t("This decision basis was already sent (version {version}). Nothing was saved twice.",
                                 version=result.latest.version if result.latest else 0))
    owners = await anchoring.send_for_anchoring(turn.services, result.basis.id)
    view = await turn.db.run(anchoring.basis_view, result.basis.id, t)
    card = basis_cards.basis_card(t, view)
    if not owners:
        await say(turn, t("The e-area has no area owner, so nobody can anchor the basis. Ask an administrator to grant the area owner role."))
    else:
        await say(turn, t("Saved as version {version} and sent to the area owners: {names}.",
                          version=result.basis.version, names=", ".join(escape(n) for n in owners)))
    return await reply(turn, card)


def _basis_context(session, settings, aad_id: str, need_id: int):
    need = session.get(Need, need_id)
    if need is None:
        return Problem("no_need", need_id)
    area = session.get(EArea, need.e_area_id)
    if not can(session, settings, aad_id, Permission.assess_need, scope=area.slug):
        return Problem("not_allowed", who_can(session, Permission.assess_need, area.slug), area.name)
    last = repo.latest_assessment(session, need.id)
    plan = session.get(Plan, last.plan_id) if last and last.plan_id else None
    frame = repo.frame_of(plan) if plan else rules.Frame(0, 0)
    return need, frame, bool(last and last.escalate)


@cap.handles(BasisRevise)
async def on_basis_revise(turn: Turn, act: BasisRevise):
    return await open_basis_form(turn, 0, basis_id=act.basis_id)


__all__ = ["AssessOpen", "notify_raiser", "open_form"]
