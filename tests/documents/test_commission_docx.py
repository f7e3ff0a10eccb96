"""The commission document and final report as .docx and the register as .xlsx: opened and read."""

from docx import Document
from openpyxl import load_workbook

from bot.documents import commission_docx as cd
from bot.i18n import translator
from cards.commissions import ApprovalRow, DocumentView

DOC = DocumentView(
    title="Gemensam rutin för lånedatorer", kind="coordination", form="project", length="long", version=2,
    number="U-2026-0007", registry_number="MIUN 2026/123", background="Varje enhet gör på sitt sätt.",
    purpose="En rutin för alla.", goals="Rutin och ansvar", expected_result="Beslutad rutin", start="2026-09-01",
    end="2027-06-30", lead="Lea Lindqvist", responsible_manager="Maja Berg", participants=("Per Ek",),
    managers=("Mats Holm",), project_group=("Per Ek",), steering_group=("Maja Berg",), budget_sek=150_000,
    budget_hours=400, cadence="quarterly", reporting="Till ledningsgruppen", origin="B-2026-0042")


def _text(blob: bytes, path) -> tuple[str, str]:
    path.write_bytes(blob)
    doc = Document(str(path))
    paragraphs = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for table in doc.tables for row in table.rows for c in row.cells)
    return paragraphs, cells


def test_commission_document_in_swedish(tmp_path):
    blob = cd.commission_docx(translator("sv"), DOC, (ApprovalRow("Maja Berg", "approved"),
                                                      ApprovalRow("Mats Holm", "declined", "För dyrt")))
    paragraphs, cells = _text(blob, tmp_path / "u.docx")
    assert "Intern uppdragsbeskrivning" in paragraphs and "Gemensam rutin för lånedatorer" in paragraphs
    for expected in ("U-2026-0007", "MIUN 2026/123", "Samordningsuppdrag", "Projekt", "2026-09-01 – 2027-06-30",
                     "Projektledare", "Lea Lindqvist", "Ansvarig chef", "150\u00a0000 kr, 400 timmar", "Varje kvartal",
                     "B-2026-0042"):
        assert expected in cells, expected
    for expected in ("Bakgrund", "Varje enhet gör på sitt sätt.", "Syfte", "Mål", "Förväntat resultat", "Rapportering",
                     "Maja Berg: har godkänt", "Mats Holm: har inte godkänt (För dyrt)"):
        assert expected in paragraphs, expected


def test_final_report_of_a_project_has_the_sections_of_a_project_report(tmp_path):
    sections = {"background": "Beslut 2019", "result_goal": "Målet uppfyllt", "result_business": "Utvärderas",
                "actual_start": "2026-09-11", "actual_end": "2027-06-30", "budget_outcome": "Inom ram",
                "future_internal": "Förvaltningsledare 20 %", "future_external": "Licenser 50 000 kr/år",
                "handover": "Till INFRA", "evaluation": "Beställaren, december", "experiences": "Miniutbildningar fungerade",
                "attachments": "Inga"}
    paragraphs, cells = _text(cd.report_docx(translator("sv"), DOC, "partly", sections), tmp_path / "r.docx")
    for expected in ("Slutrapport: Gemensam rutin för lånedatorer", "1 Beskrivning", "1.1 Bakgrund", "2 Resultat",
                     "2.1 Projektmål", "2.2 Verksamhetsmål", "3 Genomförande", "Startdatum: 2026-09-11",
                     "4 Ekonomi", "4.2 Kalkyl över framtida kostnader", "5 Överlämning till förvaltning", "Till INFRA",
                     "6 Effektutvärdering", "Beställaren, december", "7 Erfarenheter", "8 Bilagor"):
        assert expected in paragraphs, expected
    for expected in ("Avslutat: delvis genomfört", "Interna resurser", "Externa kostnader", "Licenser 50 000 kr/år",
                     "Förvaltningsledare 20 %"):
        assert expected in cells, expected


def test_final_report_of_a_working_group_is_short_and_english(tmp_path):
    short = DocumentView(**{**DOC.__dict__, "form": "working_group"})
    paragraphs, cells = _text(cd.report_docx(translator("en"), short, "completed", {"result_goal": "Done"}),
                              tmp_path / "r.docx")
    assert "1 Results" in paragraphs and "Done" in paragraphs and "3 Experiences" in paragraphs
    assert "Handover" not in paragraphs and "Closed: completed" in cells


def test_register_xlsx(tmp_path):
    rows = [cd.RegisterRow("U-2026-0007", "MIUN 2026/123", "=HYPERLINK(\"x\")", "network", "internal_network",
                           "decided", None, "Lea", "Maja", ("Per", "Pia"), "2026-09-01", "2027-06-30", "Dela kunskap")]
    path = tmp_path / "uppdrag.xlsx"
    assert cd.register_xlsx(path, translator("sv"), rows) == 1
    sheet = load_workbook(path).active
    assert sheet.title == "Uppdrag"
    assert [c.value for c in sheet[1]][:6] == ["Nummer", "Diarienummer", "Namn", "Typ av uppdrag", "Organisationsform", "Status"]
    values = [c.value for c in sheet[2]]
    assert values[0] == "U-2026-0007" and values[2] == "'=HYPERLINK(\"x\")"  # never a live formula
    assert values[3:6] == ["Nätverksuppdrag", "Internt nätverk", "Beslutat"] and values[8] == "Per, Pia"
