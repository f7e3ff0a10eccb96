"""`styra commissions export`: the register of decided commissions, read back from the .xlsx."""

from __future__ import annotations

from datetime import UTC, datetime

from openpyxl import load_workbook

from bot.cli.main import main
from bot.rules.commissions import Answer
from storage import commissions as repo
from storage.models import Person

NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


def _decided_and_draft(session):
    session.add(Person(aad_id="lead", name="Lea Lindqvist"))
    session.add(Person(aad_id="m1", name="Maja Berg"))
    for key, title in (("a", "Nätverk för e-lärande"), ("b", "Utkast som inte syns")):
        c = repo.create_draft(session, key=key, creator="lead", title=title, kind="network", length="short",
                              fields={}, now=NOW)
        session.flush()
        repo.save_draft(session, c.id, actor="lead", now=NOW, fields={
            "form": "internal_network", "purpose": "Dela erfarenheter", "expected_result": "Träffar",
            "start": "2026-09-01", "end": "2026-12-31", "lead": "lead", "responsible_manager": "m1",
            "participants": ["lead", "okänd"], "cadence": "quarterly"})
        if key == "a":
            repo.submit(session, c.id, actor="lead", now=NOW)
            repo.respond(session, c.id, version=1, manager="m1", answer=Answer.approved, comment="", now=NOW)
            repo.set_registry_number(session, c.id, registry_number="MIUN 2026/9", actor="m1", now=NOW)


async def test_export_writes_the_decided_commissions(any_db, any_db_url, tmp_path, monkeypatch):
    await any_db.run(_decided_and_draft)
    monkeypatch.setenv("DATABASE_URL", any_db_url)
    out = tmp_path / "uppdrag.xlsx"
    assert main(["commissions", "export", "--out", str(out), "--lang", "sv"]) == 0
    sheet = load_workbook(out).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == 1
    number, registry, title, kind, form, status, lead, manager, participants, start, end, purpose, _unit = rows[0]
    assert (number, registry, title) == ("U-2026-0001", "MIUN 2026/9", "Nätverk för e-lärande")
    assert (kind, form, status) == ("Nätverksuppdrag", "Internt nätverk", "Beslutat")
    assert (lead, manager, participants) == ("Lea Lindqvist", "Maja Berg", "Lea Lindqvist, okänd")
    assert (start, end, purpose) == ("2026-09-01", "2026-12-31", "Dela erfarenheter")
