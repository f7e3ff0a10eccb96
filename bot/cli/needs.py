"""`styra needs export --e-area … --status … --out needs.xlsx`: the needs inventory as a spreadsheet."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cli.lang import cli_translator
from bot.documents import plan_io
from bot.i18n import area_name, translator
from bot.rules import needs as rules
from cards.common import status_label
from cards.needs import source_label
from storage import needs as repo
from storage import org
from storage.db import Database
from storage.models import NeedStatus


def register(sub) -> None:
    needs = sub.add_parser("needs", help="export needs (the needs inventory) as .xlsx or .csv")
    actions = needs.add_subparsers(dest="needs_command", required=True)
    exp = actions.add_parser("export", help="write needs to a spreadsheet")
    exp.add_argument("--e-area", dest="area", help="e-area slug or name (default: every e-area)")
    exp.add_argument("--status", help="comma-separated statuses, e.g. inventory or registered,under_assessment "
                                      "(default: all)")
    exp.add_argument("--out", required=True, help="file to write (.xlsx or .csv)")
    exp.add_argument("--lang", default=None, help="language of headers and statuses (sv or en)")
    exp.set_defaults(run=_export)


def headers(t) -> list[str]:
    return [t("Need"), t("E-area"), t("Status"), t("Title"), t("Description"), t("Expected benefit"),
            t("Source"), t("Registered by"), t("On behalf of"), t("Also affected"), t("Rough effort (hours)"),
            t("Rough cost (SEK)"), t("Wished-for date"), t("Plan goals"), t("Registered")]


def export(db: Database, out: str, *, area_text: str | None, statuses: list[str] | None, lang: str,
           timezone: str = "Europe/Stockholm") -> int:
    t = translator(lang)
    tz = ZoneInfo(timezone)

    def load(session):
        area_id = None
        if area_text:
            area = org.find_e_area(session, area_text)
            if area is None:
                raise LookupError(area_text)
            area_id = area.id
        found = repo.of_area(session, area_id, [NeedStatus(s) for s in statuses] if statuses else None)
        ids = [need.id for need, _area in found]
        affected, goals = repo.affected_counts(session, ids), repo.goal_titles(session, ids)
        rows = []
        for need, area in found:
            rows.append([need.number, area_name(area, t),
                         status_label(t, need.status), need.title,
                         need.description, need.benefit, source_label(t, need.source), need.raised_by_name,
                         need.on_behalf_of, affected.get(need.id, 0), need.effort_hours, need.cost_sek,
                         need.wished_date, "; ".join(goals.get(need.id, [])),
                         need.created_at.astimezone(tz).strftime("%Y-%m-%d")])
        return rows

    rows = db.call(load)
    if Path(out).suffix.casefold() == ".csv":
        import csv

        with Path(out).open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, delimiter=";")
            writer.writerow(headers(t))
            writer.writerows([[plan_io._safe(v) for v in row] for row in rows])
        return len(rows)
    plan_io.write_xlsx(out, headers(t), rows, (14, 18, 20, 40, 60, 40, 16, 20, 20, 10, 12, 14, 14, 40, 12),
                       sheet_title=t("Needs"))
    return len(rows)


def _export(args, settings) -> int:
    t = cli_translator(args, settings)
    statuses = None
    if args.status:
        statuses = [s.strip() for s in args.status.split(",") if s.strip()]
        bad = [s for s in statuses if s not in rules.STATUSES]
        if bad:
            print(t("Unknown status: {bad}. Use: {known}.", bad=", ".join(bad), known=", ".join(rules.STATUSES)))
            return 2
    db = Database.from_url(settings.database_url)
    try:
        count = export(db, args.out, area_text=args.area, statuses=statuses, lang=t.lang, timezone=settings.timezone)
    except LookupError:
        print(t("I do not know an e-area called \"{name}\".", name=args.area))
        return 2
    finally:
        db.dispose()
    print(t.n("Wrote {n} need to {path}.", "Wrote {n} needs to {path}.", count, path=args.out))
    return 0
