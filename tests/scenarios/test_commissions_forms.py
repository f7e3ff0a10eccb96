"""The guided form when things go wrong or are left half-way: bad input gets a clear answer on the
card with everything typed kept and nothing half-written; the draft is saved at every step,
`avbryt` keeps it, `nytt uppdrag` continues it, `avbryt och släng` throws it away."""

from __future__ import annotations

from storage import commission_queries as queries
from tests.scenarios.commission_kit import WORDS, document_inputs, meet, speaking, write
from tests.support.botkit import ADELE, ALEX, MEGAN, PATTI, STRANGER
from tests.support.cards import inputs, text
from tests.support.transcript import Transcript


def _outbox_rows(session) -> int:
    from sqlalchemy import func, select

    from storage.outbox_tables import OutboxMessage

    return session.execute(select(func.count()).select_from(OutboxMessage)).scalar()


def _mine(bot, user):
    return bot.query(lambda s: queries.listing(s, mine=user.aad_id))


async def test_a_form_the_kind_does_not_allow_is_refused_with_the_reason(bot):
    await meet(bot)
    convo = Transcript(bot, ALEX)
    await convo.say("nytt uppdrag")
    await convo.click(convo.expect_card(verb="commission.purpose"), "Nästa",
                      inputs={"title": "Kartlägg e-arkiv", "kind": "investigation", "length": "short"})
    await convo.click(convo.expect_card(verb="commission.organisation"), "Föreslå organisationsform",
                      inputs={"stakeholders": "many", "predictability": "uncertain", "investment": "large"})
    card = convo.expect_card(verb="commission.organisation")
    shown = text(card)
    assert "Rekommenderas: Arbetsgrupp" in shown and "En utredning drivs aldrig som projekt" in shown
    assert [c["value"] for c in inputs(card)["form"]["choices"]] == ["single_employee", "working_group"]
    await convo.click(card, "Nästa", inputs={"form": "project"})  # a hand-made choice the card does not offer
    assert "Ett utredningsuppdrag organiseras som enskild medarbetare eller arbetsgrupp." in convo.text
    [c] = await _mine(bot, ALEX)
    assert (c.form, c.step, c.recommended_form) == ("", 2, "working_group")


async def test_bad_document_input_is_shown_again_kept_and_nothing_is_sent(bot):
    await meet(bot)
    huge = "Lång text " * 5_000  # 50,000 characters
    cid, convo = await write(bot, ALEX, send=False, document=document_inputs(lead=ALEX, manager=MEGAN, participants=(ADELE,)))
    bad = document_inputs(lead=ALEX, manager=MEGAN, participants=(ADELE,), purpose=huge, start="2026-12-01",
                          end="2026-09-01", budget_sek="-5", budget_hours="mycket",
                          responsible_manager="00000000-dead-beef-0000-000000000000")
    await convo.click(convo.expect_card(verb="commission.submit"), "Skicka för godkännande", inputs=bad)
    card = convo.expect_card(verb="commission.submit")
    shown = text(card)
    for error in ("Kontrollera de markerade fälten. Allt du skrev finns kvar.", "Slutdatumet ligger före startdatumet.",
                  "Talet kan inte vara negativt.", "Skriv ett heltal, till exempel 40 eller 150 000.",
                  "För långt: högst 800 tecken. Jag behöll de första 800.",
                  "Någon du valt här finns inte bland de personer Styra känner till."):
        assert error in shown, error
    typed = inputs(card)
    assert typed["budget_sek"]["value"] == "-5" and typed["budget_hours"]["value"] == "mycket"
    assert typed["end"]["value"] == "2026-09-01" and typed["purpose"]["value"] == huge[:800]
    assert typed["responsible_manager"]["value"] == "00000000-dead-beef-0000-000000000000"
    c = await bot.query(queries.get, cid)
    assert (c.status, c.frozen, c.responsible_manager) == ("draft", False, MEGAN.aad_id)
    assert await bot.query(queries.approvals, cid) == []
    assert await bot.query(_outbox_rows) == 0
    # Corrected, it goes.
    await convo.click(card, "Skicka för godkännande", inputs=document_inputs(lead=ALEX, manager=MEGAN, participants=(ADELE,),
                                                                          budget_sek="150 000", budget_hours=""))
    convo.expect_text("Skickat för godkännande till Megan Bowen")
    doc = await bot.query(lambda s: queries.document(s, queries.get(s, cid)))
    assert (doc["budget_sek"], doc.get("budget_hours"), doc["end"]) == (150_000, None, "2026-12-15")


