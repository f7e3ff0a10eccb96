"""Set-up for decision tests: a ready decision basis, linked channels, and what was posted."""

from __future__ import annotations

from sqlmodel import select

from dialogs.decisions import followups
from storage import org
from storage.counters import next_number
from storage.models import (
    BasisStatus,
    ChannelPurpose,
    ConversationRef,
    Decision,
    DecisionBasis,
    Need,
    NeedEvent,
    NeedStatus,
    Plan,
    Role,
)
from tests.support.botkit import CHANNEL_ID, MEGAN, TENANT

PORTFOLIO_CHANNEL = "19:portfolio@thread.tacv2"


def link_channels(session, service_url: str, *, portfolio: bool = True) -> None:
    area = org.e_area_by_slug(session, "utbildning")
    refs = [(CHANNEL_ID, ChannelPurpose.steering, area)]
    if portfolio:
        refs.append((PORTFOLIO_CHANNEL, ChannelPurpose.portfolio, None))
    for conversation_id, purpose, linked_area in refs:
        org.save_conversation(session, ConversationRef(
            conversation_id=conversation_id, kind="channel", service_url=service_url, tenant_id=TENANT,
            team_id="19:team@thread.tacv2", channel_id=conversation_id, name=conversation_id))
        org.link_channel(session, purpose, linked_area, conversation_id, "test")


def make_basis(session, *, slug: str = "utbildning", escalate: bool = False, raised_by=MEGAN,
               status: BasisStatus = BasisStatus.ready, hours: int = 120, cost_sek: int = 150_000,
               frame_change_sek: int = 100_000, frame_change_hours: int = 80, version: int = 1) -> int:
    area = org.e_area_by_slug(session, slug)
    need = Need(number=next_number(session, "B", 2026), e_area_id=area.id, title="Bokningssystem för labb",
                description="Labben bokas i dag i ett delat kalkylark.", raised_by=raised_by.aad_id,
                raised_by_name=raised_by.name, effort_hours=hours, cost_sek=cost_sek,
                status=NeedStatus.awaiting_decision)
    session.add(need)
    session.flush()
    basis = DecisionBasis(
        need_id=need.id, version=version, status=status, business_goals="Bättre nyttjande av labben.",
        risk="Leverantören är liten.", risk_likelihood=2, risk_impact=3, resources="Två utvecklare i tre månader.",
        hours=hours, cost_sek=cost_sek, dependencies="Forskning använder samma labb.",
        proposal="Utöka ramen och genomför under Q2.", frame_change_sek=frame_change_sek,
        frame_change_hours=frame_change_hours, escalate=escalate, created_by="test",
    )
    session.add(basis)
    session.flush()
    return basis.id


def grant_deputy(session, user) -> None:
    org.grant(session, org.e_area_by_slug(session, "utbildning"), user.aad_id, Role.deputy_chair, "test")


def decisions_of(session, basis_id: int) -> list[Decision]:
    return list(session.exec(select(Decision).where(Decision.basis_id == basis_id).order_by(Decision.id)))


def need_of(session, basis_id: int) -> Need:
    basis = session.get(DecisionBasis, basis_id)
    return session.get(Need, basis.need_id)


def basis_status(session, basis_id: int) -> str:
    return session.get(DecisionBasis, basis_id).status.value


def events_of(session, basis_id: int) -> list[NeedEvent]:
    need = need_of(session, basis_id)
    return list(session.exec(select(NeedEvent).where(NeedEvent.need_id == need.id).order_by(NeedEvent.id)))


def plan_2026(session, slug: str = "utbildning") -> Plan:
    area = org.e_area_by_slug(session, slug)
    return session.exec(select(Plan).where(Plan.e_area_id == area.id, Plan.year == 2026)).one()


def card_of(body: dict) -> dict:
    """The card in an adaptiveCard/action answer."""
    assert body.get("statusCode") == 200, body
    return body["value"]


async def post_basis(bot, basis_id: int) -> None:
    """What the last area owner's agreement leaves in the outbox, the basis' post to its steering
    channel, written and sent."""
    services = bot.services
    await bot.query(lambda s: followups.post_basis(s, services.settings, basis_id, services.clock()))
    await services.outbox.drain()
