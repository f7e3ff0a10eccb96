"""The steering-group meeting pack over HTTP: `möte utbildning` puts the report, the decision bases
awaiting a decision, the deviations and the quarter's wheel items on one card with the agenda as
a .docx; from the meeting day, the decisions taken are the minutes (.docx too). The report's own
.docx behind the link on its card; an unknown link is refused."""

import io
from urllib.parse import urlsplit

from docx import Document

from bot.rules.report_content import DeviationEntry
from bot.rules.reports import DeviationKind, Period
from tests.scenarios.reports_kit import sent_report, set_clock, setup
from tests.scenarios.wheel_kit import local
from tests.support.botkit import ALEX, ISAIAH, STRANGER, User
from tests.support.cards import nodes, text
from tests.support.decision_kit import make_basis
from tests.support.transcript import Transcript

DEVIATION = DeviationEntry("dev-licens", DeviationKind.cost, "Licensen blev dyrare", cause="Ny prismodell",
                           consequences="Ramen räcker inte", proposal="Utöka ramen", extra_sek=3_000_000)


def links(card: dict) -> dict[str, str]:
    return {node["title"]: node["url"] for node in nodes(card) if node.get("type") == "Action.OpenUrl"}


async def fetch(bot, url: str) -> tuple[int, bytes, dict]:
    response = await bot.client.get(urlsplit(url).path)
    return response.status, await response.read(), dict(response.headers)


def docx_text(body: bytes) -> str:
    doc = Document(io.BytesIO(body))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


async def test_the_meeting_pack_before_and_after_the_meeting(bot):
    await setup(bot)
    await bot.query(lambda s: sent_report(s, local(2026, 6, 10), period=Period(2026, 2), deviation=DEVIATION))
    basis_id = await bot.query(make_basis)

    convo = Transcript(bot, ALEX)
    await convo.say("möte utbildning")
    pack = convo.expect_card("Styrgruppsmöte Utbildning")
    shown = text(pack)
    assert "2026-06-16 · uppföljning av 2026-Q2" in shown
    assert "Inlämnad, version 1. Sämsta status: 🔴 Röd" in shown
    assert "B-2026-0001 Bokningssystem för labb" in shown  # the basis awaiting a decision
    assert "Kostnad: Licensen blev dyrare (Utanför planen: styrgruppen beslutar)" in shown
    assert "9/6 Skriv underlaget till styrgruppens möte i juni" in shown  # the quarter in the annual wheel
    assert "Protokoll" not in shown  # no minutes before the meeting
    agenda = links(pack)["Dagordning (.docx)"]
    status, body, headers = await fetch(bot, agenda)
    assert status == 200 and "dagordning-utbildning-2026-06-16.docx" in headers["Content-Disposition"]
    agenda_text = docx_text(body)
    assert "Styrgruppsmöte Utbildning" in agenda_text and "B-2026-0001 Bokningssystem för labb" in agenda_text
    assert "Kostnad: Licensen blev dyrare (Utanför planen: styrgruppen beslutar)" in agenda_text

    # The meeting day: the chair decides the basis inline; the pack now has the minutes.
    set_clock(bot, local(2026, 6, 16, 14, 0))
    status, _ = await bot.invoke({"verb": "decision.approve", "basis_id": basis_id, "level": "steering",
                                  "registry_number": "UFV 2026/12", "comment": "Ja"}, user=ISAIAH)
    assert status == 200
    await convo.say("möte utbildning")
    pack = convo.expect_card("Styrgruppsmöte Utbildning")
    shown = text(pack)
    assert "Protokoll: fattade beslut" in shown and "D-2026-0001" in shown
    assert "Godkänt · Bokningssystem för labb · diarienr UFV 2026/12" in shown
    status, body, headers = await fetch(bot, links(pack)["Protokoll (.docx)"])
    assert status == 200 and "protokoll-utbildning-2026-06-16.docx" in headers["Content-Disposition"]
    minutes = docx_text(body)
    assert "Protokoll: styrgruppsmöte Utbildning" in minutes
    assert "D-2026-0001" in minutes and "UFV 2026/12" in minutes and "Godkänt" in minutes


async def test_the_meeting_pack_in_english_and_refused_to_outsiders(bot):
    await setup(bot)
    convo = Transcript(bot, User(ALEX.aad_id, ALEX.name, ALEX.teams_id, "en-US"))
    await convo.say("meeting education")
    pack = convo.expect_card("Steering-group meeting Education")
    assert "No status report for 2026-Q2 yet." in text(pack) and "None." in text(pack)
    stranger = Transcript(bot, STRANGER)
    await stranger.say("meeting education")
    stranger.expect_text("Only the roles of Education, the portfolio office and portfolio management can see its meeting pack.")


async def test_the_reports_docx_behind_the_link_on_its_card(bot):
    await setup(bot)
    report_id = await bot.query(lambda s: sent_report(s, local(2026, 6, 10), period=Period(2026, 2), deviation=DEVIATION))
    status, body = await bot.invoke({"verb": "report.view", "report_id": report_id}, user=ISAIAH)
    card = body["value"]
    status, data, headers = await fetch(bot, links(card)["Word (.docx)"])
    assert status == 200 and headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "statusrapport-utbildning-2026-Q2-v1.docx" in headers["Content-Disposition"]
    shown = docx_text(data)
    assert "Statusrapport Utbildning 2026-Q2" in shown
    assert "Digital examination i större skala" in shown and "🟡 Gul" in shown and "🔴 Röd" in shown
    assert "Kostnad: Licensen blev dyrare" in shown and "Utanför planen: styrgruppen beslutar" in shown
    status, _data, _headers = await fetch(bot, "http://x/files/" + "A" * 43)
    assert status == 404
    # Someone with no role in the e-area gets no report and no link.
    status, body = await bot.invoke({"verb": "report.view", "report_id": report_id}, user=STRANGER)
    assert "Only the roles of Education" in text(body["value"]) and not links(body["value"])
