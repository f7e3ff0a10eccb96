"""A decision basis as Markdown and .docx: every section is there, user text stays literal."""

import io

from docx import Document

from bot.cli.main import main
from bot.documents.basis_export import to_docx, to_markdown
from bot.i18n import translator
from cards.decision_basis import BasisView

VIEW = BasisView(
    basis_id=7, need_number="B-2026-0042", need_title="Digital tentamen", area_name="Utbildning", version=2,
    status="ready", business_goals="Snabbare *examination*", risk="Leverantören hinner inte", risk_likelihood=3,
    risk_impact=4, resources="Två utvecklare", hours=300, cost_sek=400_000, dependencies="Forskning",
    proposal="- Utöka ramen", frame_change_hours=300, frame_change_sek=400_000, escalate=True,
    created_by_name="Alex Wilber", anchoring=(("Adele Vance", True, "Bra"),))

SECTIONS_SV = ("Verksamhetsmål", "Risk", "Resurser", "Beroenden till andra e-områden", "Förslag", "E-områdesansvariga")


def test_markdown_has_every_section_and_escapes_user_text():
    md = to_markdown(translator("sv"), VIEW)
    for title in SECTIONS_SV:
        assert f"## {title}" in md
    assert "Snabbare \\*examination\\*" in md and "\\- Utöka ramen" in md
    assert "3 × 4 = 12" in md and "400\u00a0000 kr" in md and "Adele Vance: instämmer – Bra" in md


def test_docx_has_every_section():
    doc = Document(io.BytesIO(to_docx(translator("en"), VIEW)))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["Business goals", "Risk", "Resources", "Dependencies on other e-areas", "Proposal", "Area owners"]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Leverantören hinner inte" in text and "- Utöka ramen" in text
    cells = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert "Escalate to portfolio management" in cells and "Yes" in cells


def test_cli_exports_a_stored_basis(db_url, tmp_path, monkeypatch, capsys):
    from storage.db import Database
    from storage.demo import load_demo
    from storage.models import DecisionBasis
    from tests.support.assessment_factory import make_need

    db = Database.from_url(db_url)

    def setup(session):
        load_demo(session)
        need = make_need(session)
        session.add(DecisionBasis(need_id=need.id, version=1, risk="Risk X", proposal="Förslag Y", created_by="x"))
        return need.number

    number = db.call(setup)
    db.dispose()
    monkeypatch.setenv("DATABASE_URL", db_url)
    out = tmp_path / "basis.md"
    assert main(["basis", "export", number, "--format", "md", "--out", str(out)]) == 0
    text = out.read_text()
    assert "Risk X" in text and "Förslag Y" in text and "## Beroenden till andra e-områden" in text
    docx_out = tmp_path / "basis.docx"
    assert main(["basis", "export", "1", "--format", "docx", "--out", str(docx_out), "--lang", "en"]) == 0
    assert "Risk X" in "\n".join(p.text for p in Document(str(docx_out)).paragraphs)
    assert main(["basis", "export", "99", "--out", str(out)]) == 2
