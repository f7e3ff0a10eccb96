"""Routing by the rule and frames that add up (issue 13, items 2 and 3), through the HTTP route."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from storage import assessments as repo
from storage import bases as basis_repo
from storage import org
from storage.models import Anchoring, Need, NeedStatus
from tests.support.assessment_factory import make_need, plan_of, set_frame
from tests.support.botkit import ADELE, ALEX, CHANNEL_ID
from tests.support.cards import inputs, text, verbs
from tests.support.decision_kit import (
    card_of,
    events_of,
    link_channels,
    make_basis,
    plan_2026,
    post_basis,
)


@pytest.fixture
def bot(any_bot):
    """Every test here on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""
    return any_bot


WITHIN = {"serves": "yes", "goals": "", "hours": "120", "cost": "80000", "urgent": "false", "areas": "",
          "portfolio": "false", "if_not": "inventory", "reason": ""}
ESCALATED = "Det påverkar hela portföljen och eskaleras därför till portföljledningen."


def _buttons(card):
    return {a["data"]["verb"]: a["data"] for a in card.get("actions", []) if "data" in a}


async def _assess(bot, need_id, answers, user=ALEX):
    await bot.services.outbox.drain()
    opened = await bot.click({"verb": "assess.open", "need_id": need_id}, user=user)
    reviewed = await bot.click({**_buttons(opened[-1].card)["assess.review"], **answers}, user=user)
    buttons = _buttons(reviewed[-1].card)
    assert "assess.confirm" in buttons, reviewed[-1].all_text()
    confirmed = await bot.click({**buttons["assess.confirm"], **answers}, user=user)
    return reviewed[-1], confirmed


async def test_whole_portfolio_reaches_portfolio_management_with_a_full_frame_and_no_urgency(bot):
    need_id = await bot.query(lambda s: make_need(s).id)
    await bot.query(lambda s: set_frame(s, "utbildning", hours=100, sek=100_000, committed_hours=90))
    reviewed, replies = await _assess(bot, need_id, {**WITHIN, "portfolio": "true"})
    assert "Beslutsunderlag för styrgruppen" in reviewed.all_text()
    assert ESCALATED in reviewed.all_text()
    assert any("Beslutsunderlag för styrgruppen" in r.all_text() for r in replies)
    need = await bot.query(lambda s: s.get(Need, need_id))
    assert need.status == NeedStatus.awaiting_decision
    row = (await bot.query(lambda s: repo.assessments_of(s, need_id)))[0]
    assert (row.outcome, row.escalate, row.whole_portfolio) == ("decision_basis", True, True)
    assert ESCALATED in " ".join(r.all_text() for r in replies)
    assert (await bot.query(lambda s: plan_of(s))).committed_hours == 90  # nothing committed before a decision


async def test_whole_portfolio_reaches_portfolio_management_even_when_the_coordinator_would_decline(bot):
    need_id = await bot.query(lambda s: make_need(s).id)
    answers = {**WITHIN, "serves": "no", "portfolio": "true", "if_not": "declined", "reason": "Inte vårt område"}
    reviewed, replies = await _assess(bot, need_id, answers)
    assert ESCALATED in reviewed.all_text() and "Beslutsunderlag för styrgruppen" in reviewed.all_text()
    need = await bot.query(lambda s: s.get(Need, need_id))
    assert need.status == NeedStatus.awaiting_decision  # not declined, not in the inventory
    row = (await bot.query(lambda s: repo.assessments_of(s, need_id)))[0]
    assert (row.outcome, row.escalate, row.whole_portfolio) == ("decision_basis", True, True)


# --- frames that add up --------------------------------------------------------------------------

NOW = datetime(2026, 11, 21, 13, 5, tzinfo=UTC)


def _anchor(session, basis_id: int, *people) -> None:
    for person in people:
        session.add(Anchoring(basis_id=basis_id, aad_id=person.aad_id, agreed=True, at=NOW))


