"""Plan import and export as spreadsheets (xlsx via openpyxl, or csv), shaped like a real action plan.

One row per goal (utvecklingsområde): support area, title, why, desired effect, participating
units, dependencies, planned start and end (or one "Planerad start/slut" column), priority.
Headers may be Swedish or English, in any order. Free-text periods are kept as written and read to
dates where they can be (bot/rules/plan_periods.py). A column Styra has no place for is kept with
the goal and reported, never dropped. A file with any bad row is rejected as a whole, with every
bad row listed by number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from bot.i18n import Translator
from bot.rules.needs import clean_text
from bot.rules.plan_periods import PeriodError, goal_span
from storage.plans import GoalRow

# column key -> header words accepted (casefolded)
COLUMNS: dict[str, tuple[str, ...]] = {
    "support_area": ("stödområde", "support area", "område", "verksamhetsområde"),
    "title": ("utvecklingsområde", "mål", "titel", "goal", "title", "development area"),
    "why": ("varför", "why", "bakgrund", "background"),
    "effect": ("önskad effekt", "effekt", "desired effect", "effect", "expected effect"),
    "units": ("medverkande avdelningar", "medverkande", "deltagande avdelningar", "deltagande enheter",
              "avdelningar", "enheter", "participating departments", "participating units", "departments",
              "units"),
    "dependencies": ("beroenden", "beroende", "dependencies"),
    "start": ("planerad start", "start", "startdatum", "planned start", "start date"),
    "end": ("planerat slut", "planerad slut", "slut", "slutdatum", "end", "planned end", "end date"),
    "period": ("planerad start/slut", "start/slut", "tidplan", "period", "planerad period",
               "planned start/end", "start/end", "timeline", "schedule"),
    "priority": ("prioritet", "priority"),
}
HEADERS = {
    "sv": ("Stödområde", "Utvecklingsområde", "Varför", "Önskad effekt", "Medverkande avdelningar", "Beroenden",
           "Planerad start", "Planerat slut", "Planerad start/slut", "Prioritet"),
    "en": ("Support area", "Development area", "Why", "Desired effect", "Participating units", "Dependencies",
           "Planned start", "Planned end", "Planned start/end", "Priority"),
}
ORDER = ("support_area", "title", "why", "effect", "units", "dependencies", "start", "end", "period", "priority")
LIMITS = {"support_area": 200, "title": 300, "why": 5000, "effect": 5000, "units": 500, "dependencies": 500,
          "start": 200, "end": 200, "period": 500}
EXTRA_LIMIT = 5000  # per kept column Styra has no place for
MAX_ROWS = 500


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it (header is row 1)
    message: str  # English msgid
    values: dict

    def text(self, t: Translator) -> str:
        return t("Row {row}: ", row=self.row) + t(self.message, **self.values)


class PlanFileError(ValueError):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} bad rows")
        self.errors = errors

    def lines(self, t: Translator) -> list[str]:
        return [error.text(t) for error in self.errors]


def read_rows(path: str | Path) -> list[list[object]]:
    path = Path(path)
    suffix = path.suffix.casefold()
    if suffix in (".xlsx", ".xlsm"):
        book = load_workbook(path, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        book.close()
        return rows
    if suffix == ".csv":
        text = path.read_bytes().decode("utf-8-sig")
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t") if text.strip() else csv.excel
        return [list(row) for row in csv.reader(io.StringIO(text), dialect)]
    raise PlanFileError([RowError(0, "Use an .xlsx or .csv file.", {})])


def _cell(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(str(value), multiline=True)


@dataclass(frozen=True)
class PlanSheet:
    goals: list[GoalRow]
    unknown_columns: list[str]  # headers Styra has no place for (kept with each goal as extra)


def _header_key(value: object) -> str:
    """"Planerad\nstart / slut:" -> "planerad start/slut" (spreadsheets wrap and decorate headers)."""
    name = " ".join(_cell(value).casefold().split()).rstrip(":*").strip()
    return name.replace(" / ", "/").replace("/ ", "/").replace(" /", "/")


def parse(rows: list[list[object]]) -> list[GoalRow]:
    return parse_sheet(rows).goals


def parse_sheet(rows: list[list[object]]) -> PlanSheet:
    """Rows (first non-empty row = headers) -> goals and the unknown columns, or PlanFileError
    listing every bad row."""
    rows = [list(r) for r in rows]
    start = next((i for i, r in enumerate(rows) if any(_cell(c) for c in r)), None)
    if start is None:
        raise PlanFileError([RowError(1, "The file is empty.", {})])
    header_row = start + 1
    positions: dict[str, int] = {}
    unknown: dict[str, int] = {}  # header as written -> position
    for index, value in enumerate(rows[start]):
        name = _header_key(value)
        if not name:
            continue
        key = next((k for k, words in COLUMNS.items() if name in words), None)
        if key is None or key in positions:  # a second "Varför" is kept too, not dropped
            header = _cell(value)
            while header in unknown:
                header += " *"
            unknown[header] = index
        else:
            positions[key] = index
    if "title" not in positions:
        raise PlanFileError([RowError(header_row, "No column for the goal's title (\"Utvecklingsområde\" or \"Development area\"). Columns found: {found}.",
                                      {"found": ", ".join(_cell(v) for v in rows[start] if _cell(v)) or "–"})])
    goals: list[GoalRow] = []
    errors: list[RowError] = []
    titles: dict[str, int] = {}
    body = rows[start + 1:]
    if len(body) > MAX_ROWS:
        raise PlanFileError([RowError(header_row, "A plan may have at most {max} goals.", {"max": MAX_ROWS})])
    for offset, row in enumerate(body):
        number = header_row + offset + 1
        values = {key: _cell(row[pos]) if pos < len(row) else "" for key, pos in positions.items()}
        extra = {header: _cell(row[pos]) if pos < len(row) else "" for header, pos in unknown.items()}
        if not any(values.values()) and not any(extra.values()):
            continue
        row_errors = []
        if not values.get("title"):
            row_errors.append(RowError(number, "The goal has no title.", {}))
        for key, limit in LIMITS.items():
            if len(values.get(key, "")) > limit:
                row_errors.append(RowError(number, "The column \"{column}\" is too long (at most {max} characters).",
                                           {"column": _header_of(rows[start], positions[key]), "max": limit}))
        for header, text in extra.items():
            if len(text) > EXTRA_LIMIT:
                row_errors.append(RowError(number, "The column \"{column}\" is too long (at most {max} characters).",
                                           {"column": header, "max": EXTRA_LIMIT}))
        priority_text = values.get("priority", "")
        priority = 0
        if priority_text:
            if priority_text.isdigit() and int(priority_text) < 1000:
                priority = int(priority_text)
            else:
                row_errors.append(RowError(number, "The priority must be a whole number, like 1, 2 or 3; it was \"{value}\".",
                                           {"value": priority_text[:40]}))
        try:
            span = goal_span(values.get("start", ""), values.get("end", ""), values.get("period", ""))
        except PeriodError as exc:
            row_errors.append(RowError(number, exc.message, exc.values))
            span = None
        title = values.get("title", "")
        if title and title.casefold() in titles:
            row_errors.append(RowError(number, "The goal \"{title}\" is already on row {other}.",
                                       {"title": title[:80], "other": titles[title.casefold()]}))
        elif title:
            titles[title.casefold()] = number
        if row_errors:
            errors.extend(row_errors)
            continue
        goals.append(GoalRow(values.get("support_area", ""), title, values.get("why", ""), values.get("effect", ""),
                             values.get("units", ""), values.get("dependencies", ""), values.get("start", ""),
                             values.get("end", ""), priority, period=values.get("period", ""),
                             starts_on=span.start, ends_on=span.end, extra={k: v for k, v in extra.items() if v}))
    if errors:
        raise PlanFileError(errors)
    if not goals:
        raise PlanFileError([RowError(header_row + 1, "The file has headers but no goals.", {})])
    return PlanSheet(goals, list(unknown))


def _header_of(header: list[object], position: int) -> str:
    return _cell(header[position]) if position < len(header) else ""


def goal_values(goal) -> list[object]:
    return [goal.support_area, goal.title, goal.why, goal.effect, goal.units, goal.dependencies, goal.start,
            goal.end, goal.period, goal.priority]


def write(path: str | Path, goals: Iterable, *, lang: str = "sv", sheet_title: str = "Plan",
          extras: list[dict[str, str]] | None = None) -> int:
    """Write goals as .xlsx or .csv (by the file's suffix); returns the number of goals. `extras`,
    one dict per goal, are the kept columns of an earlier import: written back after the others."""
    path = Path(path)
    goals = list(goals)
    extras = extras or [{} for _ in goals]
    extra_headers = list(dict.fromkeys(h for e in extras for h in e))
    rows = [goal_values(goal) + [e.get(h, "") for h in extra_headers] for goal, e in zip(goals, extras, strict=True)]
    headers = list(HEADERS.get(lang, HEADERS["sv"])) + extra_headers
    if path.suffix.casefold() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, delimiter=";")
            writer.writerow(headers)
            writer.writerows(rows)
        return len(rows)
    widths = (22, 40, 50, 50, 35, 30, 14, 14, 30, 10) + (30,) * len(extra_headers)
    write_xlsx(path, headers, rows, widths, sheet_title=sheet_title)
    return len(rows)


def write_xlsx(path: str | Path, headers: Iterable[str], rows: list[list[object]], widths: Iterable[int], *,
               sheet_title: str = "Sheet") -> None:
    """A real spreadsheet: bold headers, column widths, wrapped text, autofilter, frozen header row."""
    headers = list(headers)
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title[:31]
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="top")
    for row in rows:
        sheet.append([_safe(v) for v in row])
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(headers), 1))}{len(rows) + 1}"
    sheet.freeze_panes = "A2"
    book.save(path)


def _safe(value: object) -> object:
    """Text that starts like a formula is stored as text, so a spreadsheet never runs it."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
