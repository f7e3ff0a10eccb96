"""Routing by the rule and frames that add up (issue 13, items 2 and 3), through the HTTP route."""

from __future__ import annotations

from storage import assessments as repo
from storage.models import Need, NeedStatus
from tests.support.assessment_factory import make_need, plan_of, set_frame
from tests.support.botkit import ALEX

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