@pytest.fixture
async def full(bot):
    """The plan's frame all used (4 000 h, 2 500 000 kr), a basis asking 8 020 h and 150 000 kr with
    a proposed change of only 80 h and 100 000 kr, anchored by Adele and posted."""
    bot.services.clock = lambda: NOW
    await bot.query(link_channels, bot.connector.url)
    await bot.query(lambda s: set_frame(s, "utbildning", hours=4000, sek=2_500_000, committed_hours=4000,
                                        committed_sek=2_500_000))
    basis_id = await bot.query(lambda s: make_basis(s, hours=8020, cost_sek=150_000))
    await bot.query(_anchor, basis_id, ADELE)
    await post_basis(bot, basis_id)
    return basis_id


async def test_the_chairs_card_shows_the_frame_now_and_after_and_who_anchored(bot, full):
    status, body = await bot.invoke({"verb": "decision.view", "basis_id": full, "level": "steering"}, user=ALEX)
    shown = text(card_of(body))
    assert "decision.approve" in verbs(card_of(body))
    assert "Förankrat av" in shown and "Adele Vance" in shown
    assert "Kvar nu" in shown and "0 timmar, 0 kr" in shown
    assert "Ramändring som behövs" in shown and "+8\u00a0020 timmar, +150\u00a0000 kr" in shown
    assert "Kvar efter beslutet" in shown and "7\u00a0940 timmar över ramen, 50\u00a0000 kr över ramen" in shown
    assert "planen hamnar 7\u00a0940 timmar, 50\u00a0000 kr över sin ram" in shown
    assert "−" not in shown and "-7" not in shown  # never a negative "left"
    # the posted read-only card shows the same figures to everyone
    posted = [s for s in bot.connector.sent if s.method == "POST" and s.conversation_id == CHANNEL_ID]
    assert "Kvar efter beslutet" in posted[0].all_text() and "Förankrat av" in posted[0].all_text()
    # and in English
    await bot.query(lambda s: setattr(org.person(s, ALEX.aad_id), "locale", "en"))
    status, body = await bot.invoke({"verb": "decision.view", "basis_id": full, "level": "steering"}, user=ALEX)
    shown = text(card_of(body))
    assert "Left after this decision" in shown and "7,940 hours over the frame" in shown
    assert "Anchored by" in shown


async def test_approval_applies_the_frame_change_and_the_estimate_and_flags_the_overrun(bot, full):
    before = await bot.query(plan_2026)
    status, body = await bot.invoke({"verb": "decision.approve", "basis_id": full, "level": "steering"}, user=ALEX)
    assert status == 200 and "Styrgruppen: Godkänt" in text(card_of(body))
    after = await bot.query(plan_2026)
    assert (after.frame_hours, after.frame_sek) == (before.frame_hours + 80, before.frame_sek + 100_000)
    assert (after.committed_hours, after.committed_sek) == (before.committed_hours + 8020, before.committed_sek + 150_000)
    changed = next(e for e in await bot.query(events_of, full) if e.kind == "plan_changed")
    assert json.loads(changed.detail)["left_hours"] == -7940
    # the coordinators are told, once, in the same transaction's outbox
    await bot.services.outbox.drain()
    notices = [s for s in bot.connector.sent if s.conversation_id == "a:personal-user-id-0"
               and "har överskridit sin ram" in s.all_text()]
    assert len(notices) == 1
    told = notices[0].all_text()
    assert "Beslut D-2026-0001 om behov B-2026-0001 intecknade mer än ramen tillåter." in told
    assert "7\u00a0940 timmar, 50\u00a0000 kr" in told
    # the plan card says so
    replies = await bot.say("plan utbildning 2026")
    shown = replies[-1].all_text()
    assert "7\u00a0940 över ramen" in shown and "Mer är intecknat än ramen tillåter" in shown
    # and the next assessment, never "Kvar nu −7 940 timmar"
    need_id = await bot.query(lambda s: make_need(s).id)
    opened = await bot.click({"verb": "assess.open", "need_id": need_id})
    shown = opened[-1].all_text()
    assert "7\u00a0940 timmar över ramen" in shown and "Planen har överskridit sin ram" in shown
    assert "−7" not in shown and "-7" not in shown


