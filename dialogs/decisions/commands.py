"""`beslut <e-area>` / `decisions <e-area>`: the decisions of an e-area, for its roles, a page at a
time (newest first; "Show more" asks for the page after the last one shown)."""

from __future__ import annotations

import re

from pydantic import Field

from bot.actions import CardAction
from bot.i18n import area_name
from bot.roles import areas_where, can
from bot.rules.permissions import Permission
from bot.turn import Turn
from cards.common import escape
from cards.decision import DecisionRow, decisions_list_card
from cards.system import error_card, message_card
from cards.verbs import Verb
from dialogs.decisions.verbs import cap
from storage import decisions as store
from storage import org

PAGE = 25


def decision_rows(session, area_id: int, before_id: int | None = None) -> tuple[list[DecisionRow], int | None]:
    """A page of rows, and the id to continue before when there are more."""
    found = store.of_area(session, area_id, before_id=before_id, limit=PAGE + 1)
    more = found[PAGE - 1].id if len(found) > PAGE else None
    return [DecisionRow(number=d.number, decided_at=d.decided_at, need_number=d.need_number, need_title=d.need_title,
                        level=str(getattr(d.level, "value", d.level)), outcome=str(getattr(d.outcome, "value", d.outcome)),
                        decided_by_name=d.decided_by_name or d.decided_by)
            for d in found[:PAGE]], more


def _load(session, t, settings, aad_id: str, wanted: str, before_id: int | None = None):
    if wanted:
        area = org.find_e_area(session, wanted)
    else:
        mine = areas_where(session, aad_id, Permission.view_area_needs)
        area = org.e_area_by_slug(session, mine[0]) if len(mine) == 1 else None
    if area is None:
        return "unknown", [area_name(a, t) for a in org.e_areas(session)], None
    if not can(session, settings, aad_id, Permission.view_area_needs, scope=area.slug):
        return "refused", area_name(area, t), None
    rows, more = decision_rows(session, area.id, before_id)
    return "ok", (area_name(area, t), area.slug), (rows, more)


def _card(t, settings, detail, page) -> dict:
    (name, slug), (rows, more) = detail, page
    data = MoreDecisions(area=slug, before_id=more).data() if more else None
    return decisions_list_card(t, name, rows, settings.timezone, more=data)


@cap.command("decisions", r"(?:beslut|decisions)(?: (?P<area>.+))?", examples=("beslut utbildning", "decisions education"))
async def decisions_command(turn: Turn, match: re.Match) -> None:
    t, settings, aad_id = turn.t, turn.settings, turn.speaker.aad_id
    wanted = (match.group("area") or "").strip()
    kind, detail, page = await turn.db.read(lambda s: _load(s, t, settings, aad_id, wanted))
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
    await turn.send_card(_card(t, settings, detail, page))


@cap.action(Verb.DECISIONS_MORE)
class MoreDecisions(CardAction):
    area: str = Field(max_length=60)  # the e-area's slug
    before_id: int


@cap.handles(MoreDecisions)
async def on_more_decisions(turn: Turn, act: MoreDecisions):
    """The next page, after the roles are asked again (a card's data is never trusted)."""
    t, settings = turn.t, turn.settings
    kind, detail, page = await turn.db.read(lambda s: _load(s, t, settings, turn.speaker.aad_id, act.area, act.before_id))
    if kind == "ok":
        content = _card(t, settings, detail, page)
    elif kind == "refused":
        content = message_card(t("Decisions"), [t("Only people with a role in {area} can see its decisions.", area=detail)])
    else:
        content = error_card(t, t("I cannot show that: it does not exist, or you do not have access to it. Nothing was changed."))
    if turn.is_invoke:
        return content
    await turn.send_card(content)
    return None
