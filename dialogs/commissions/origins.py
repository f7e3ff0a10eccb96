"""Commissions that start from something: a need handled within the plan or approved by the
steering group ("make it a commission", fields filled in from the need, linked both ways), and a
network commission's idea that becomes a commission of its own (linked to its origin)."""

from __future__ import annotations

from bot.actions import CardAction
from bot.roles import can, is_admin
from bot.rules.commission_document import TEXT_MAX
from bot.rules.commissions import Status
from bot.rules.permissions import Permission
from bot.turn import Turn
from cards.commission_forms import purpose_card
from cards.verbs import Verb
from dialogs.commissions import views
from dialogs.commissions.capability import FLOW_QUESTION, NOT_FOUND, answer_text, cap, show
from storage import commission_queries as queries
from storage import commissions as repo
from storage import needs as needs_repo
from storage.models import EArea, NeedStatus

COMMISSIONABLE = (NeedStatus.within_plan.value, NeedStatus.approved.value)


def may_commission_need(session, settings, need, aad_id: str) -> bool:
    """Whoever raised the need, the e-area's coordinators and administrators."""
    if aad_id == need.raised_by or is_admin(settings, aad_id):
        return True
    area = session.get(EArea, need.e_area_id)
    return area is not None and can(session, settings, aad_id, Permission.assess_need, scope=area.slug)


def need_status(need) -> str:
    return str(getattr(need.status, "value", need.status))


@cap.action(Verb.COMMISSION_FROM_NEED, personal=True)
class FromNeed(CardAction):
    need_id: int


def from_need_work(session, *, t, speaker: str, speaker_name: str, settings, need_id: int, now):
    need = needs_repo.by_id(session, need_id)
    if need is None or not may_commission_need(session, settings, need, speaker):
        return t("Only whoever raised the need and the e-area's coordinators can make it a commission."), None
    if need_status(need) not in COMMISSIONABLE:
        return t("Only a need handled within the plan or approved by the steering group can become a commission."), None
    started = [c for c in queries.open_drafts(session, speaker) if c.origin_need_id == need.id]
    if started:
        c = started[0]
    else:
        area = session.get(EArea, need.e_area_id)
        n = queries.count_started(session, speaker, need_id=need.id)
        fields = {"need": need.description[:TEXT_MAX["need"]], "purpose": (need.benefit or "")[:TEXT_MAX["purpose"]],
                  "budget_hours": need.effort_hours, "budget_sek": need.cost_sek}
        c = repo.create_draft(session, key=f"commission-need:{speaker}:{need.id}:{n}", creator=speaker,
                              title=need.title, kind="", length="short", fields=fields, now=now, origin_need_id=need.id,
                              unit=area.name if area else "", step=1)
        session.flush()
        needs_repo.add_event(session, need.id, speaker, speaker_name, "commission_started", {}, at=now)
    return None, (c.id, purpose_card(t, views.form_view(session, c, speaker)))


@cap.handles(FromNeed)
async def on_from_need(turn: Turn, act: FromNeed):
    error, found = await turn.db.run(lambda s: from_need_work(
        s, t=turn.t, speaker=turn.speaker.aad_id, speaker_name=turn.speaker.name, settings=turn.settings,
        need_id=act.need_id, now=turn.now()))
    if error:
        return await answer_text(turn, error)
    commission_id, card = found
    turn.ask(FLOW_QUESTION, commission_id=commission_id)
    return await show(turn, card, new_message=True)


@cap.action(Verb.COMMISSION_IDEA, personal=True)
class Idea(CardAction):
    commission_id: int


def idea_work(session, *, t, speaker: str, commission_id: int, now):
    origin = queries.get(session, commission_id)
    if origin is None or views.visibility(session, origin, speaker) != views.FULL:
        return t(NOT_FOUND), None
    if origin.kind != "network" or origin.decided_version is None or origin.status == Status.closed.value:
        return t("Only a running network commission turns its ideas into new commissions."), None
    started = [c for c in queries.open_drafts(session, speaker) if c.origin_commission_id == origin.id]
    if started:
        c = started[0]
    else:
        n = queries.count_started(session, speaker, commission_id=origin.id)
        need = t("An idea from the network {number} ({title}).", number=origin.number, title=origin.title)
        c = repo.create_draft(session, key=f"commission-idea:{speaker}:{origin.id}:{n}", creator=speaker, title="",
                              kind="", length="short", fields={"need": need[:TEXT_MAX["need"]]}, now=now,
                              origin_commission_id=origin.id, unit=origin.unit, step=1)
        session.flush()
    return None, (c.id, purpose_card(t, views.form_view(session, c, speaker)))


@cap.handles(Idea)
async def on_idea(turn: Turn, act: Idea):
    error, found = await turn.db.run(lambda s: idea_work(s, t=turn.t, speaker=turn.speaker.aad_id,
                                                         commission_id=act.commission_id, now=turn.now()))
    if error:
        return await answer_text(turn, error)
    commission_id, card = found
    turn.ask(FLOW_QUESTION, commission_id=commission_id)
    return await show(turn, card, new_message=True)


def of_need(session, need_id: int) -> list[tuple[int, str]]:
    """The commissions made from a need, for the need's detail card (linked both ways)."""
    return [(c.id, c.number or c.title) for c in queries.of_need(session, need_id)]


