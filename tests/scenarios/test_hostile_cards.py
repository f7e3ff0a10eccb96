"""Hostile card payloads through the real HTTP route: malformed envelopes, ids out of range and
over-long inputs get a short localised answer and one WARNING line, never a traceback; a basis
with every field full still reaches the area owners (issue "Who may see and do what")."""

from __future__ import annotations

import json
import logging

import pytest
from sqlmodel import select

from storage import bases as repo
from storage.models import Anchoring, BasisStatus, Decision
from tests.scenarios.test_assessment_anchoring import BASIS, _basis_form
from tests.scenarios.test_assessment_flow import WITHIN, _need
from tests.support.botkit import ADELE, ALEX, STRANGER
from tests.support.cards import inputs, text
from tests.support.decision_kit import card_of, make_basis

DAMAGED_SV = "Det här kortet är inaktuellt eller skadat."
UNREADABLE_SV = "Jag kunde inte läsa den knappen."
MAX_CARD = 25_000


def problems(caplog) -> tuple[list[str], list[str]]:
    """(WARNING lines from Styra, ERROR lines or tracebacks from anyone)."""
    warnings = [r.getMessage() for r in caplog.records if r.name.startswith("styra") and r.levelno == logging.WARNING]
    errors = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    return warnings, errors


async def raw_invoke(bot, value, user=ALEX):
    body = bot.activity(user, kind="personal", type_="invoke", value=value, name="adaptiveCard/action")
    response = await bot.post(body)
    return response.status, await response.json()


@pytest.mark.parametrize("value", [
    "a string", [1, 2], 5, None,
    {"action": "x"}, {"action": [1]}, {"action": 7},
    {"action": {"type": "Action.Execute", "verb": "need.show", "data": [1]}},
    {"action": {"type": "Action.Execute", "verb": "need.show", "data": "need_id=1"}},
    {"action": {"type": "Action.Execute", "verb": ["need.show"], "data": {}}},
    {"action": {"type": "Action.Execute", "verb": "no.such", "data": {}}},
])
async def test_a_malformed_invoke_gets_the_damaged_card_and_one_warning(bot, caplog, value):
    await bot.say("hjälp", user=ALEX)  # welcomed already: the answer is the one card
    caplog.clear()
    with caplog.at_level(logging.INFO):
        status, body = await raw_invoke(bot, value)
    assert status == 200 and DAMAGED_SV in text(card_of(body))
    warnings, errors = problems(caplog)
    assert len(warnings) == 1 and errors == [], (warnings, errors)


@pytest.mark.parametrize(("verb", "key"), [("need.show", "need_id"), ("decision.approve", "basis_id"),
                                           ("reminder.done", "occurrence_id"), ("assess.open", "need_id")])
@pytest.mark.parametrize("number", [10**30, 2**31, -1, 0])
async def test_an_id_out_of_range_is_refused_before_any_query(bot, caplog, verb, key, number):
    with caplog.at_level(logging.INFO):
        status, body = await bot.invoke({"verb": verb, key: number}, user=ALEX)
        replies = await bot.click({"verb": verb, key: number}, user=ALEX)
    assert status == 200 and DAMAGED_SV in text(card_of(body))
    assert UNREADABLE_SV in replies[-1].all_text()
    warnings, errors = problems(caplog)
    assert len(warnings) == 2 and errors == [], (warnings, errors)


async def test_the_largest_id_storage_holds_is_read_and_answered_like_a_missing_record(bot, caplog):
    with caplog.at_level(logging.INFO):
        status, body = await bot.invoke({"verb": "need.show", "need_id": 2**31 - 1}, user=ALEX, kind="personal")
    assert status == 200 and "Det kan jag inte visa" in text(card_of(body))
    assert problems(caplog)[1] == []


# --- over-long inputs --------------------------------------------------------------------------


