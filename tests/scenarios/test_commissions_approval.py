"""Approval by every manager concerned: three managers, one of whom clicks twice at the same
moment (SQLite and PostgreSQL); the lead's card showing who has approved, live; a decline and a
resubmission; an answer to a replaced version refused with the current one shown; a change of a
decided commission approved again; the document changed while approvals are in flight."""

from __future__ import annotations

import asyncio

from storage import commission_queries as queries
from tests.scenarios.commission_kit import (
    answer,
    cards_to,
    commission,
    document_inputs,
    latest_card,
    meet,
    speaking,
    write,
)
from tests.support.botkit import ADELE, ALEX, ISAIAH, MEGAN, PATTI, STRANGER
from tests.support.cards import buttons, text
from tests.support.transcript import Transcript


def _doc(**extra):
    # Responsible manager Megan; the participants' managers Patti and Isaiah: three approvers.
    return document_inputs(lead=ALEX, manager=MEGAN, participants=(ADELE,), managers=(PATTI, ISAIAH), **extra)


def _answers(bot, cid, version):
    return bot.query(lambda s: [(r.manager, r.answer) for r in queries.approvals(s, cid, version)])


async def test_three_managers_with_a_concurrent_double_click_decide_once(any_bot):
    bot = any_bot
    await meet(bot)
    cid, _convo = await write(bot, ALEX, document=_doc())
    await bot.services.outbox.drain()
    # Megan's double click: two invokes at the same moment.
    (s1, c1), (s2, c2) = await asyncio.gather(answer(bot, MEGAN, cid, 1, "approved"), answer(bot, MEGAN, cid, 1, "approved"))
    assert s1 == s2 == 200
    assert await _answers(bot, cid, 1) == [(MEGAN.aad_id, "approved"), (PATTI.aad_id, None), (ISAIAH.aad_id, None)]
    shown = [text(c1), text(c2)]
    assert all("Godkännanden: 1 av 3" in s for s in shown)
    assert sum("Du har redan svarat på den här versionen" in s for s in shown) == 1
    assert not [b for c in (c1, c2) for b in buttons(c)]  # no buttons left for Megan
    await bot.services.outbox.drain()
    # A participant is not asked, so cannot answer in a manager's place.
    _status, refused = await answer(bot, ADELE, cid, 1, "approved")
    assert "Du är inte en av cheferna som ombetts godkänna den här versionen." in text(refused)
    # The lead's copy shows who has approved, updated in place.
    assert "Godkännanden: 1 av 3" in text(latest_card(bot, ALEX, containing="Godkännanden"))
    # The last two answer at once: decided once, one number.
    (s3, c3), (s4, c4) = await asyncio.gather(answer(bot, PATTI, cid, 1, "approved"), answer(bot, ISAIAH, cid, 1, "approved"))
    assert s3 == s4 == 200
    c = await commission(bot, cid)
    assert (c.status, c.number, c.decided_version) == ("decided", "U-2026-0001", 1)
    events = await bot.query(queries.events, cid)
    assert [e.kind for e in events].count("decided") == 1
    assert [e.kind for e in events].count("approved") == 3
    assert sum("Uppdraget är beslutat som U-2026-0001" in text(card) for card in (c3, c4)) == 1
    await bot.services.outbox.drain()
    # Every copy ends in the decided state, without buttons, whatever order the clicks came in.
    for person in (ALEX, MEGAN, PATTI, ISAIAH):
        last = latest_card(bot, person, containing="Godkännanden")
        assert "Godkännanden: 3 av 3" in text(last) and "Beslutat" in text(last) and not buttons(last), person.name
    assert any("Beslutat: U-2026-0001" in text(card) for card in cards_to(bot, ALEX))
    assert any("Nytt uppdrag U-2026-0001" in text(card) for card in cards_to(bot, ADELE))
    # After the decision no answer counts; someone not involved learns nothing.
    _status, late = await answer(bot, ADELE, cid, 1, "declined", "Nej")
    assert "Uppdraget väntar inte på godkännande." in text(late)
    _status, stranger = await answer(bot, STRANGER, cid, 1, "declined", "No")
    assert "I cannot find that commission" in text(stranger) and "Gemensam" not in text(stranger)
    assert await _answers(bot, cid, 1) == [(MEGAN.aad_id, "approved"), (PATTI.aad_id, "approved"), (ISAIAH.aad_id, "approved")]


