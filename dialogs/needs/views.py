"""What the needs and plans dialogs share: rows for the need cards, who may look, how to answer."""

from __future__ import annotations

import logging
from datetime import date
from zoneinfo import ZoneInfo

from bot.i18n import area_name
from bot.roles import can, is_admin
from bot.rules import policy
from bot.rules.permissions import Permission
from bot.rules.policy import Act
from cards import needs as needcards
from cards.system import error_card
from storage import access, assessments, bases, org
from storage.models import EArea, Need, Role

log = logging.getLogger("styra.needs")


def local_today(turn) -> date:
    return turn.now().astimezone(ZoneInfo(turn.settings.timezone)).date()


def need_row(need: Need, area: EArea, lang: str, affected: int = 0, tz: str = "Europe/Stockholm") -> needcards.NeedRow:
    created = need.created_at.astimezone(ZoneInfo(tz)).date().isoformat() if need.created_at else ""
    excerpt = need.description[:200] + ("…" if len(need.description) > 200 else "")
    return needcards.NeedRow(need_id=need.id, number=need.number, title=need.title,
                             status=str(getattr(need.status, "value", need.status)), area=area_name(area, lang),
                             created=created, affected=affected, excerpt=excerpt)


def listed_row(row, area, lang: str, tz: str = "Europe/Stockholm") -> needcards.NeedRow:
    """A list's row from a page read by storage.need_pages (`LISTED` columns, with `affected`)."""
    created = row.created_at.astimezone(ZoneInfo(tz)).date().isoformat() if row.created_at else ""
    return needcards.NeedRow(need_id=row.id, number=row.number, title=row.title,
                             status=str(getattr(row.status, "value", row.status)), area=area_name(area, lang),
                             created=created, affected=row.affected or 0)


def split_area(session, words: list[str]) -> tuple[EArea | None, str]:
    """'ekonomi och personal under bedömning' -> (the e-area, 'under bedömning'); longest area first."""
    for cut in range(len(words), 0, -1):
        area = org.find_e_area(session, " ".join(words[:cut]))
        if area is not None:
            return area, " ".join(words[cut:])
    return None, ""


def may_view(session, settings, aad_id: str, slug: str, permission: Permission) -> bool:
    """The e-area's roles, an administrator, or the portfolio office (which follows every e-area)."""
    if is_admin(settings, aad_id) or can(session, settings, aad_id, permission, scope=slug):
        return True
    return any(a.role == Role.portfolio_office and a.scope == org.PORTFOLIO_SCOPE for a in org.roles_of(session, aad_id))


def coordinator_names(session, slug: str) -> list[str]:
    return [c.name for c in org.contacts(session, slug, Role.coordinator)]


async def show(turn, content: dict, *, new_message: bool = False):
    """Answer a card click: in place for Action.Execute, else replace the clicked card when possible."""
    if turn.is_invoke:
        return content
    reply_to = getattr(turn.activity, "reply_to_id", None)
    if reply_to and not new_message:
        try:
            await turn.replace_card(reply_to, content)
            return None
        except Exception as exc:  # an old or foreign message cannot be edited: send a new one
            log.info("could not update card %s in place: %s", reply_to, exc)
    await turn.send_card(content)
    return None


async def send(turn, content: dict):
    """A card as the answer: returned for Action.Execute, else sent."""
    if turn.is_invoke:
        return content
    await turn.send_card(content)
    return None


async def answer_text(turn, text: str):
    """A short text answer; for Action.Execute it has to be a card."""
    if turn.is_invoke:
        return error_card(turn.t, text)
    await turn.say(text)
    return None


def rights(session, settings, need_id: int, aad_id: str) -> frozenset[Act]:
    """What this person may do with the need now, by the access policy (bot/rules/policy.py)."""
    found = access.facts(session, "need", need_id, aad_id)
    if found is None:
        return frozenset()
    viewer = policy.Viewer(aad_id, access.roles(session, aad_id), is_admin(settings, aad_id))
    facts = policy.RecordFacts(policy.Record.need, found.scope,
                               policy.stage_of(policy.Record.need, found.status, found.flags), found.relations)
    return frozenset(act for act in (Act.edit, Act.withdraw, Act.assess) if policy.may_act(viewer, facts, act))


def basis_state(session, need: Need) -> tuple[str, int, int] | None:
    """("write", assessment id, 0) when the need waits for a decision basis that was never sent,
    ("revise", assessment id, basis id) when its basis was sent back; None otherwise."""
    if str(getattr(need.status, "value", need.status)) != "awaiting_decision":
        return None
    last = assessments.latest_assessment(session, need.id)
    if last is None or last.outcome != "decision_basis":
        return None
    latest = bases.latest_basis(session, need.id)
    if latest is None:
        return "write", last.id, 0
    if latest.assessment_id == last.id and str(getattr(latest.status, "value", latest.status)) == "sent_back":
        return "revise", last.id, latest.id
    return None
