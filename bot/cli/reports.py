"""`styra reports export --period 2026-Q2 --out FILE.xlsx`: the quarter's reports as one workbook
(portfolio summary and a sheet per e-area); `styra reports import-outcome FILE.csv`: outcome in
SEK and hours from finance and time reporting, per e-area and period (every row or none)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cli.lang import cli_translator
from bot.documents import outcome_io
from bot.documents.report_xlsx import AreaSheet, SummaryRow, report_workbook
from bot.i18n import area_name, translator
from bot.rules import reports as rules
from bot.rules.wheel import steering_meeting_date
from bot.rules.wheel_file import load_wheel
from storage import org
from storage import report_data as reads
from storage.db import Database
from storage.report_views import rollup, set_outcomes


def register(sub) -> None:
    reports = sub.add_parser("reports", help="status reports: export a quarter, import outcome figures")
    actions = reports.add_subparsers(dest="reports_command", required=True)
    exp = actions.add_parser("export", help="write a quarter's reports as .xlsx (summary + a sheet per e-area)")
    exp.add_argument("--period", required=True, help="year and quarter, e.g. 2026-Q2")
    exp.add_argument("--out", required=True, help="the .xlsx file to write")
    exp.add_argument("--lang", choices=("sv", "en"), default=None, help="language (default: the configured one)")
    exp.set_defaults(run=_export)
    imp = actions.add_parser("import-outcome", help="outcome (SEK, hours) per e-area and period from .csv or .xlsx")
    imp.add_argument("file", help="columns: e-område, period, utfall kr, utfall timmar (Swedish or English)")
    imp.add_argument("--lang", choices=("sv", "en"), default=None, help="language of messages")
    imp.set_defaults(run=_import)


# --- export -----------------------------------------------------------------------------------------


def _due(settings, period: rules.Period):
    meeting = steering_meeting_date(load_wheel(settings.wheel_file), period.year, period.report_month)
    return rules.area_due(meeting, settings.report_due_working_days)


def workbook(session, settings, period: rules.Period, lang: str, now: datetime) -> bytes:
    t = translator(lang)
    due, today = _due(settings, period), rules.local_date(now, settings.timezone)
    summary, sheets = [], []
    for line in rollup(session, period):
        name = area_name(line, t)
        sent = line.status in ("submitted", "reviewed")
        submitted_on = rules.local_date(line.submitted_on, settings.timezone) if sent and line.submitted_on else None
        data = reads.report_data(session, line.report_id, timezone=settings.timezone, now=now) if line.report_id else None
        stamp = data.report.submitted_at.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%d %H:%M") \
            if data and data.report.submitted_at else ""
        summary.append(SummaryRow(name, line.status, line.version, {c.value: n for c, n in line.counts.items()},
                                  line.worst.value if line.worst else None, line.open_deviations, line.escalations,
                                  line.used_percent, rules.punctuality(submitted_on, due, today).value, stamp))
        if data is None:
            sheets.append(AreaSheet(name, "none"))
            continue
        report = data.report
        sheets.append(AreaSheet(
            name, report.status, report.version,
            f"{report.submitted_by_name}, {stamp}" if stamp else "", report.frame_sek, report.frame_hours,
            report.committed_sek, report.committed_hours, report.outcome_sek, report.outcome_hours, data.content,
            {ref: handling for ref, (handling, _e) in data.routings.items()},
            {ref: link.need_number for ref, link in data.links.items()}))
    return report_workbook(t, str(period), summary, sheets)


def _export(args, settings) -> int:
    t = cli_translator(args, settings)
    try:
        period = rules.parse_period(args.period)
    except ValueError as exc:
        print(t.gettext(str(exc)))
        return 2
    db = Database.from_url(settings.database_url)
    try:
        data = db.call(workbook, settings, period, t.lang, datetime.now(UTC))
    finally:
        db.dispose()
    Path(args.out).write_bytes(data)
    print(t("Wrote {file} ({size} bytes).", file=args.out, size=len(data)))
    return 0


# --- import ---------------------------------------------------------------------------------------


def store_outcomes(session, rows: list[outcome_io.OutcomeRow], source: str, now: datetime) -> int:
    """Every row's e-area must exist; then all rows are stored in this one transaction, or none."""
    errors, resolved = [], []
    for row in rows:
        area = org.find_e_area(session, row.area)
        if area is None:
            errors.append(outcome_io.RowError(row.row, "There is no e-area called \"{name}\".", {"name": row.area[:60]}))
        else:
            resolved.append((area.id, str(row.period), row.sek, row.hours))
    if errors:
        raise outcome_io.PlanFileError(errors)
    return set_outcomes(session, resolved, source=source, actor="styra reports import-outcome", now=now)


def _import(args, settings) -> int:
    t = cli_translator(args, settings)
    try:
        rows = outcome_io.parse(outcome_io.read_rows(args.file))
        db = Database.from_url(settings.database_url)
        try:
            count = db.call(store_outcomes, rows, Path(args.file).name, datetime.now(UTC))
        finally:
            db.dispose()
    except outcome_io.PlanFileError as exc:
        print(t("Nothing was imported: the file has errors."))
        for line in exc.lines(t):
            print("  " + line)
        return 2
    print(t.n("Imported outcome for {n} e-area and period.", "Imported outcome for {n} e-areas and periods.", count))
    return 0
