"""Inline decisions through the HTTP route: post, refresh, approve/reject/defer/send back, notices."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from storage import org
from storage.models import BasisStatus
from tests.support.botkit import ALEX, CHANNEL_ID, ISAIAH, MEGAN, PATTI, STRANGER
from tests.support.cards import input_ids, text, verbs
from tests.support.decision_kit import (
    basis_status,
    card_of,
    decisions_of,
    events_of,
    grant_deputy,
    link_channels,
    make_basis,
    need_of,
    plan_2026,
    post_basis,
)

NOW = datetime(2026, 11, 21, 13, 5, tzinfo=UTC)  # 14:05 in Stockholm


@pytest.fixture
async def ready(bot):
    """A linked steering channel and one ready basis, posted; returns the basis id."""
    bot.services.clock = lambda: NOW
    await bot.query(link_channels, bot.connector.url)
    basis_id = await bot.query(make_basis)
    await post_basis(bot, basis_id)
    return basis_id


def _posted(bot, conversation_id=CHANNEL_ID):
    return [s for s in bot.connector.sent if s.method == "POST" and s.conversation_id == conversation_id]


async def test_posted_card_is_the_read_only_view_with_a_refresh_for_chair_and_deputy(bot):
    bot.services.clock = lambda: NOW
    await bot.query(link_channels, bot.connector.url)
    await bot.query(grant_deputy, MEGAN)
    basis_id = await bot.query(make_basis)
    await post_basis(bot, basis_id)
    await post_basis(bot, basis_id)  # a second call posts nothing more
    posted = _posted(bot)
    assert len(posted) == 1
    card = posted[0].card
    assert card["version"] == "1.5"
    assert verbs(card) == [] and input_ids(card) == []
    assert card["refresh"]["action"]["verb"] == "decision.view"
    assert card["refresh"]["action"]["data"] == {"verb": "decision.view", "basis_id": basis_id, "level": "steering"}
    # Teams user ids, not AAD ids
    assert sorted(card["refresh"]["userIds"]) == ["user-id-0", "user-id-1"]
    assert "Beslutsunderlag för styrgruppen" in posted[0].all_text()
    assert "Bokningssystem för labb" in posted[0].all_text()


async def test_refresh_gives_the_chair_the_buttons_and_a_member_the_read_only_card(bot, ready):
    status, body = await bot.invoke({"verb": "decision.view", "basis_id": ready, "level": "steering"}, user=ALEX)
    assert status == 200
    chair = card_of(body)
    assert verbs(chair) == ["decision.approve", "decision.reject", "decision.defer", "decision.send_back",
                            "decision.escalate"]
    assert input_ids(chair) == ["comment", "registry_number"]
    assert "Godkänn" in text(chair)

    status, body = await bot.invoke({"verb": "decision.view", "basis_id": ready}, user=ISAIAH)
    assert status == 200
    member = card_of(body)
    assert verbs(member) == [] and input_ids(member) == []
    assert "Väntar på beslut av ordföranden eller vice ordföranden." in text(member)


async def test_approve_records_one_decision_changes_the_plan_and_tells_people(bot, ready):
    await bot.query(lambda s: setattr(org.person(s, MEGAN.aad_id), "locale", "en"))
    before = await bot.query(plan_2026)
    status, body = await bot.invoke({"verb": "decision.approve", "basis_id": ready, "level": "steering",
                                     "comment": "Bra underlag.", "registry_number": "UTB 2026/42"}, user=ALEX)
    assert status == 200
    shown = text(card_of(body))
    assert "Styrgruppen: Godkänt" in shown
    assert "Beslutat av Alex Wilber den 2026-11-21 14:05." in shown
    assert "UTB 2026/42" in shown and "Bra underlag." in shown
    assert verbs(card_of(body)) == []

    rows = await bot.query(decisions_of, ready)
    assert [(d.number, d.outcome.value, d.decided_by, d.registry_number, d.level) for d in rows] == [
        ("D-2026-0001", "approved", ALEX.aad_id, "UTB 2026/42", "steering")]
    snapshot = json.loads(rows[0].basis_snapshot)
    assert snapshot["proposal"] == "Utöka ramen och genomför under Q2." and snapshot["cost_sek"] == 150_000
    assert (await bot.query(need_of, ready)).status.value == "approved"
    assert await bot.query(basis_status, ready) == "decided"
    after = await bot.query(plan_2026)
    assert after.frame_sek == before.frame_sek + 100_000
    assert after.frame_hours == before.frame_hours + 80
    assert after.committed_sek == before.committed_sek + 150_000
    assert after.committed_hours == before.committed_hours + 120
    kinds = [e.kind for e in await bot.query(events_of, ready)]
    assert kinds == ["decided", "plan_changed", "status_changed"]

    await bot.services.outbox.drain()
    updates = [s for s in bot.connector.sent if s.method == "PUT"]
    assert len(updates) == 1 and updates[0].conversation_id == CHANNEL_ID
    assert updates[0].activity_id == _posted(bot)[0].activity_id
    assert "Styrgruppen: Godkänt" in updates[0].all_text()
    notices = {s.conversation_id: s.all_text() for s in bot.connector.sent
               if s.method == "POST" and s.conversation_id.startswith("a:personal-")}
    # the coordinator (Alex) in Swedish, the person who raised the need (Megan) in her chosen English
    assert "Styrgruppen har fattat beslut om behov B-2026-0001: Godkänt." in notices["a:personal-user-id-0"]
    assert "The steering group has decided on need B-2026-0001: Approved." in notices["a:personal-user-id-1"]


async def test_reject_declines_the_need_with_the_reason(bot, ready):
    status, body = await bot.invoke({"verb": "decision.reject", "basis_id": ready, "comment": "Ryms inte i år."})
    assert status == 200 and "Styrgruppen: Avslaget" in text(card_of(body))
    assert (await bot.query(need_of, ready)).status.value == "declined"
    last = (await bot.query(events_of, ready))[-1]
    assert last.kind == "status_changed"
    assert json.loads(last.detail) == {"from": "awaiting_decision", "to": "declined", "reason": "Ryms inte i år."}
    plan = await bot.query(plan_2026)
    assert plan.committed_sek == 0 and plan.frame_sek == 2_500_000


async def test_defer_puts_the_need_in_the_inventory(bot, ready):
    status, body = await bot.invoke({"verb": "decision.defer", "basis_id": ready, "comment": "Tas upp i nästa plan."})
    assert status == 200 and "Uppskjutet till behovsinventeringen" in text(card_of(body))
    assert (await bot.query(need_of, ready)).status.value == "inventory"
    assert json.loads((await bot.query(events_of, ready))[-1].detail)["reason"] == "Tas upp i nästa plan."


async def test_send_back_returns_the_basis_to_the_coordinators_with_the_comment(bot, ready):
    status, body = await bot.invoke({"verb": "decision.send_back", "basis_id": ready,
                                     "comment": "Beskriv beroendet till forskning."})
    assert status == 200 and "Återremitterat till koordinatorerna" in text(card_of(body))
    assert await bot.query(basis_status, ready) == "sent_back"
    assert (await bot.query(need_of, ready)).status.value == "under_assessment"
    await bot.services.outbox.drain()
    coordinator = [s for s in bot.connector.sent if s.conversation_id == "a:personal-user-id-0" and s.method == "POST"]
    assert len(coordinator) == 1
    assert "Beskriv beroendet till forskning." in coordinator[0].all_text()
    assert "De bedömer behovet på nytt (**bedöm B-2026-0001**)" in coordinator[0].all_text()


async def test_a_member_is_refused_in_the_card(bot, ready):
    status, body = await bot.invoke({"verb": "decision.approve", "basis_id": ready}, user=ISAIAH)
    assert status == 200
    shown = text(card_of(body))
    assert "Bara styrgruppens ordförande eller vice ordförande kan besluta om det här underlaget. Fråga Alex Wilber." in shown
    assert await bot.query(decisions_of, ready) == []
    assert (await bot.query(need_of, ready)).status.value == "awaiting_decision"


async def test_an_unknown_person_is_refused_in_english(bot, ready):
    status, body = await bot.invoke({"verb": "decision.reject", "basis_id": ready}, user=STRANGER)
    assert status == 200
    assert "Only the steering group's chair or deputy chair can decide on this basis." in text(card_of(body))
    assert await bot.query(decisions_of, ready) == []


async def test_a_replayed_invoke_shows_the_decision_and_records_nothing_more(bot, ready):
    data = {"verb": "decision.approve", "basis_id": ready, "level": "steering"}
    first = await bot.invoke(data, user=ALEX, activity_id="invoke-1")
    again = await bot.invoke(data, user=ALEX, activity_id="invoke-1")
    assert first[0] == again[0] == 200
    assert "Redan beslutat av Alex Wilber den 2026-11-21 14:05." in text(card_of(again[1]))
    assert len(await bot.query(decisions_of, ready)) == 1
    assert [e.kind for e in await bot.query(events_of, ready)].count("decided") == 1
    plan = await bot.query(plan_2026)
    assert plan.committed_sek == 150_000  # the frame moved once


async def test_a_click_on_a_stale_card_shows_the_current_state(bot, ready):
    await bot.invoke({"verb": "decision.send_back", "basis_id": ready, "comment": "Mer underlag."}, user=ALEX)
    # the chair's old card still shows Approve; a click on it changes nothing
    status, body = await bot.invoke({"verb": "decision.approve", "basis_id": ready}, user=ALEX)
    assert status == 200
    shown = text(card_of(body))
    assert "Redan beslutat av Alex Wilber" in shown and "Återremitterat till koordinatorerna" in shown
    rows = await bot.query(decisions_of, ready)
    assert [d.outcome.value for d in rows] == ["sent_back"]
    assert (await bot.query(need_of, ready)).status.value == "under_assessment"


async def test_a_replaced_version_can_no_longer_be_decided(bot):
    bot.services.clock = lambda: NOW
    basis_id = await bot.query(lambda s: make_basis(s, status=BasisStatus.superseded))
    status, body = await bot.invoke({"verb": "decision.approve", "basis_id": basis_id}, user=ALEX)
    assert status == 200
    assert "Den här versionen ska inte längre beslutas" in text(card_of(body))
    assert await bot.query(decisions_of, basis_id) == []


async def test_a_missing_basis_answers_with_a_card(bot):
    # the same answer as for a basis the person may not see (bot/guard.py)
    status, body = await bot.invoke({"verb": "decision.approve", "basis_id": 999}, user=ALEX)
    assert status == 200 and "Det kan jag inte visa: det finns inte" in text(card_of(body))


async def test_decisions_command_lists_an_areas_decisions_for_area_roles_only(bot, ready):
    await bot.invoke({"verb": "decision.approve", "basis_id": ready, "comment": "Ok"}, user=ALEX)
    replies = await bot.say("beslut utbildning", user=ISAIAH)
    shown = "\n".join(r.all_text() for r in replies)
    assert "Beslut i Utbildning" in shown and "D-2026-0001" in shown and "Godkänt" in shown
    replies = await bot.say("decisions utbildning", user=STRANGER)
    assert "Only people with a role in Education can see its decisions." in "\n".join(r.all_text() for r in replies)
    replies = await bot.say("beslut forskning", user=PATTI)
    assert "Bara den som har en roll i Forskning kan se områdets beslut." in "\n".join(r.all_text() for r in replies)
    replies = await bot.say("beslut forskning", user=MEGAN)
    shown = "\n".join(r.all_text() for r in replies)
    assert "Beslut i Forskning" in shown and "Inga beslut ännu." in shown
