"""Writing a decision basis (DOMAIN.md §3): the form after an assessment that needs the steering
group, and its revision after the basis was sent back.

    basis.submit -> a new version stored (storage.bases.create_basis), with the anchoring
                    requests to the e-area's area owners in the outbox, in one transaction
    basis.revise -> the form again, prefilled from the version sent back
"""

from __future__ import annotations

import json
from typing import Any

from bot.actions import CardAction
from bot.i18n import area_name
from bot.registry import Capability
from bot.roles import can, who_can
from bot.rules import frames
from bot.rules import routing as rules
from bot.rules.permissions import Permission
from bot.text import clean
from bot.turn import Turn
from cards import decision_basis as basis_cards
from cards.common import escape
from cards.verbs import Verb
from dialogs import anchoring, notify
from dialogs.forms import Problem, inputs, problem_reply, reply, say
from storage import assessments, bases, needs, org

cap = Capability("basis")

BASIS_TEXT = ("business_goals", "risk", "resources", "dependencies", "proposal")


@cap.action(Verb.BASIS_SUBMIT)
class BasisSubmit(CardAction):
    need_id: int
    assessment_id: int
    after_version: int = 0
    accept_short: str = ""  # the shortfall the coordinator saw and chose to send anyway


@cap.action(Verb.BASIS_REVISE)
class BasisRevise(CardAction):
    basis_id: int


# --- the form ---------------------------------------------------------------------------------


def _form_data(session, settings, aad_id: str, assessment_id: int, basis_id: int | None):
    basis = bases.basis(session, basis_id) if basis_id else None
    if basis_id and basis is None:
        return None
    wanted = basis.assessment_id if basis else assessment_id
    row = bases.assessment(session, wanted) if wanted else None
    if row is None:  # a basis made without an assessment has no form to start from
        return None
    need = needs.by_id(session, row.need_id)
    area = org.e_area(session, need.e_area_id)
    if not can(session, settings, aad_id, Permission.assess_need, scope=area.slug):
        return Problem("not_allowed", who_can(session, Permission.assess_need, area.slug), area)
    latest = bases.latest_basis(session, need.id)
    last = assessments.latest_assessment(session, need.id)
    names = {a.slug: a for a in org.e_areas(session)}
    return need, row, latest, last, names, basis, _frame(session, last or row)


def _frame(session, row) -> rules.Frame | None:
    """The frame of the plan the need was assessed against, as it is now."""
    plan = assessments.plan(session, row.plan_id) if row is not None and row.plan_id else None
    return assessments.frame_of(plan) if plan else None


async def open_basis_form(turn: Turn, assessment_id: int, *, notice: dict | None = None,
                          basis_id: int | None = None) -> dict | None:
    """The basis form, prefilled from the assessment (or from the basis being revised)."""
    loaded = await turn.db.run(_form_data, turn.settings, turn.speaker.aad_id, assessment_id, basis_id)
    if loaded is None:
        return await say(turn, turn.t("I cannot find that decision basis. The card may be out of date."))
    if isinstance(loaded, Problem):
        return await problem_reply(turn, loaded)
    need, row, latest, last, names, basis, frame = loaded
    if basis is not None:
        values = {"business_goals": basis.business_goals, "risk": basis.risk, "likelihood": basis.risk_likelihood,
                  "impact": basis.risk_impact, "resources": basis.resources, "hours": basis.hours,
                  "cost": basis.cost_sek, "dependencies": basis.dependencies, "proposal": basis.proposal,
                  "frame_hours": basis.frame_change_hours, "frame_sek": basis.frame_change_sek}
    else:
        deps = ", ".join(area_name(names[s], turn.t.lang) if s in names else s
                         for s in json.loads(row.affects_areas or "[]"))
        values = {"business_goals": row.business_goals, "hours": row.hours, "cost": row.cost_sek,
                  "dependencies": deps}
        if frame is not None:  # propose what the need requires: its estimate minus what is left
            values["frame_hours"], values["frame_sek"] = frames.needed_change(frame, row.hours, row.cost_sek)
    view = basis_cards.BasisFormView(need.id, need.number, need.title, last.id if last else row.id,
                                     latest.version if latest else 0, values=values, use_execute=turn.is_invoke,
                                     outlook=_outlook(frame, values))
    form = basis_cards.basis_form(turn.t, view)
    if notice is not None and not turn.is_invoke:
        await turn.send_card(notice)
    return await reply(turn, form)


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


