"""Anchoring a decision basis with the e-area's area owners (DOMAIN.md §3, seed 000 §3.4).

Rule (chosen): ALL current area owners of the e-area must agree. The owners are looked up when
each answer arrives, so a newly granted owner must also agree and a revoked one no longer counts.
A comment without agreement sends the basis back to the coordinators (status `sent_back`);
they revise it, which makes a new version that is anchored again from the start.

When the last owner agrees the basis becomes `ready` (exactly once: the basis row is locked and
the status moves anchoring -> ready in that transaction) and `on_basis_ready` runs.

When the last area owner agrees, the basis goes to its steering group (dialogs/decisions.py).
"""

from __future__ import annotations

import logging

from bot.actions import CardAction
from bot.i18n import translator
from bot.registry import Capability
from bot.roles import can, who_can
from bot.rules.permissions import Permission
from bot.text import clean
from bot.turn import Turn
from cards import decision_basis as basis_cards
from cards.common import escape
from cards.verbs import Verb
from storage import assessments as repo
from storage import org
from storage.models import DecisionBasis, EArea, Need, Role

cap = Capability("anchoring")

log = logging.getLogger("styra.anchoring")

async def on_basis_ready(services, basis_id: int) -> None:
    """A basis the area owners have anchored goes to its steering group."""
    from dialogs.decisions import post_basis

    try:
        await post_basis(services, basis_id)
    except Exception:
        log.exception("could not post basis %s to its steering group", basis_id)


@cap.action(Verb.ANCHOR_AGREE)
class AnchorAgree(CardAction):
    basis_id: int


@cap.action(Verb.ANCHOR_COMMENT)
class AnchorComment(CardAction):
    basis_id: int


@cap.action(Verb.BASIS_VIEW)
class BasisShow(CardAction):
    basis_id: int


def _name(session, aad_id: str) -> str:
    person = org.person(session, aad_id)
    return person.name if person and person.name else aad_id


def basis_view(session, basis_id: int, t) -> basis_cards.BasisView:
    basis = session.get(DecisionBasis, basis_id)
    need = session.get(Need, basis.need_id)
    area = session.get(EArea, need.e_area_id)
    answers = tuple((_name(session, a.aad_id), a.agreed, a.comment) for a in repo.anchorings_of(session, basis_id))
    agreed = {a.aad_id for a in repo.anchorings_of(session, basis_id) if a.agreed}
    waiting = ()
    if basis.status.value == "anchoring":
        waiting = tuple(_name(session, o) for o in org.holders(session, area.slug, Role.area_owner) if o not in agreed)
    area_name = area.name_en if getattr(t, "lang", "sv") == "en" and area.name_en else area.name
    return basis_cards.BasisView(
        basis_id=basis.id, need_number=need.number, need_title=need.title, area_name=area_name,
        version=basis.version, status=basis.status.value, business_goals=basis.business_goals, risk=basis.risk,
        risk_likelihood=basis.risk_likelihood, risk_impact=basis.risk_impact, resources=basis.resources,
        hours=basis.hours, cost_sek=basis.cost_sek, dependencies=basis.dependencies, proposal=basis.proposal,
        frame_change_hours=basis.frame_change_hours, frame_change_sek=basis.frame_change_sek,
        escalate=basis.escalate, created_by_name=_name(session, basis.created_by), anchoring=answers,
        waiting_for=waiting)


def _owners(session, basis_id: int) -> tuple[str, list[str]]:
    basis = session.get(DecisionBasis, basis_id)
    area = session.get(EArea, session.get(Need, basis.need_id).e_area_id)
    return area.slug, org.holders(session, area.slug, Role.area_owner)


async def _send_translated(services, aad_id: str, build) -> None:
    person = await services.db.run(org.person, aad_id)
    t = translator(org.language_of_person(person) or services.settings.default_locale)
    try:
        await services.outbound.send_personal(aad_id, await build(t))
    except Exception:
        log.exception("could not reach %s", aad_id)


