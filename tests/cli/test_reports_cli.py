"""`styra reports export` (one workbook: the portfolio summary and a sheet per e-area) and
`styra reports import-outcome` (a CSV of finance outcome and time reporting, all rows or none)."""

from __future__ import annotations

import argparse

from openpyxl import load_workbook
from sqlmodel import select

from bot.cli import reports as cli_reports
from bot.config import Settings
from bot.rules.report_content import DeviationEntry
from bot.rules.reports import Colour, DeviationKind, Period
from storage import org
from storage import reports as repo
from storage.report_tables import OutcomeFigure
from tests.scenarios.reports_kit import sent_report, setup
from tests.scenarios.wheel_kit import local

Q2 = Period(2026, 2)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="styra")
    cli_reports.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.run(args, Settings())


def env(monkeypatch, db_url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("STYRA_ENV", "development")


def reports(session) -> None:
    dev = DeviationEntry("dev-1", DeviationKind.delay, "Leverantören är sen", cause="Brist på folk", extra_hours=9_000)
    sent_report(session, local(2026, 6, 10), period=Q2, colours=(Colour.green, Colour.red), deviation=dev,
                outcome_sek=1_250_000)
    area = org.e_area_by_slug(session, "forskning")
    repo.open_draft(session, area, Q2, actor="x", now=local(2026, 6, 11))


async def test_export_writes_the_summary_and_a_sheet_per_e_area(bot, db_url, tmp_path, monkeypatch):
    await setup(bot)
    await bot.query(reports)
    env(monkeypatch, db_url)
    out = tmp_path / "rapporter.xlsx"
    assert main(["reports", "export", "--period", "2026-Q2", "--out", str(out)]) == 0
    book = load_workbook(out)
    assert book.sheetnames == ["Portfölj", "Ekonomi och personal", "Forskning", "Utbildning"]
    summary = [[c.value for c in row] for row in book["Portfölj"].iter_rows()]
    assert summary[0][0] == "Portföljens status 2026-Q2"
    assert summary[2][:3] == ["E-område", "Status", "Version"]
    by_area = {row[0]: row for row in summary[3:] if row[0]}
    assert by_area["Utbildning"][1:10] == ["Inlämnad", 1, 2, 0, 1, "Röd", 1, 0, 50]
    assert by_area["Forskning"][1] == "Utkast" and by_area["Ekonomi och personal"][1] == "Inte påbörjad"
    sheet = [[c.value for c in row] for row in book["Utbildning"].iter_rows()]
    flat = [value for row in sheet for value in row if value is not None]
    assert "Samlad digital kursanmälan" in flat and "Röd" in flat
    assert "Leverantören är sen" in flat and "Utanför planen: styrgruppen beslutar" in flat
    assert [r for r in sheet if r[0] == "Utfall (kr)"][0][1] == 1_250_000


async def test_export_in_english_and_a_bad_period(bot, db_url, tmp_path, monkeypatch, capsys):
    await setup(bot)
    await bot.query(reports)
    env(monkeypatch, db_url)
    out = tmp_path / "reports.xlsx"
    assert main(["reports", "export", "--period", "Q2 2026", "--out", str(out), "--lang", "en"]) == 0
    book = load_workbook(out)
    assert book.sheetnames == ["Portfolio", "Finance and HR", "Research", "Education"]  # in the Swedish names' order
    assert book["Portfolio"]["A1"].value == "Portfolio status 2026-Q2"
    assert main(["reports", "export", "--period", "juni", "--out", str(out)]) == 2
    assert "Skriv perioden som år och kvartal, till exempel 2026-Q2." in capsys.readouterr().out


async def test_import_outcome_stores_every_row_and_updates_the_open_draft(bot, db_url, tmp_path, monkeypatch, capsys):
    await setup(bot)
    await bot.query(reports)
    env(monkeypatch, db_url)
    csv = tmp_path / "utfall.csv"
    csv.write_text("E-område;Period;Utfall kr;Utfall timmar\n"
                   "Forskning;2026-Q2;1 400 000;2100\n"
                   "ekonomi;2026-Q2;300000;450\n", encoding="utf-8")
    assert main(["reports", "import-outcome", str(csv)]) == 0
    assert "Utfall importerat för 2 e-områden och perioder." in capsys.readouterr().out
    figures = await bot.query(lambda s: {(f.e_area_id, f.period): (f.outcome_sek, f.outcome_hours)
                                         for f in s.exec(select(OutcomeFigure))})
    assert sorted(figures.values()) == [(300_000, 450), (1_400_000, 2_100)]
    draft = await bot.query(lambda s: repo.latest(s, org.e_area_by_slug(s, "forskning").id, "2026-Q2"))
    assert (draft.outcome_sek, draft.outcome_hours, draft.revision) == (1_400_000, 2_100, 2)
    assert draft.updated_by_name == "utfall.csv"  # an open form is told the figures changed


async def test_a_file_with_bad_rows_imports_nothing_and_names_each_row(bot, db_url, tmp_path, monkeypatch, capsys):
    await setup(bot)
    env(monkeypatch, db_url)
    csv = tmp_path / "utfall.csv"
    csv.write_text("e-område,period,utfall kr,utfall timmar\n"
                   "utbildning,2026-Q2,100000,10\n"
                   "forskning,andra kvartalet,5,5\n"
                   "ekonomi,2026-Q2,mycket,5\n"
                   "okänt,2026-Q2,1,1\n"
                   "utbildning,2026-Q2,1,1\n", encoding="utf-8")
    assert main(["reports", "import-outcome", str(csv)]) == 2
    out = capsys.readouterr().out
    assert "Ingenting importerades: filen innehåller fel." in out
    assert "Rad 3: Perioden ska vara år och kvartal, som 2026-Q2. Den var \"andra kvartalet\"." in out
    assert "Rad 4: Kolumnen \"utfall kr\" ska vara ett heltal, som 120 eller 1 250 000. Den var \"mycket\"." in out
    assert "Rad 6: Samma e-område och period finns redan på rad 2." in out
    assert await bot.query(lambda s: list(s.exec(select(OutcomeFigure)))) == []
    # Rows that parse but name no known e-area are refused too, still all or nothing.
    csv.write_text("e-område,period,utfall kr,utfall timmar\nutbildning,2026-Q2,1,1\nokänt,2026-Q2,1,1\n",
                   encoding="utf-8")
    assert main(["reports", "import-outcome", str(csv)]) == 2
    assert "Rad 3: Det finns inget e-område som heter \"okänt\"." in capsys.readouterr().out
    assert await bot.query(lambda s: list(s.exec(select(OutcomeFigure)))) == []
    csv.write_text("namn,belopp\nutbildning,1\n", encoding="utf-8")
    assert main(["reports", "import-outcome", str(csv)]) == 2
    assert "Filen behöver kolumnerna e-område, period, kronor och timmar" in capsys.readouterr().out
