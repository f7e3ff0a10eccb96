"""`att bedöma` / `to assess`: the needs waiting for assessment in the coordinator's e-areas,
oldest first, each with its Assess button; and the decision-basis form reopened from a need's
card (`need.basis`: a basis never sent, or one sent back).
"""

from __future__ import annotations

import re

from bot.actions import CardAction
from bot.registry import Capability
from bot.turn import Turn
from cards import need_edit as editcards
from cards.verbs import Verb
from dialogs.basis import open_basis_form
from dialogs.needs.views import answer_text, area_name, basis_state, listed_row, send
from storage import access, org
from storage import need_changes as repo
from storage import needs as needs_repo

cap = Capability("need-followup")

LIST_LIMIT = 25


def _list(session, aad_id: str, lang: str, tz: str, after_id: int | None = None) -> editcards.ToAssess | None:
    slugs = [scope for scope, held in access.roles(session, aad_id).items() if "coordinator" in held]
    areas = [area for area in (org.e_area_by_slug(session, slug) for slug in sorted(slugs)) if area is not None]
    if not areas:
        return None
    ids = [area.id for area in areas]
    found = repo.to_assess(session, ids, LIST_LIMIT + 1, after_id)
    page = found[:LIST_LIMIT]
    rows = [listed_row(need, area, lang, tz) for need, area in page]
    more = MoreToAssess(after_id=page[-1][0].id).data() if len(found) > LIST_LIMIT else None
    total, before = repo.count_to_assess(session, ids, after_id)
    return editcards.ToAssess(rows, [area_name(a, lang) for a in areas], total, first=before + 1, more=more)


async def _answer(turn: Turn, after_id: int | None = None):
    t = turn.t
    view = await turn.db.read(_list, turn.speaker.aad_id, t.lang, turn.settings.timezone, after_id)
    if view is None:
        return await answer_text(turn, t("Only coordinators assess needs, and you are not a coordinator of any e-area. "
                                         "Write **my needs** to follow your own needs."))
    return await send(turn, editcards.to_assess_card(t, view))


@cap.command("need.to_assess", r"(?:att bedöma|att bedoma|to assess)",
             examples=("att bedöma", "to assess"))
async def to_assess_command(turn: Turn, match: re.Match) -> None:
    await _answer(turn)


@cap.action(Verb.NEED_TO_ASSESS_MORE)
class MoreToAssess(CardAction):
    """The page after `after_id` of the clicker's own list (their coordinator roles asked again)."""

    after_id: int


@cap.handles(MoreToAssess)
async def on_more_to_assess(turn: Turn, act: MoreToAssess):
    return await _answer(turn, act.after_id)


# --- the decision-basis form, from the need's card ------------------------------------------------


@cap.action(Verb.NEED_BASIS, personal=True)
class NeedBasis(CardAction):
    need_id: int


@cap.handles(NeedBasis)
async def on_basis(turn: Turn, act: NeedBasis):
    def load(session):
        need = needs_repo.by_id(session, act.need_id)
        return None if need is None else basis_state(session, need)

    state = await turn.db.run(load)
    if state is None:
        return await answer_text(turn, turn.t(
            "This need is not waiting for a decision basis from you: none was asked for, or it is with the area owners or the steering group."))
    kind, assessment_id, basis_id = state
    if kind == "revise":
        return await open_basis_form(turn, 0, basis_id=basis_id)
    return await open_basis_form(turn, assessment_id)