async def test_the_lead_as_the_only_approver_is_warned_and_named_on_the_card(bot):
    await meet(bot)
    cid, convo = await write(bot, ALEX, send=False, document=document_inputs(lead=ALEX, manager=ALEX, participants=(ADELE,)))
    assert "Den huvudansvariga är den enda chef som godkänner uppdraget." in convo.text
    await convo.click(convo.expect_card(verb="commission.submit"), "Skicka för godkännande",
                      inputs=document_inputs(lead=ALEX, manager=ALEX, participants=(ADELE,)))
    await bot.services.outbox.drain()
    mine = [s for s in bot.connector.sent if s.conversation_id == ALEX.personal_conversation and s.cards]
    assert "Alex Wilber leder uppdraget och är också den enda chef som godkänner det." in mine[-1].all_text()


async def test_a_draft_is_kept_on_avbryt_continued_and_discarded(bot):
    await meet(bot)
    convo = Transcript(bot, ALEX)
    await convo.say("nytt uppdrag")
    await convo.click(convo.expect_card(verb="commission.purpose"), "Nästa", inputs={"title": "", "kind": "", "length": "long",
                                                                                    "need": "Mycket att göra"})
    card = convo.expect_card(verb="commission.purpose")
    assert "Ge uppdraget ett kort namn." in text(card) and inputs(card)["need"]["value"] == "Mycket att göra"
    assert await _mine(bot, ALEX) == []  # nothing to save yet without a name
    await convo.click(card, "Nästa", inputs={"title": "Nätverk för e-lärande", "kind": "network", "length": "short",
                                             "need": "Mycket att göra"})
    await convo.say("vad händer nu")
    convo.expect_text("Fyll i kortet ovan")
    await convo.say("avbryt")
    convo.expect_text("Pausat. Ditt utkast är sparat")
    [c] = await _mine(bot, ALEX)
    assert (c.title, c.kind, c.step) == ("Nätverk för e-lärande", "network", 2)
    # Coming back: the draft is offered, and continues at step 2.
    await convo.say("nytt uppdrag")
    drafts = convo.expect_card(containing="Du har påbörjade uppdrag")
    assert "Nätverk för e-lärande" in text(drafts) and "Steg 2 av 3" in text(drafts)
    await convo.click(drafts, "Fortsätt")
    convo.expect_card(verb="commission.organisation")
    await convo.say("avbryt och släng")
    convo.expect_text("Utkastet ”Nätverk för e-lärande” är slängt.")
    assert await _mine(bot, ALEX) == []
    await convo.say("avbryt")
    convo.expect_text("Det finns inget att avbryta just nu.")


async def test_in_english_cancel_keeps_the_draft_and_someone_elses_draft_is_not_there(bot):
    alex = speaking(ALEX, "en")
    await meet(bot, alex, MEGAN, ADELE, PATTI, STRANGER)
    w = WORDS["en"]
    convo = Transcript(bot, alex)
    await convo.say(w["new"])
    await convo.click(convo.expect_card(verb="commission.purpose"), w["next"],
                      inputs={"title": "E-learning network", "kind": "network", "length": "short"})
    await convo.say("cancel")
    convo.expect_text("Paused. Your draft is saved")
    [c] = await _mine(bot, alex)
    # Another person clicking a button with this draft's id learns nothing, and changes nothing.
    other = Transcript(bot, STRANGER)
    for verb in ("commission.show", "commission.step", "commission.discard", "commission.close"):
        await bot.click({"verb": verb, "commission_id": c.id, "step": 3}, user=STRANGER)
    shown = "\n".join(s.all_text() for s in bot.connector.sent if s.conversation_id == STRANGER.personal_conversation)
    assert "E-learning network" not in shown and shown.count("I cannot find that commission") == 4
    await other.say("commission U-2099-0042")
    other.expect_text("I cannot find that commission, or it is not one you may see.")
    assert [x.id for x in await _mine(bot, alex)] == [c.id]