async def test_an_approval_that_stays_within_the_frame_tells_nobody_about_it(bot):
    bot.services.clock = lambda: NOW
    await bot.query(link_channels, bot.connector.url)
    basis_id = await bot.query(make_basis)  # 120 h, 150 000 kr in a frame with room
    await post_basis(bot, basis_id)
    status, body = await bot.invoke({"verb": "decision.view", "basis_id": basis_id, "level": "steering"}, user=ALEX)
    shown = text(card_of(body))
    assert "Ramändring som behövs" not in shown and "över sin ram" not in shown
    assert "Kvar efter beslutet" in shown and "3\u00a0960 timmar, 2\u00a0450\u00a0000 kr" in shown  # 4000+80-120
    await bot.invoke({"verb": "decision.approve", "basis_id": basis_id, "level": "steering"}, user=ALEX)
    await bot.services.outbox.drain()
    assert not [s for s in bot.connector.sent if "har överskridit sin ram" in s.all_text()]


BASIS = {"business_goals": "Snabbare examination", "risk": "Leverantören hinner inte", "likelihood": "3",
         "impact": "4", "resources": "Två utvecklare", "hours": "300", "cost": "400000",
         "dependencies": "Forskning", "proposal": "Utöka ramen"}


async def test_the_basis_form_proposes_the_change_the_need_requires_and_warns_when_short(bot):
    need_id = await bot.query(lambda s: make_need(s).id)
    await bot.query(lambda s: set_frame(s, "utbildning", hours=100, sek=100_000, committed_hours=40))
    _, replies = await _assess(bot, need_id, {**WITHIN, "hours": "300", "cost": "400000", "urgent": "true"})
    form = next(r.card for r in reversed(replies) if r.cards and "basis.submit" in verbs(r.card))
    values = inputs(form)
    # estimate minus what is left: 300 - 60 hours, 400 000 - 100 000 kr
    assert values["frame_hours"]["value"] == 240 and values["frame_sek"]["value"] == 300_000
    assert "Ramändring som behövs" in text(form) and "+240 timmar, +300\u00a0000 kr" in text(form)
    submit = next(a["data"] for a in form["actions"] if a["data"]["verb"] == "basis.submit")
    await bot.services.outbox.drain()

    # a proposal that does not cover it: warned, nothing stored, what was typed kept
    short = await bot.click({**submit, **BASIS, "frame_hours": "100", "frame_sek": "300000"})
    card = short[-1].card
    assert "täcker inte" in text(card) and "140 timmar över sin ram" in text(card)
    assert inputs(card)["frame_hours"]["value"] == 100 and inputs(card)["risk"]["value"] == "Leverantören hinner inte"
    assert await bot.query(lambda s: basis_repo.latest_basis(s, need_id)) is None
    anyway = next(a for a in card["actions"] if a["data"]["verb"] == "basis.submit")
    assert anyway["title"] == "Skicka ändå till de e-områdesansvariga"

    # sent anyway, as it is: stored
    sent = await bot.click({**anyway["data"], **BASIS, "frame_hours": "100", "frame_sek": "300000"})
    assert any("skickat till de e-områdesansvariga" in r.all_text() for r in sent)
    stored = await bot.query(lambda s: basis_repo.latest_basis(s, need_id))
    assert (stored.frame_change_hours, stored.frame_change_sek) == (100, 300_000)


async def test_a_proposal_that_covers_the_need_is_sent_at_once(bot):
    need_id = await bot.query(lambda s: make_need(s).id)
    await bot.query(lambda s: set_frame(s, "utbildning", hours=100, sek=100_000, committed_hours=40))
    _, replies = await _assess(bot, need_id, {**WITHIN, "hours": "300", "cost": "400000", "urgent": "true"})
    form = next(r.card for r in reversed(replies) if r.cards and "basis.submit" in verbs(r.card))
    submit = next(a["data"] for a in form["actions"] if a["data"]["verb"] == "basis.submit")
    sent = await bot.click({**submit, **BASIS, "frame_hours": "240", "frame_sek": "300000"})
    assert any("skickat till de e-områdesansvariga" in r.all_text() for r in sent)
    assert (await bot.query(lambda s: basis_repo.latest_basis(s, need_id))).frame_change_hours == 240