async def send_for_anchoring(services, basis_id: int) -> list[str]:
    """Send the anchoring card to every area owner; returns their names."""
    _slug, owners = await services.db.run(_owners, basis_id)
    for aad_id in owners:
        async def build(t):
            view = await services.db.run(basis_view, basis_id, t)
            return basis_cards.anchoring_request(t, view)

        await _send_translated(services, aad_id, build)
    return [await services.db.run(_name, o) for o in owners]


async def _answer(turn: Turn, basis_id: int, agreed: bool):
    from dialogs.assessment import inputs, say

    t = turn.t
    comment = clean(str(inputs(turn).get("comment") or ""), multiline=True)
    if not agreed and not comment:
        return await say(turn, t("Write a comment first, so the coordinators know what to change."))

    def work(session):
        basis = session.get(DecisionBasis, basis_id)
        if basis is None:
            return "missing", None
        slug, owners = _owners(session, basis_id)
        if not can(session, turn.settings, turn.speaker.aad_id, Permission.anchor_decision_basis, scope=slug):
            return "not_allowed", who_can(session, Permission.anchor_decision_basis, slug)
        return "ok", repo.record_anchoring(session, basis_id=basis_id, aad_id=turn.speaker.aad_id,
                                           name=turn.speaker.name, agreed=agreed, comment=comment, owners=owners,
                                           at=turn.now())

    kind, result = await turn.db.run(work)
    if kind == "missing":
        return await say(turn, t("I cannot find that decision basis. The card may be out of date."))
    if kind == "not_allowed":
        names = ", ".join(escape(n) for n in result) or "–"
        return await say(turn, t("Only the area owners of the e-area anchor a decision basis. Ask {names}.", names=names))
    if result.state == "not_open":
        return await say(turn, t("This decision basis is no longer waiting for the area owners ({status}). Nothing was changed.",
                                 status=basis_cards.status_label(t, result.basis.status.value)))
    if result.state == "sent_back":
        await _tell_coordinators(turn.services, basis_id, turn.speaker.name, comment)
        text = t("Thank you. The basis goes back to the coordinators with your comment.")
    elif result.state == "ready":
        await on_basis_ready(turn.services, basis_id)
        text = t("Thank you. All area owners agree: the basis is ready for the steering group.")
    else:
        waiting = await turn.db.run(lambda s: [_name(s, o) for o in result.waiting_for])
        text = t("Thank you, your agreement is recorded. Still waiting for: {names}.",
                 names=", ".join(escape(n) for n in waiting) or "–")
    if turn.is_invoke:
        view = await turn.db.run(basis_view, basis_id, t)
        return basis_cards.basis_card(t, view)
    await turn.say(text)
    return None


async def _tell_coordinators(services, basis_id: int, who: str, comment: str) -> None:
    def coordinators(session):
        slug, _ = _owners(session, basis_id)
        return org.holders(session, slug, Role.coordinator)

    for aad_id in await services.db.run(coordinators):
        async def build(t):
            view = await services.db.run(basis_view, basis_id, t)
            return basis_cards.sent_back_card(t, view, who, comment)

        await _send_translated(services, aad_id, build)


@cap.handles(AnchorAgree)
async def on_agree(turn: Turn, act: AnchorAgree):
    return await _answer(turn, act.basis_id, True)


@cap.handles(AnchorComment)
async def on_comment(turn: Turn, act: AnchorComment):
    return await _answer(turn, act.basis_id, False)


@cap.handles(BasisShow)
async def on_show(turn: Turn, act: BasisShow):
    from dialogs.assessment import reply, say

    def work(session):
        basis = session.get(DecisionBasis, act.basis_id)
        if basis is None:
            return None
        slug, _ = _owners(session, act.basis_id)
        if not can(session, turn.settings, turn.speaker.aad_id, Permission.view_area_needs, scope=slug):
            return False
        return basis_view(session, act.basis_id, turn.t)

    view = await turn.db.run(work)
    if view is None:
        return await say(turn, turn.t("I cannot find that decision basis. The card may be out of date."))
    if view is False:
        return await say(turn, turn.t("Only people with a role in the e-area can read its decision bases."))
    return await reply(turn, basis_cards.basis_card(turn.t, view))
