"""Plan import/export (xlsx and csv) and the needs inventory export, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import select

from bot.cli import needs as cli_needs
from bot.cli import plans as cli_plans
from bot.documents import plan_io
from bot.i18n import translator
from storage import needs as repo
from storage import org, plans
from storage.demo import load_demo
from storage.models import NeedGoal, NeedStatus, Plan, PlanGoal


@pytest.fixture
def demo_db(any_db):
    any_db.call(load_demo)
    return any_db


def goals_of(db, slug: str, year: int) -> list[tuple]:
    def load(session):
        area = org.e_area_by_slug(session, slug)
        plan = plans.plan_for(session, area.id, year)
        return [] if plan is None else [tuple(plan_io.goal_values(g)) for g in plans.goals(session, plan.id)]

    return db.call(load)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_round_trip_of_the_demo_plan(demo_db, tmp_path, suffix):
    out = tmp_path / f"plan{suffix}"
    assert cli_plans.export_file(demo_db, "utbildning", 2026, str(out), "sv") == 3
    result, sheet = cli_plans.import_file(demo_db, str(out), "forskning", 2028, status="draft",
                                          frame_sek=1_000_000, frame_hours=500)
    assert (result.created, result.added, len(sheet.goals), sheet.unknown_columns) == (True, 3, 3, [])
    assert goals_of(demo_db, "forskning", 2028) == goals_of(demo_db, "utbildning", 2026)
    plan = demo_db.call(lambda s: s.exec(select(Plan).where(Plan.year == 2028)).one())
    assert (plan.frame_sek, plan.frame_hours, plan.status) == (1_000_000, 500, "draft")


def test_reimport_updates_goals_in_place_so_needs_keep_their_links(demo_db, tmp_path):
    out = tmp_path / "plan.xlsx"
    cli_plans.export_file(demo_db, "utbildning", 2026, str(out), "en")

    def link(session):
        area = org.e_area_by_slug(session, "utbildning")
        plan = plans.plan_for(session, area.id, 2026)
        goal = session.exec(select(PlanGoal).where(PlanGoal.plan_id == plan.id,
                                                   PlanGoal.title == "Enhetliga kursrum")).one()
        need = repo.create(session, e_area_id=area.id,
                           year=2026, title="Kursrumsmall", description="", source="staff", raised_by="x",
                           raised_by_name="X", on_behalf_of="", benefit="", effort_hours=None, cost_sek=None,
                           wished_date=None, goal_ids=[goal.id])
        return goal.id, need.id

    goal_id, need_id = demo_db.call(link)
    book = load_workbook(out)
    sheet = book.active
    sheet["C2"] = "Ny motivering"
    sheet.delete_rows(4)  # "Enhetliga kursrum" leaves the file but is linked to a need
    book.save(out)
    result, _sheet = cli_plans.import_file(demo_db, str(out), "utbildning", 2026, replace=True)
    assert (result.added, result.updated, result.removed, result.kept_linked) == (0, 2, 0, 1)
    assert goals_of(demo_db, "utbildning", 2026)[0][2] == "Ny motivering"
    assert demo_db.call(lambda s: s.get(NeedGoal, (need_id, goal_id))) is not None


def write_sheet(path, rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)


def test_a_bad_row_rejects_the_whole_file_with_row_numbers(demo_db, tmp_path):
    path = tmp_path / "bad.xlsx"
    write_sheet(path, [
        ["Stödområde", "Utvecklingsområde", "Varför", "Planerad start", "Planerat slut", "Prioritet"],
        ["Ekonomi", "E-arkiv", "Papper", "2026-01", "2026-06", 1],
        ["Ekonomi", "", "Saknar rubrik", "", "", ""],
        ["Ekonomi", "E-arkiv", "Dubblett", "", "", "hög"],
        ["Ekonomi", "Bra mål", "x" * 6000, "", "", 2],
    ])
    before = goals_of(demo_db, "ekonomi", 2026)
    with pytest.raises(plan_io.PlanFileError) as caught:
        cli_plans.import_file(demo_db, str(path), "ekonomi", 2026)
    lines = caught.value.lines(translator("sv"))
    assert lines == [
        "Rad 3: Målet saknar rubrik.",
        "Rad 4: Prioriteten ska vara ett heltal, som 1, 2 eller 3; den var \"hög\".",
        "Rad 4: Målet \"E-arkiv\" finns redan på rad 2.",
        "Rad 5: Kolumnen \"Varför\" är för lång (högst 5000 tecken).",
    ]
    assert caught.value.lines(translator("en"))[0] == "Row 3: The goal has no title."
    assert goals_of(demo_db, "ekonomi", 2026) == before


def test_csv_with_english_headers_semicolons_and_a_bom(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text("\ufeffDevelopment area;Why;Planned start;Planned end\nE-archive;Paper;2026;2027\n\n",
                    encoding="utf-8")
    [goal] = plan_io.parse(plan_io.read_rows(path))
    assert (goal.title, goal.why, goal.start, goal.end, goal.support_area) == ("E-archive", "Paper", "2026", "2027", "")


def test_missing_title_column_and_wrong_file_type(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text("Namn,Varför\nx,y\n", encoding="utf-8")
    with pytest.raises(plan_io.PlanFileError) as caught:
        plan_io.parse(plan_io.read_rows(path))
    assert "Rad 1: Det finns ingen kolumn för målets rubrik" in caught.value.lines(translator("sv"))[0]
    with pytest.raises(plan_io.PlanFileError):
        plan_io.read_rows(tmp_path / "plan.pdf")


def test_cli_import_reports_errors_and_exit_code(demo_db, tmp_path, capsys, monkeypatch, any_db_url):
    from bot.cli.main import main

    path = tmp_path / "bad.csv"
    path.write_text("Utvecklingsområde;Prioritet\nMål;x\n", encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", any_db_url)
    monkeypatch.setenv("STYRA_DEFAULT_LOCALE", "sv")
    assert main(["plan", "import", str(path), "--e-area", "utbildning", "--year", "2026"]) == 2
    out = capsys.readouterr().out
    assert "Ingenting importerades: filen innehåller fel." in out and "Rad 2: Prioriteten" in out
    good = tmp_path / "good.xlsx"
    assert main(["plan", "export", "--e-area", "utbildning", "--year", "2026", "--out", str(good)]) == 0
    assert main(["plan", "import", str(good), "--e-area", "ekonomi", "--year", "2030"]) == 0
    assert "Importerade 3 mål till planen för 2030" in capsys.readouterr().out


def test_formula_like_text_is_exported_as_text(tmp_path):
    out = tmp_path / "x.xlsx"
    plan_io.write_xlsx(out, ["A"], [["=HYPERLINK(\"http://evil\")"]], [10])
    assert load_workbook(out).active["A2"].value.startswith("'=")


def test_needs_inventory_export_is_a_real_spreadsheet(demo_db, tmp_path, capsys, monkeypatch, any_db_url):
    def seed(session):
        area = org.e_area_by_slug(session, "utbildning")
        for title in ("Gemensam kursmall", "Bokning av salar"):
            need = repo.create(session, e_area_id=area.id, year=2026, title=title, description="Beskrivning",
                               source="staff", raised_by="a", raised_by_name="Anna", on_behalf_of="", benefit="",
                               effort_hours=10, cost_sek=5000, wished_date=None)
        repo.set_status(session, need, NeedStatus.inventory, "c", "Coordinator")

    demo_db.call(seed)
    out = tmp_path / "needs.xlsx"
    assert cli_needs.export(demo_db, str(out), area_text="utbildning", statuses=["inventory"], lang="sv") == 1
    sheet = load_workbook(out).active
    assert [c.value for c in sheet[1]][:4] == ["Behov", "E-område", "Status", "Rubrik"]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:O2"
    assert sheet.column_dimensions["D"].width == 40
    assert [c.value for c in sheet[2]][:4] == ["B-2026-0002", "Utbildning", "I behovsinventeringen", "Bokning av salar"]
    monkeypatch.setenv("DATABASE_URL", any_db_url)
    from bot.cli.main import main

    csv_out = tmp_path / "needs.csv"
    assert main(["needs", "export", "--out", str(csv_out), "--lang", "en"]) == 0
    rows = list(csv.reader(csv_out.open(encoding="utf-8-sig"), delimiter=";"))
    assert rows[0][:3] == ["Need", "E-area", "Status"] and len(rows) == 3
    assert main(["needs", "export", "--status", "nonsense", "--out", str(csv_out)]) == 2
