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
from dialogs.needs.views import answer_text, area_name, basis_state, need_row
from storage import access, org
from storage import need_changes as repo
from storage import needs as needs_repo

cap = Capability("need-followup")

LIST_LIMIT = 25


def _list(session, aad_id: str, lang: str, tz: str) -> editcards.ToAssess | None:
    slugs = [scope for scope, held in access.roles(session, aad_id).items() if "coordinator" in held]
    areas = [area for area in (org.e_area_by_slug(session, slug) for slug in sorted(slugs)) if area is not None]
    if not areas:
        return None
    ids = [area.id for area in areas]
    found = repo.to_assess(session, ids, LIST_LIMIT)
    counts = needs_repo.affected_counts(session, [need.id for need, _ in found])
    rows = [need_row(need, area, lang, counts.get(need.id, 0), tz) for need, area in found]
    return editcards.ToAssess(rows, [area_name(a, lang) for a in areas], repo.count_to_assess(session, ids))


@cap.command("need.to_assess", r"(?:att bedöma|att bedoma|to assess)",
             examples=("att bedöma", "to assess"))
async def to_assess_command(turn: Turn, match: re.Match) -> None:
    t = turn.t
    view = await turn.db.run(_list, turn.speaker.aad_id, t.lang, turn.settings.timezone)
    if view is None:
        await turn.say(t("Only coordinators assess needs, and you are not a coordinator of any e-area. "
                         "Write **my needs** to follow your own needs."))
        return
    await turn.send_card(editcards.to_assess_card(t, view))


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



