"""`sök <ord>` / `search <words>`: the needs that match, found with the similar-need engine.

Who sees what (DOMAIN.md §8): a need in full to whoever raised or joined it, to everyone with a
role in its e-area, to the portfolio office and portfolio management, and to administrators.
Everyone else sees only the number and title of a matching need, so a duplicate is avoided
without showing its content. The answer goes to the 1:1 chat: it depends on who asks.
"""

from __future__ import annotations

import re

from pydantic import Field

from bot.actions import CardAction
from bot.registry import Capability, Where
from bot.roles import is_admin
from bot.similar import index_of
from bot.turn import Turn
from cards import need_lists
from cards.verbs import Verb
from dialogs.needs import register as flow
from storage import needs as repo
from storage import org
from storage.models import PORTFOLIO_ROLES, EArea

cap = Capability("needs.search")

SHOWN = 10  # needs shown in full
HIDDEN_SHOWN = 5  # needs shown by number and title only
WORDS_MAX = 200

_COMMAND_WORD = re.compile(r"^\s*\S+\s*")


def _visible_areas(session, settings, aad_id: str) -> set[int] | None:
    """E-areas whose needs this person sees in full; None for all of them."""
    if is_admin(settings, aad_id):
        return None
    roles = org.roles_of(session, aad_id)
    if any(a.role in PORTFOLIO_ROLES and a.scope == org.PORTFOLIO_SCOPE for a in roles):
        return None
    scopes = {a.scope for a in roles}
    return {area.id for area in org.e_areas(session) if area.slug in scopes}


def search_work(session, *, words: str, speaker, settings, index, lang: str, skip: int = 0):
    """A page of what the words find: the needs shown in full after the first `skip` of them, the
    others (on the first page) by number and title; and where the next page starts, if any."""
    areas = {area.id: area for area in org.e_areas(session)}
    found = index.find(session, list(areas), words, limit=skip + SHOWN + HIDDEN_SHOWN + 10)
    full_areas = _visible_areas(session, settings, speaker.aad_id)
    visible, hidden = [], []
    joined = repo.joined_of(session, speaker.aad_id, [need.id for need, _score in found]) if full_areas is not None else set()
    for need, _score in found:
        involved = need.raised_by == speaker.aad_id or need.id in joined
        if full_areas is None or need.e_area_id in full_areas or involved:
            visible.append(need)
        elif len(hidden) < HIDDEN_SHOWN and not skip:
            hidden.append(need_lists.HiddenNeed(need.number, need.title))
    shown = visible[skip:skip + SHOWN]
    more = skip + SHOWN if len(visible) > skip + SHOWN else None
    counts = repo.affected_counts(session, [need.id for need in shown])
    rows = [flow.need_row(need, areas.get(need.e_area_id) or EArea(name="–"), lang, counts.get(need.id, 0),
                          settings.timezone) for need in shown]
    return rows, hidden, more


@cap.command("need.search", r"(?:sök|sok|söka|search|find) .+", where=Where.personal,
         examples=("sök bokning labbsal", "search room booking"))
async def search_command(turn: Turn, match: re.Match) -> None:
    words = _COMMAND_WORD.sub("", turn.text, count=1).strip()[:WORDS_MAX]
    await turn.send_card(await _page(turn, words, 0))


async def _page(turn: Turn, words: str, skip: int) -> dict:
    index = index_of(turn.services)
    rows, hidden, more = await turn.db.read(lambda s: search_work(s, words=words, speaker=turn.speaker, skip=skip,
                                                                 settings=turn.settings, index=index, lang=turn.t.lang))
    data = MoreFound(words=words, skip=more).data() if more else None
    return need_lists.search_card(turn.t, words, rows, hidden, more=data)


@cap.action(Verb.NEED_SEARCH_MORE, personal=True)
class MoreFound(CardAction):
    """The next page of a search; what may be seen in full is asked of the clicker's roles again."""

    words: str = Field(max_length=WORDS_MAX)
    skip: int = Field(le=100)


@cap.handles(MoreFound)
async def on_more_found(turn: Turn, act: MoreFound):
    content = await _page(turn, act.words, act.skip)
    if turn.is_invoke:
        return content
    await turn.send_card(content)
    return None
