"""`styra decisions export --e-area X --out decisions.xlsx`: an e-area's decisions as a spreadsheet."""

from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.cli.lang import cli_lang, cli_translator
from bot.i18n import area_name, translator
from cards.decision import outcome_label
from storage import decisions as store
from storage import org
from storage.db import Database


def register(sub) -> None:
    decisions = sub.add_parser("decisions", help="export the decisions of an e-area")
    actions = decisions.add_subparsers(dest="decisions_command", required=True)
    export = actions.add_parser("export", help="write an e-area's decisions to an .xlsx file")
    export.add_argument("--e-area", dest="area", required=True, help="e-area slug or name")
    export.add_argument("--out", default="decisions.xlsx", help="file to write (default decisions.xlsx)")
    export.set_defaults(run=_export)


def rows_for_export(session, area_text: str, lang: str | None = None):
    """(area name, rows) with every decision of the e-area, oldest first; None if unknown."""
    area = org.find_e_area(session, area_text)
    if area is None:
        return None
    return area_name(area, lang), store.for_export(session, area.id)


def write_workbook(path: Path, area_name: str, rows, lang: str, tz: str) -> int:
    t = translator(lang)
    headers = [
        t("Decision"), t("Level"), t("Follows decision"), t("Decided at"), t("E-area"), t("Need"),
        t("Title"), t("Outcome"), t("Decided by"), t("Comment"), t("Registry number"), t("Hours"),
        t("Cost (SEK)"), t("Frame change (SEK)"), t("Frame change (hours)"), t("Proposal"), t("Basis version"),
    ]
    widths = [16, 18, 16, 18, 20, 16, 40, 30, 24, 50, 20, 10, 14, 18, 18, 60, 12]
    book = Workbook()
    sheet = book.active
    sheet.title = t("Decisions")[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    zone = ZoneInfo(tz)
    for decision, need, basis, parent in rows:
        # The basis as it was when decided, not as it may read today.
        snap = json.loads(decision.basis_snapshot or "{}")
        outcome = decision.outcome.value if hasattr(decision.outcome, "value") else str(decision.outcome)
        sheet.append([
            decision.number,
            t("Portfolio management") if decision.level == "portfolio" else t("Steering group"),
            parent,
            decision.decided_at.astimezone(zone).replace(tzinfo=None),
            area_name,
            need.number,
            snap.get("need_title", need.title),
            outcome_label(t, outcome),
            decision.decided_by_name or decision.decided_by,
            decision.comment,
            decision.registry_number,
            snap.get("hours", basis.hours),
            snap.get("cost_sek", basis.cost_sek),
            snap.get("frame_change_sek", basis.frame_change_sek),
            snap.get("frame_change_hours", basis.frame_change_hours),
            snap.get("proposal", basis.proposal),
            snap.get("version", basis.version),
        ])
        sheet.cell(row=sheet.max_row, column=4).number_format = "yyyy-mm-dd hh:mm"
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(sheet.max_row, 1)}"
    book.save(path)
    return len(rows)


def _export(args, settings) -> int:
    db = Database.from_url(settings.database_url)
    try:
        found = db.call(rows_for_export, args.area, cli_lang(args, settings))
    finally:
        db.dispose()
    t = cli_translator(args, settings)
    if found is None:
        print(t("I do not know an e-area called \"{name}\".", name=args.area))
        return 2
    name, rows = found
    count = write_workbook(Path(args.out), name, rows, t.lang, settings.timezone)
    print(t.n("Wrote {n} decision of {area} to {path}.", "Wrote {n} decisions of {area} to {path}.", count,
              area=name, path=args.out))
    return 0
