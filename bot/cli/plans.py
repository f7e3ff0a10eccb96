"""`styra plan import FILE --e-area … --year …` and `styra plan export --e-area … --year … --out FILE`."""

from __future__ import annotations

from bot.cli.lang import cli_lang, cli_translator
from bot.documents import plan_io
from bot.i18n import translator
from storage import org, plans
from storage.db import Database
from storage.models import PlanStatus


def register(sub) -> None:
    plan = sub.add_parser("plan", help="import or export an e-area's plan (goals) as .xlsx or .csv")
    actions = plan.add_subparsers(dest="plan_command", required=True)
    imp = actions.add_parser("import", help="add or update a plan's goals from a spreadsheet (all rows or nothing)")
    imp.add_argument("file", help=".xlsx or .csv, one row per goal")
    imp.add_argument("--e-area", dest="area", required=True, help="e-area slug or name")
    imp.add_argument("--year", type=int, required=True)
    imp.add_argument("--title", help="the plan's title")
    imp.add_argument("--status", choices=[s.value for s in PlanStatus], help="draft or decided")
    imp.add_argument("--frame-sek", type=int, help="the resource frame in SEK")
    imp.add_argument("--frame-hours", type=int, help="the resource frame in hours")
    imp.add_argument("--replace", action="store_true",
                     help="also remove the plan's goals that the file does not list (needs' goals are kept)")
    imp.add_argument("--lang", default=None, help="language of messages (sv or en)")
    imp.set_defaults(run=_import)
    exp = actions.add_parser("export", help="write a plan's goals to .xlsx or .csv")
    exp.add_argument("--e-area", dest="area", required=True)
    exp.add_argument("--year", type=int, required=True)
    exp.add_argument("--out", required=True, help="file to write (.xlsx or .csv)")
    exp.add_argument("--lang", default=None, help="header language (sv or en)")
    exp.set_defaults(run=_export)


def import_file(db: Database, path: str, area_text: str, year: int, *, title=None, status=None,
                frame_sek=None, frame_hours=None, replace=False):
    """Parse first (nothing touches the database when any row is bad), then write in one transaction."""
    sheet = plan_io.parse_sheet(plan_io.read_rows(path))

    def store(session):
        area = org.find_e_area(session, area_text)
        if area is None:
            raise LookupError(area_text)
        return plans.import_goals(session, area, year, sheet.goals, title=title,
                                  status=PlanStatus(status) if status else None,
                                  frame_sek=frame_sek, frame_hours=frame_hours, replace=replace)

    return db.call(store), sheet


def _import(args, settings) -> int:
    t = cli_translator(args, settings)
    for value in (args.frame_sek, args.frame_hours):
        if value is not None and value < 0:
            print(t("The frame cannot be negative."))
            return 2
    db = Database.from_url(settings.database_url)
    try:
        result, sheet = import_file(db, args.file, args.area, args.year, title=args.title, status=args.status,
                                    frame_sek=args.frame_sek, frame_hours=args.frame_hours, replace=args.replace)
    except plan_io.PlanFileError as exc:
        print(t("Nothing was imported: the file has errors."))
        for line in exc.lines(t):
            print("  " + line)
        return 2
    except LookupError:
        print(t("I do not know an e-area called \"{name}\".", name=args.area))
        return 2
    finally:
        db.dispose()
    for line in report_lines(t, result, sheet, args.year):
        print(line)
    return 0


def report_lines(t, result, sheet, year: int) -> list[str]:
    """What the import did, and what it kept that the file did not say (nothing in silence)."""
    lines = []
    if sheet.unknown_columns:
        lines.append(t.n("{n} column has no place in a plan; it was kept with each goal: {columns}.",
                         "{n} columns have no place in a plan; they were kept with each goal: {columns}.",
                         len(sheet.unknown_columns), columns=", ".join(f"\"{c}\"" for c in sheet.unknown_columns)))
    if result.removed:
        lines.append(t.n("Removed {n} goal that is not in the file: {titles}.",
                         "Removed {n} goals that are not in the file: {titles}.",
                         result.removed, titles="; ".join(result.removed_titles)))
    lines.append(t.n("Imported {n} goal into the plan for {year} ({added} new, {updated} updated, {removed} removed).",
                     "Imported {n} goals into the plan for {year} ({added} new, {updated} updated, {removed} removed).",
                     len(sheet.goals), year=year, added=result.added, updated=result.updated, removed=result.removed))
    dated = sum(1 for g in sheet.goals if g.starts_on or g.ends_on)
    lines.append(t.n("{dated} of {n} goal has planned dates read from its period; the period is kept as written.",
                     "{dated} of {n} goals have planned dates read from their periods; the periods are kept as written.",
                     len(sheet.goals), dated=dated))
    if result.kept_missing:
        lines.append(t.n("{n} goal of the plan is not in the file and was kept; use --replace to remove it.",
                         "{n} goals of the plan are not in the file and were kept; use --replace to remove them.",
                         result.kept_missing))
    if result.kept_linked:
        lines.append(t.n("{n} goal missing from the file was kept because needs refer to it.",
                         "{n} goals missing from the file were kept because needs refer to them.", result.kept_linked))
    return lines


def export_file(db: Database, area_text: str, year: int, out: str, lang: str) -> int | None:
    def load(session):
        area = org.find_e_area(session, area_text)
        if area is None:
            raise LookupError(area_text)
        plan = plans.plan_for(session, area.id, year)
        return None if plan is None else plans.goals(session, plan.id)

    goals = db.call(load)
    if goals is None:
        return None
    return plan_io.write(out, goals, lang=lang, sheet_title=f"Plan {year}",
                         extras=[plans.extra_of(g) for g in goals])


def _export(args, settings) -> int:
    lang = cli_lang(args, settings)
    t = translator(lang)
    db = Database.from_url(settings.database_url)
    try:
        count = export_file(db, args.area, args.year, args.out, t.lang)
    except LookupError:
        print(t("I do not know an e-area called \"{name}\".", name=args.area))
        return 2
    finally:
        db.dispose()
    if count is None:
        print(t("{area} has no plan for {year} yet.", area=args.area, year=args.year))
        return 2
    print(t.n("Wrote {n} goal to {path}.", "Wrote {n} goals to {path}.", count, path=args.out))
    return 0
