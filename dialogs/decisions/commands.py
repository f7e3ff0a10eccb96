"""`beslut <e-area>` / `decisions <e-area>`: the decisions of an e-area, for its roles."""

from __future__ import annotations

import re

from bot.i18n import area_name
from bot.roles import areas_where, can
from bot.rules.permissions import Permission
from bot.turn import Turn
from cards.common import escape
from cards.decision import DecisionRow, decisions_list_card
from cards.system import message_card
from dialogs.decisions.verbs import cap
from storage import decisions as store
from storage import org


def decision_rows(session, area_id: int) -> list[DecisionRow]:
    return [DecisionRow(number=d.number, decided_at=d.decided_at, need_number=n.number, need_title=n.title,
                        level=d.level, outcome=d.outcome.value, decided_by_name=d.decided_by_name or d.decided_by)
            for d, n in store.of_area(session, area_id)]


@cap.command("decisions", r"(?:beslut|decisions)(?: (?P<area>.+))?", examples=("beslut utbildning", "decisions education"))
async def decisions_command(turn: Turn, match: re.Match) -> None:
    t, settings, aad_id = turn.t, turn.settings, turn.speaker.aad_id
    wanted = (match.group("area") or "").strip()

    def load(session):
        if wanted:
            area = org.find_e_area(session, wanted)
        else:
            mine = areas_where(session, aad_id, Permission.view_area_needs)
            area = org.e_area_by_slug(session, mine[0]) if len(mine) == 1 else None
        if area is None:
            return "unknown", [area_name(a, t) for a in org.e_areas(session)], None
        if not can(session, settings, aad_id, Permission.view_area_needs, scope=area.slug):
            return "refused", area_name(area, t), None
        return "ok", area_name(area, t), decision_rows(session, area.id)

    kind, detail, rows = await turn.db.run(load)
    if kind == "unknown":
        if wanted:
            await turn.say(t("I do not know an e-area called \"{name}\". Known e-areas: {known}.",
                             name=escape(wanted), known=", ".join(detail) or "–"))
        else:
            await turn.say(t("Which e-area? Write **decisions <e-area>**, for example **decisions education**."))
        return
    if kind == "refused":
        await turn.send_card(message_card(t("Decisions"), [t("Only people with a role in {area} can see its decisions.", area=detail)]))
        return
    await turn.send_card(decisions_list_card(t, detail, rows, settings.timezone))