def _outlook(frame: rules.Frame | None, values: dict[str, Any]) -> frames.Outlook | None:
    """The frame arithmetic of the figures in the form; None without a plan or with a bad figure."""
    if frame is None:
        return None
    try:
        amounts = [rules.parse_amount(values.get(k)) or 0 for k in ("hours", "cost", "frame_hours", "frame_sek")]
    except ValueError:
        return None
    return frames.outlook(frame, *amounts)


def short_token(outlook: frames.Outlook | None) -> str:
    """What a coordinator accepts by sending a basis whose proposal does not cover the need."""
    return "" if outlook is None or outlook.covered else f"{outlook.short_hours}:{outlook.short_sek}"


def stored_values(values: dict[str, str]) -> dict[str, Any]:
    return {
        "business_goals": values["business_goals"], "risk": values["risk"],
        "risk_likelihood": int(values["likelihood"]), "risk_impact": int(values["impact"]),
        "resources": values["resources"], "hours": rules.parse_amount(values["hours"]) or 0,
        "cost_sek": rules.parse_amount(values["cost"]) or 0, "dependencies": values["dependencies"],
        "proposal": values["proposal"], "frame_change_hours": rules.parse_amount(values["frame_hours"]) or 0,
        "frame_change_sek": rules.parse_amount(values["frame_sek"]) or 0,
    }


# --- submit -----------------------------------------------------------------------------------


def _context(session, settings, aad_id: str, need_id: int):
    need = needs.by_id(session, need_id)
    if need is None:
        return Problem("no_need", need_id)
    area = org.e_area(session, need.e_area_id)
    if not can(session, settings, aad_id, Permission.assess_need, scope=area.slug):
        return Problem("not_allowed", who_can(session, Permission.assess_need, area.slug), area)
    last = assessments.latest_assessment(session, need.id)
    plan = assessments.plan(session, last.plan_id) if last and last.plan_id else None
    return need, assessments.frame_of(plan) if plan else None, bool(last and last.escalate)


@cap.handles(BasisSubmit)
async def on_basis_submit(turn: Turn, act: BasisSubmit):
    t = turn.t
    ctx = await turn.db.run(_context, turn.settings, turn.speaker.aad_id, act.need_id)
    if isinstance(ctx, Problem):
        return await problem_reply(turn, ctx)
    need, frame, escalate = ctx
    values = basis_values(inputs(turn))
    errors = basis_errors(t, values, frame or rules.Frame(0, 0))
    outlook = None if errors else _outlook(frame, values)
    short = short_token(outlook)
    if errors or (short and act.accept_short != short):
        notice = (t("Some answers need a look before the basis can be sent.") if errors else
                  t("The proposed change to the frame does not cover what the need requires. Change it, or send the basis as it is."))
        view = basis_cards.BasisFormView(need.id, need.number, need.title, act.assessment_id, act.after_version,
                                         values=values, errors=errors, use_execute=turn.is_invoke, notice=notice,
                                         outlook=outlook, accept_short=short)
        return await reply(turn, basis_cards.basis_form(t, view))
    now = turn.now()

    def store(session):
        """The new version and the area owners' anchoring requests, in one transaction."""
        result = bases.create_basis(
            session, need_id=need.id, assessment_id=act.assessment_id, after_version=act.after_version,
            values=stored_values(values), escalate=escalate, actor=turn.speaker.aad_id,
            actor_name=turn.speaker.name, at=now)
        if not isinstance(result, bases.BasisStored):
            return result, [], None
        owners = anchoring.request_anchoring(session, turn.settings, result.basis.id, now)
        return result, owners, bases.basis_record(session, result.basis.id, t.lang)

    result, owners, record = await turn.db.run(store)
    if isinstance(result, assessments.Refused):
        return await say(turn, t("This need is no longer waiting for a decision basis, so nothing was saved."))
    if isinstance(result, bases.BasisStale):
        return await say(turn, t("This decision basis was already sent (version {version}). Nothing was saved twice.",
                                 version=result.latest.version if result.latest else 0))
    notify.nudge(turn.services)
    if not owners:
        await say(turn, t("The e-area has no area owner, so nobody can anchor the basis. Ask an administrator to grant the area owner role."))
    else:
        await say(turn, t("Saved as version {version} and sent to the area owners: {names}.",
                          version=result.basis.version, names=", ".join(escape(n) for n in owners)))
    return await reply(turn, basis_cards.basis_card(t, basis_cards.view_of(record)))


@cap.handles(BasisRevise)
async def on_basis_revise(turn: Turn, act: BasisRevise):
    return await open_basis_form(turn, 0, basis_id=act.basis_id)
