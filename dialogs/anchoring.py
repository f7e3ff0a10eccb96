"""Anchoring a decision basis with the e-area's area owners (DOMAIN.md §3, seed 000 §3.4).

Rule (chosen): ALL current area owners of the e-area must agree. The owners are looked up when
each answer arrives, so a newly granted owner must also agree and a revoked one no longer counts.
A comment without agreement sends the basis back to the coordinators (status `sent_back`);
they revise it, which makes a new version that is anchored again from the start.

When the last owner agrees the basis becomes `ready` (exactly once: the basis row is locked and
the status moves anchoring -> ready in that transaction), and the same transaction leaves its
post to the steering channel in the outbox (dialogs/decisions/followups.py).
"""

from __future__ import annotations

from datetime import datetime

from bot.actions import CardAction
from bot.config import Settings
from bot.i18n import translator
from bot.registry import Capability
from bot.roles import can, who_can
from bot.rules.permissions import Permission
from bot.text import clean
from bot.turn import Turn
from cards import decision_basis as basis_cards
from cards.common import escape
from cards.verbs import Verb
from dialogs import notify
from dialogs.decisions import followups
from dialogs.forms import inputs, reply, say
from storage import bases, org
from storage.models import Role

cap = Capability("anchoring")


@cap.action(Verb.ANCHOR_AGREE)
class AnchorAgree(CardAction):
    basis_id: int


@cap.action(Verb.ANCHOR_COMMENT)
class AnchorComment(CardAction):
    basis_id: int


@cap.action(Verb.BASIS_VIEW)
class BasisShow(CardAction):
    basis_id: int


def _view(session, basis_id: int, lang: str) -> basis_cards.BasisView:
    return basis_cards.view_of(bases.basis_record(session, basis_id, lang))


def request_anchoring(session, settings: Settings, basis_id: int, now: datetime) -> list[str]:
    """The anchoring card to every area owner, each in their language (outbox rows in the
    caller's transaction); returns the owners' names."""
    area = bases.area_of(session, basis_id)
    owners = org.holders(session, area.slug, Role.area_owner)
    for aad_id in owners:
        lang = notify.language_of(session, settings, aad_id)
        card = basis_cards.anchoring_request(translator(lang), _view(session, basis_id, lang))
        notify.to_person(session, key=f"decision-basis:{basis_id}:anchor:{aad_id}", aad_id=aad_id, card=card,
                         now=now)
    return bases.names(session, owners)


def _tell_coordinators(session, settings: Settings, basis_id: int, who: str, comment: str, now: datetime) -> None:
    area = bases.area_of(session, basis_id)
    for aad_id in org.holders(session, area.slug, Role.coordinator):
        lang = notify.language_of(session, settings, aad_id)
        card = basis_cards.sent_back_card(translator(lang), _view(session, basis_id, lang), who, comment)
        notify.to_person(session, key=f"decision-basis:{basis_id}:sent-back:{aad_id}", aad_id=aad_id, card=card,
                         now=now)


async def _answer(turn: Turn, basis_id: int, agreed: bool):
    t = turn.t
    comment = clean(str(inputs(turn).get("comment") or ""), multiline=True)
    if not agreed and not comment:
        return await say(turn, t("Write a comment first, so the coordinators know what to change."))
    settings, speaker, now = turn.settings, turn.speaker, turn.now()

    def work(session):
        """The answer, and what it sets off (outbox rows), in one transaction."""
        if bases.basis(session, basis_id) is None:
            return "missing", None, None
        slug = bases.area_of(session, basis_id).slug
        if not can(session, settings, speaker.aad_id, Permission.anchor_decision_basis, scope=slug):
            return "not_allowed", who_can(session, Permission.anchor_decision_basis, slug), None
        result = bases.record_anchoring(session, basis_id=basis_id, aad_id=speaker.aad_id, name=speaker.name,
                                        agreed=agreed, comment=comment,
                                        owners=org.holders(session, slug, Role.area_owner), at=now)
        if result.state == "sent_back":
            _tell_coordinators(session, settings, basis_id, speaker.name, comment, now)
        elif result.state == "ready":
            followups.post_basis(session, settings, basis_id, now)
        waiting = bases.names(session, result.waiting_for)
        view = _view(session, basis_id, t.lang) if turn.is_invoke else None
        return "ok", (result, waiting), view

    kind, found, view = await turn.db.run(work)
    if kind == "missing":
        return await say(turn, t("I cannot find that decision basis. The card may be out of date."))
    if kind == "not_allowed":
        names = ", ".join(escape(n) for n in found) or "–"
        return await say(turn, t("Only the area owners of the e-area anchor a decision basis. Ask {names}.", names=names))
    result, waiting = found
    if result.state == "not_open":
        return await say(turn, t("This decision basis is no longer waiting for the area owners ({status}). Nothing was changed.",
                                 status=basis_cards.status_label(t, result.basis.status.value)))
    notify.nudge(turn.services)
    if result.state == "sent_back":
        text = t("Thank you. The basis goes back to the coordinators with your comment.")
    elif result.state == "ready":
        text = t("Thank you. All area owners agree: the basis is ready for the steering group.")
    else:
        text = t("Thank you, your agreement is recorded. Still waiting for: {names}.",
                 names=", ".join(escape(n) for n in waiting) or "–")
    if turn.is_invoke:
        return basis_cards.basis_card(t, view)
    await turn.say(text)
    return None


@cap.handles(AnchorAgree)
async def on_agree(turn: Turn, act: AnchorAgree):
    return await _answer(turn, act.basis_id, True)


@cap.handles(AnchorComment)
async def on_comment(turn: Turn, act: AnchorComment):
    return await _answer(turn, act.basis_id, False)


@cap.handles(BasisShow)
async def on_show(turn: Turn, act: BasisShow):
    settings, aad_id, lang = turn.settings, turn.speaker.aad_id, turn.t.lang

    def work(session):
        area = bases.area_of(session, act.basis_id)
        if area is None:
            return None
        if not can(session, settings, aad_id, Permission.view_area_needs, scope=area.slug):
            return False
        return _view(session, act.basis_id, lang)

    view = await turn.db.run(work)
    if view is None:
        return await say(turn, turn.t("I cannot find that decision basis. The card may be out of date."))
    if view is False:
        return await say(turn, turn.t("Only people with a role in the e-area can read its decision bases."))
    return await reply(turn, basis_cards.basis_card(turn.t, view))