async def test_an_over_long_decision_comment_is_too_long_and_the_card_keeps_it(bot):
    basis_id = await bot.query(make_basis)
    status, body = await bot.invoke({"verb": "decision.approve", "basis_id": basis_id, "comment": "ö" * 5000})
    assert status == 200 and body["type"] == "application/vnd.microsoft.activity.message"
    assert body["value"].startswith("En text är för lång: 5\u00a0000 av högst 1\u00a0000 tecken.")
    assert "det du skrev finns kvar i formuläret" in body["value"]  # the card is not replaced
    assert await bot.query(lambda s: list(s.exec(select(Decision)))) == []


async def test_an_over_long_anchoring_comment_is_too_long_and_nothing_is_recorded(bot):
    basis_id = await bot.query(lambda s: make_basis(s, status=BasisStatus.anchoring))
    replies = await bot.click({"verb": "anchor.comment", "basis_id": basis_id, "comment": "x" * 50_000}, user=ADELE)
    assert "En text är för lång: 50\u00a0000 av högst 2\u00a0000 tecken." in replies[-1].all_text()
    assert await bot.query(lambda s: list(s.exec(select(Anchoring)))) == []
    status, body = await bot.invoke({"verb": "anchor.comment", "basis_id": basis_id, "comment": "x" * 2001},
                                    user=ADELE, kind="personal")
    assert body["value"].startswith("En text är för lång: 2\u00a0001 av högst 2\u00a0000 tecken.")


async def test_an_over_long_assessment_answer_is_too_long_and_a_full_one_is_shown_again_whole(bot):
    need_id = await _need(bot, description="🙂" * 3000)
    opened = await bot.click({"verb": "assess.open", "need_id": need_id}, user=ALEX)
    review = next(a["data"] for a in opened[-1].card["actions"] if a["data"]["verb"] == "assess.review")
    replies = await bot.click({**review, **WITHIN, "business_goals": "a" * 2001}, user=ALEX)
    assert "En text är för lång: 2\u00a0001 av högst 2\u00a0000 tecken." in replies[-1].all_text()
    full = {**WITHIN, "business_goals": "🙂" * 2000, "reason": "🙂" * 2000}
    replies = await bot.click({**review, **full}, user=ALEX)
    card = replies[-1].card
    assert card is not None and len(json.dumps(card, ensure_ascii=False).encode()) <= MAX_CARD
    assert inputs(card)["business_goals"]["value"] == "🙂" * 2000 and inputs(card)["reason"]["value"] == "🙂" * 2000


async def test_a_basis_with_every_field_full_reaches_the_area_owner_and_fits(bot):
    need_id, data = await _basis_form(bot)
    bot.connector.clear()
    full = {**BASIS, **{key: "å" * 3000 for key in ("business_goals", "risk", "resources", "dependencies", "proposal")}}
    replies = await bot.click({**data, **full})
    assert any("skickat till de e-områdesansvariga: Adele Vance" in r.all_text() for r in replies)
    await bot.services.outbox.drain()
    to_adele = [s for s in bot.connector.sent if s.conversation_id == "a:personal-user-id-2" and s.cards]
    assert to_adele, "the area owner got the anchoring card"
    for sent in bot.connector.sent:
        for card in sent.cards:
            assert len(json.dumps(card, ensure_ascii=False).encode()) <= MAX_CARD
    basis = await bot.query(lambda s: repo.latest_basis(s, need_id))
    assert basis.risk == "å" * 3000  # stored whole; only the card shows less
    replies = await bot.click({"verb": "anchor.agree", "basis_id": basis.id}, user=ADELE)
    assert "klart för styrgruppen" in replies[-1].all_text()


async def test_an_over_long_basis_is_too_long_and_nothing_is_saved(bot):
    need_id, data = await _basis_form(bot)
    replies = await bot.click({**data, **BASIS, "risk": "r" * 20_000})
    assert "En text är för lång: 20\u00a0000 av högst 3\u00a0000 tecken." in replies[-1].all_text()
    assert await bot.query(lambda s: repo.latest_basis(s, need_id)) is None


async def test_any_other_over_long_input_is_too_long_in_english_too(bot):
    status, body = await bot.invoke({"verb": "help.topic", "topic": "needs", "note": "n" * 12_000}, user=STRANGER)
    assert body["value"].startswith("A text is too long: 12,000 of at most 10,000 characters.")
