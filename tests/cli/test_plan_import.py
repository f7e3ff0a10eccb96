"""`styra plan import` takes a handlingsplan sheet with seed 002's own headers whole: every column
kept (unknown ones reported), free-text periods kept and read to dates, goals missing from the file
removed only with --replace, impossible dates refused by row. Run through the real command, on
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from openpyxl import Workbook, load_workbook

from bot.cli.main import main
from storage import org, plans
from storage.demo import load_demo

D = dt.date

# Seed 002 (Handlingsplan för utveckling av verksamhetsstödet vid KTH), section 3.1, as a sheet.
SEED_002_HEADERS = ["Stödområde", "Utvecklingsområde", "Varför", "Önskad effekt", "Medverkande\navdelningar",
                    "Beroenden", "Planerad\nstart/slut"]
SEED_002_ROWS = [
    ["Utbildningsadministrativt stöd", "Inresande utbytesstudenter",
     "Förslaget har funnits sedan 2014 AAE och kommer från handläggarna själva.",
     "Likvärdig och rättssäker hantering och minskad sårbarhet ger ökad effektivitet.",
     "VS-skolorna, EDO-IRO, EDO-EES, EDO-AUA",
     "Utveckling av Mobility online samt integrering med Ladok är en förutsättning.",
     "Första steg HT23 och fullt implementerat 2024"],
    ["Utbildningsadministrativt stöd", "Utresande utbytesstudenter",
     "Ökad rättssäkerhet för individ och bättre utnyttjande av personella resurser.",
     "Likvärdig och rättssäker hantering och minskad sårbarhet ger ökad effektivitet.",
     "VS-skolorna, EDO-IRO, EDO-EES, EDO-AUA", "Behov av systemstöd för hantering av studieplaner.",
     "Första steg 2024 och fullt implementerat 2025"],
    ["Utbildningsadministrativt stöd", "DD och DM- studenter", "Ökad rättssäkerhet för individ.", "",
     "VS-skolorna, EDO-IRO", "", "Första steg VT24 och fullt implementerat HT24"],
    ["Ekonomiadministrativt stöd", "Gemensamma processer", "Effektivisera, samköra.", "", "EDO VS skolor", "",
     "Q4 2022-\nQ4 2023"],
    ["Ekonomiadministrativt stöd", "Kommande utvecklingsområden", "", "", "", "", "Löpande"],
]


@pytest.fixture
def cli(any_db_url, monkeypatch, capsys):
    from storage.db import Database

    db = Database.from_url(any_db_url)
    db.call(load_demo)
    monkeypatch.setenv("DATABASE_URL", any_db_url)
    monkeypatch.setenv("STYRA_DEFAULT_LOCALE", "sv")

    def run(*argv: str) -> tuple[int, str]:
        code = main(list(argv))
        return code, capsys.readouterr().out

    run.db = db
    yield run
    db.dispose()


def sheet(path, headers, rows):
    book = Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return str(path)


def stored(db, slug="ekonomi", year=2031):
    def load(session):
        plan = plans.plan_for(session, org.e_area_by_slug(session, slug).id, year)
        return [] if plan is None else plans.goals(session, plan.id)

    return db.call(load)


def test_a_seed_002_sheet_imports_every_column_and_reads_its_periods(cli, tmp_path):
    path = sheet(tmp_path / "handlingsplan.xlsx", [*SEED_002_HEADERS, "Kommentar"],
                 [[*row, "Se avsnitt 2.9" if i == 0 else ""] for i, row in enumerate(SEED_002_ROWS)])
    code, out = cli("plan", "import", path, "--e-area", "ekonomi", "--year", "2031")
    assert code == 0, out
    assert out.splitlines() == [
        "1 kolumn har ingen plats i en plan; den sparades med varje mål: \"Kommentar\".",
        "Importerade 5 mål till planen för 2031 (5 nya, 0 uppdaterade, 0 borttagna).",
        "4 av 5 mål har planerade datum lästa ur sina perioder; perioderna sparas som de skrevs.",
    ]
    goals = stored(cli.db)
    assert [(g.title, g.period, g.starts_on, g.ends_on) for g in goals] == [
        ("Inresande utbytesstudenter", "Första steg HT23 och fullt implementerat 2024", D(2023, 8, 1), D(2024, 12, 31)),
        ("Utresande utbytesstudenter", "Första steg 2024 och fullt implementerat 2025", D(2024, 1, 1), D(2025, 12, 31)),
        ("DD och DM- studenter", "Första steg VT24 och fullt implementerat HT24", D(2024, 1, 1), D(2024, 12, 31)),
        ("Gemensamma processer", "Q4 2022-\nQ4 2023", D(2022, 10, 1), D(2023, 12, 31)),
        ("Kommande utvecklingsområden", "Löpande", None, None),
    ]
    first = goals[0]
    assert (first.support_area, first.units, first.dependencies) == (
        "Utbildningsadministrativt stöd", "VS-skolorna, EDO-IRO, EDO-EES, EDO-AUA",
        "Utveckling av Mobility online samt integrering med Ladok är en förutsättning.")
    assert first.effect.startswith("Likvärdig") and first.why.startswith("Förslaget har funnits sedan 2014")
    assert json.loads(first.extra) == {"Kommentar": "Se avsnitt 2.9"}
    assert json.loads(goals[1].extra) == {}


def test_the_export_gives_back_the_period_and_the_kept_columns(cli, tmp_path):
    path = sheet(tmp_path / "in.xlsx", [*SEED_002_HEADERS, "Kommentar"], [[*SEED_002_ROWS[0], "Se avsnitt 2.9"]])
    assert cli("plan", "import", path, "--e-area", "ekonomi", "--year", "2031")[0] == 0
    out = tmp_path / "out.xlsx"
    assert cli("plan", "export", "--e-area", "ekonomi", "--year", "2031", "--out", str(out))[0] == 0
    rows = [list(r) for r in load_workbook(out).active.iter_rows(values_only=True)]
    assert rows[0][-3:] == ["Planerad start/slut", "Prioritet", "Kommentar"]
    assert rows[1][-3:] == ["Första steg HT23 och fullt implementerat 2024", 1, "Se avsnitt 2.9"]
    # and that file imports again without a change
    code, again = cli("plan", "import", str(out), "--e-area", "ekonomi", "--year", "2031")
    assert code == 0 and "(0 nya, 1 uppdaterade, 0 borttagna)" in again


def test_english_headers_of_the_same_plan(cli, tmp_path):
    headers = ["Support area", "Development area", "Why", "Desired effect", "Participating departments",
               "Dependencies", "Planned start/end", "Owner"]
    rows = [["Education support", "Incoming exchange students", "Requested since 2014", "Equal handling",
             "VS schools, EDO-IRO", "Mobility online", "First step autumn 2023, fully in place 2024", "Anna"],
            ["Education support", "Exam administration", "", "", "", "", "kv1 2025 - kv3 2025", ""]]
    path = sheet(tmp_path / "plan.xlsx", headers, rows)
    code, out = cli("plan", "import", path, "--e-area", "ekonomi", "--year", "2031", "--lang", "en")
    assert code == 0, out
    assert out.splitlines()[0] == "1 column has no place in a plan; it was kept with each goal: \"Owner\"."
    assert "2 of 2 goals have planned dates read from their periods" in out
    goals = stored(cli.db)
    assert [(g.units, g.starts_on, g.ends_on) for g in goals] == [
        ("VS schools, EDO-IRO", D(2023, 8, 1), D(2024, 12, 31)), ("", D(2025, 1, 1), D(2025, 9, 30))]


def test_goals_missing_from_the_file_go_only_with_replace_and_the_count_is_said(cli, tmp_path):
    full = sheet(tmp_path / "full.xlsx", SEED_002_HEADERS, SEED_002_ROWS[:3])
    assert cli("plan", "import", full, "--e-area", "ekonomi", "--year", "2031")[0] == 0
    short = sheet(tmp_path / "short.xlsx", SEED_002_HEADERS, SEED_002_ROWS[1:2])
    code, out = cli("plan", "import", short, "--e-area", "ekonomi", "--year", "2031")
    assert code == 0
    assert "2 mål i planen finns inte i filen och behölls; använd --replace för att ta bort dem." in out
    assert "(0 nya, 1 uppdaterade, 0 borttagna)" in out
    assert len(stored(cli.db)) == 3
    code, out = cli("plan", "import", short, "--e-area", "ekonomi", "--year", "2031", "--replace")
    assert code == 0
    assert out.splitlines()[0] == ("Tog bort 2 mål som inte finns i filen: Inresande utbytesstudenter; "
                                   "DD och DM- studenter.")
    assert "(0 nya, 1 uppdaterade, 2 borttagna)" in out
    assert [g.title for g in stored(cli.db)] == ["Utresande utbytesstudenter"]


def test_impossible_dates_are_refused_with_row_numbers_and_nothing_is_written(cli, tmp_path):
    rows = [SEED_002_ROWS[0],
            ["", "Nytt mål", "", "", "", "", "2024-13"],
            ["", "Baklänges", "", "", "", "", "Första steg HT24 och fullt implementerat VT24"],
            ["", "Femte kvartalet", "", "", "", "", "Q5 2024"]]
    path = sheet(tmp_path / "bad.xlsx", SEED_002_HEADERS, rows)
    code, out = cli("plan", "import", path, "--e-area", "ekonomi", "--year", "2031")
    assert code == 2
    assert out.splitlines() == [
        "Ingenting importerades: filen innehåller fel.",
        "  Rad 3: Det finns ingen månad 13 i \"2024-13\".",
        "  Rad 4: Planerat slut (2024-06-30) ligger före planerad start (2024-08-01).",
        "  Rad 5: Det finns inget kvartal 5 i \"Q5 2024\".",
    ]
    assert stored(cli.db) == []


def test_separate_start_and_end_columns_end_before_start(cli, tmp_path):
    path = sheet(tmp_path / "bad.xlsx", ["Utvecklingsområde", "Planerad start", "Planerat slut"],
                 [["E-arkiv", "2026", "2025-06"], ["Bra", dt.datetime(2026, 3, 15), "kv2 2026"]])
    code, out = cli("plan", "import", path, "--e-area", "ekonomi", "--year", "2031", "--lang", "en")
    assert code == 2
    assert "  Row 2: The planned end (2025-06-30) is before the planned start (2026-01-01)." in out.splitlines()
    assert "Row 3" not in out
