"""One commission of each kind from the guided form to decided to closed with a final report the
responsible manager acknowledges, in Swedish and English; the announcements in the linked
channel and to the participants; the document and the report exported as .docx."""

from __future__ import annotations

import io

import pytest
from docx import Document

from bot.cli.main import main
from storage import commission_queries as queries
from tests.scenarios.commission_kit import (
    WORDS,
    cards_to,
    commission,
    document_inputs,
    latest_card,
    meet,
    speaking,
    write,
)
from tests.support.botkit import ADELE, ALEX, ISAIAH, MEGAN, PATTI
from tests.support.cards import text
from tests.support.transcript import Transcript

CASES = {
    # kind, length, answers, form chosen (None: the recommendation), language
    "network-sv": ("network", "short", ("few", "predictable", "small"), None, "sv"),
    "coordination-project-en": ("coordination", "long", ("many", "uncertain", "large"), None, "en"),
    "investigation-sv": ("investigation", "short", ("several_units", "predictable", "medium"), "single_employee", "sv"),
}
EXPECTED_FORM = {"network-sv": "internal_network", "coordination-project-en": "project",
                 "investigation-sv": "single_employee"}
LONG_FIELDS = {"background": "Varje enhet lånar ut datorer på sitt sätt.", "goals": "En rutin, ett ansvar",
               "budget_sek": "150 000", "budget_hours": "400", "reporting": "Till ledningsgruppen inför delårsrapporten"}


async def _link_announcements(bot) -> None:
    channel = Transcript(bot, ALEX, kind="channel")
    await channel.say("koppla uppdrag")
    channel.expect_text("Den här kanalen visar nu beslutade uppdrag")


@pytest.mark.parametrize("case", sorted(CASES))
async def test_a_commission_from_draft_to_decided_to_final_report(bot, tmp_path, monkeypatch, case):
    kind, length, answers, form, lang = CASES[case]
    w = WORDS[lang]
    lead, manager, other_manager = speaking(ALEX, lang), speaking(MEGAN, lang), speaking(PATTI, lang)
    await meet(bot, lead, manager, other_manager, ADELE, ISAIAH)
    await _link_announcements(bot)
    extra = dict(LONG_FIELDS) if length == "long" else {}
    if EXPECTED_FORM[case] == "project":
        extra |= {"project_group": f"{ADELE.aad_id},{ISAIAH.aad_id}", "steering_group": MEGAN.aad_id}
    participants = () if EXPECTED_FORM[case] == "single_employee" else (ADELE, ISAIAH)
    doc = document_inputs(lead=lead, manager=manager, participants=participants, managers=(other_manager,), **extra)
    cid, convo = await write(bot, lead, lang=lang, kind=kind, length=length, answers=answers, form=form, document=doc)

    c = await commission(bot, cid)
    assert (c.status, c.kind, c.form, c.version, c.number) == ("awaiting_approval", kind, EXPECTED_FORM[case], 1, None)
    await bot.services.outbox.drain()
    for person in (manager, other_manager):
        card = latest_card(bot, person, verb="commission.answer")
        assert ("Godkänn uppdrag" if lang == "sv" else "Approve commission") in text(card)
    # Both managers approve on their own cards; the second decides it.
    for person in (manager, other_manager):
        approver = Transcript(bot, person)
        await approver.click(latest_card(bot, person, verb="commission.answer"), w["approve"])
    assert ("U-2026-0001" in approver.text)
    c = await commission(bot, cid)
    assert (c.status, c.number, c.decided_version) == ("decided", "U-2026-0001", 1)
    await bot.services.outbox.drain()
    # The announcement: in the linked channel, and 1:1 to each participant.
    channel_posts = [s for s in bot.connector.sent if s.conversation_id.startswith("19:steering")]
    assert any("U-2026-0001" in s.all_text() for s in channel_posts)
    for person in participants:
        assert any("U-2026-0001" in text(card) for card in cards_to(bot, person))
    assert "U-2026-0001" in text(latest_card(bot, lead, containing="U-2026-0001"))

    # The lead closes it with a final report; the responsible manager acknowledges it in Teams.
    await convo.say(f"{w['show']} U-2026-0001")
    detail = convo.expect_card(verb="commission.close")
    await convo.click(detail, w["close"])
    report_form = convo.expect_card(verb="commission.report")
    sections = {"closure": "completed", "result_goal": "Rutinen är beslutad och används", "budget_outcome": "120 000 kr",
                "experiences": "Börja med en pilot"}
    if EXPECTED_FORM[case] == "project":
        sections |= {"handover": "Till förvaltningen av lånedatorer", "evaluation": "IT-chefen, hösten 2027",
                     "future_internal": "0,2 årsarbetare", "future_external": "Licenser 20 000 kr per år"}
    await convo.click(report_form, w["report"], inputs=sections)
    await bot.services.outbox.drain()
    ack = latest_card(bot, manager, verb="commission.acknowledge")
    assert "Rutinen är beslutad och används" in text(ack)
    reader = Transcript(bot, manager)
    await reader.click(ack, w["ack"])
    assert ("Kvitterad av Megan Bowen" if lang == "sv" else "Acknowledged by Megan Bowen") in reader.text
    report = await bot.query(queries.report, cid)
    assert report.acknowledged_by == MEGAN.aad_id and report.closure == "completed"
    assert (await commission(bot, cid)).status == "closed"

    # The document and the final report as .docx, read back.
    monkeypatch.setenv("DATABASE_URL", bot.services.settings.database_url)
    for what in ("document", "report"):
        out = tmp_path / f"{what}.docx"
        assert main(["commissions", what, "U-2026-0001", "--out", str(out), "--lang", lang]) == 0
        body = "\n".join(p.text for p in Document(io.BytesIO(out.read_bytes())).paragraphs)
        cells = "\n".join(cell.text for table in Document(str(out)).tables for row in table.rows for cell in row.cells)
        if what == "document":
            assert "Gemensam rutin för lånedatorer" in body and "En gemensam rutin för lånedatorer" in body
            assert "U-2026-0001" in cells and "Megan Bowen" in cells
        else:
            assert "Rutinen är beslutad och används" in body and "Börja med en pilot" in body
            if EXPECTED_FORM[case] == "project":
                assert "Licenser 20 000 kr per år" in cells and "Till förvaltningen av lånedatorer" in body