async def test_a_decline_returns_it_to_the_lead_and_a_resubmission_is_approved(bot):
    await meet(bot)
    en_patti = speaking(PATTI, "en")
    await meet(bot, en_patti)
    cid, lead = await write(bot, ALEX, document=_doc())
    await bot.services.outbox.drain()
    assert (await answer(bot, MEGAN, cid, 1, "approved"))[0] == 200
    # A decline needs a comment: refused, the buttons stay.
    _s, card = await answer(bot, en_patti, cid, 1, "declined", "")
    assert "Write why you decline" in text(card) and buttons(card)
    patti = Transcript(bot, en_patti)
    await patti.click(latest_card(bot, en_patti, verb="commission.answer"), "Decline",
                      inputs={"comment": "Budgeten räcker inte för två enheter"})
    assert "You declined" in patti.text
    c = await commission(bot, cid)
    assert (c.status, c.version, c.number) == ("draft", 1, None)
    await bot.services.outbox.drain()
    returned = latest_card(bot, ALEX, containing="Tillbaka till dig")
    assert "Budgeten räcker inte för två enheter" in text(returned) and "Patti Fernandez godkände inte version 1" in text(returned)
    # Isaiah, who had not answered, can no longer: the version was returned.
    _s, late = await answer(bot, ISAIAH, cid, 1, "approved")
    assert "väntar inte på godkännande" in text(late)
    # The lead edits and sends it again: version 2, every manager asked again.
    await lead.click(returned, "Redigera")
    await lead.click(lead.expect_card(verb="commission.submit"), "Skicka för godkännande",
                     inputs=_doc(budget_sek="80 000"))
    lead.expect_text("Skickat för godkännande till Megan Bowen, Patti Fernandez, Isaiah Langer")
    c = await commission(bot, cid)
    assert (c.status, c.version) == ("awaiting_approval", 2)
    await bot.services.outbox.drain()
    # Megan answers on her old card (version 1): refused, the current version is shown with its buttons.
    _s, old = await answer(bot, MEGAN, cid, 1, "approved")
    assert "Version 1 har ersatts" in text(old) and "Version 2" in text(old) and buttons(old)
    assert await _answers(bot, cid, 2) == [(MEGAN.aad_id, None), (PATTI.aad_id, None), (ISAIAH.aad_id, None)]
    for person in (MEGAN, en_patti, ISAIAH):
        assert (await answer(bot, person, cid, 2, "approved"))[0] == 200
    c = await commission(bot, cid)
    assert (c.status, c.decided_version, c.number) == ("decided", 2, "U-2026-0001")
    versions = await bot.query(queries.versions, cid)
    assert [(v.version, v.status) for v in versions] == [(1, "declined"), (2, "approved")]


async def test_a_change_is_a_new_version_the_same_managers_approve(bot):
    await meet(bot)
    cid, lead = await write(bot, ALEX, document=_doc(budget_hours="200"))
    for person in (MEGAN, PATTI, ISAIAH):
        await answer(bot, person, cid, 1, "approved")
    await bot.services.outbox.drain()
    await lead.say("uppdrag U-2026-0001")
    await lead.click(lead.expect_card(verb="commission.change"), "Ändra")
    form = lead.expect_card(verb="commission.submit")
    assert "Ändring: version 2" in text(form)
    await lead.click(form, "Skicka för godkännande", inputs=_doc(budget_hours="600", end="2027-06-30"))
    c = await commission(bot, cid)
    assert (c.status, c.version, c.decided_version) == ("awaiting_approval", 2, 1)
    # While the change waits, version 1 stays in force and readable.
    await lead.say("uppdrag U-2026-0001")
    detail = text(lead.expect_card(containing="U-2026-0001"))
    assert "Version 1 (gällande)" in detail and "Version 2 (skickad för godkännande)" in detail
    for person in (MEGAN, PATTI, ISAIAH):
        await answer(bot, person, cid, 2, "approved")
    c = await commission(bot, cid)
    assert (c.status, c.decided_version, c.number, c.end.isoformat()) == ("decided", 2, "U-2026-0001", "2027-06-30")
    doc1 = await bot.query(lambda s: queries.document(s, queries.get(s, cid), 1))
    assert doc1["budget_hours"] == 200 and doc1["end"] == "2026-12-15"
    await bot.services.outbox.drain()
    assert any("Uppdrag U-2026-0001 är ändrat (version 2)" in text(card) for card in cards_to(bot, ADELE))


async def test_the_document_changed_while_approvals_are_in_flight_asks_again(bot):
    await meet(bot)
    cid, lead = await write(bot, ALEX, document=_doc())
    await bot.services.outbox.drain()
    await answer(bot, MEGAN, cid, 1, "approved")
    await lead.say("uppdrag U-2026-0001")
    lead.expect_text("Jag hittar inte det uppdraget")  # not decided: it has no number yet
    await lead.say("mina uppdrag")
    await lead.click(lead.expect_card(containing="Gemensam rutin"), "Gemensam rutin för lånedatorer")
    await lead.click(lead.expect_card(verb="commission.step"), "Fortsätt skriva")
    await lead.click(lead.expect_card(verb="commission.submit"), "Spara utkast", inputs=_doc(purpose="Ny inriktning"))
    lead.expect_text("Tidigare svar gäller inte längre")
    c = await commission(bot, cid)
    assert (c.status, c.version) == ("awaiting_approval", 2)
    assert await _answers(bot, cid, 2) == [(MEGAN.aad_id, None), (PATTI.aad_id, None), (ISAIAH.aad_id, None)]
    await bot.services.outbox.drain()
    told = latest_card(bot, MEGAN, verb="commission.answer")
    assert "Uppdragshandlingen ändrades medan den var ute för godkännande" in text(told) and "Ny inriktning" in text(told)
    # Her old card was replaced in place by the outdated view (no buttons).
    updated = [s for s in bot.connector.sent if s.method == "PUT" and s.conversation_id == MEGAN.personal_conversation]
    assert updated and "ersatts av version 2" in updated[-1].all_text() and not buttons(updated[-1].card)
