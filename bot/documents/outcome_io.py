"""Outcome figures from finance and time reporting, as a CSV (or .xlsx) file: one row per e-area and
period with the money and the hours spent. Swedish or English headers, in any order; a file with
any bad row is refused as a whole, with every bad row listed by its number in the spreadsheet."""

from __future__ import annotations

from dataclasses import dataclass

from bot.documents.plan_io import PlanFileError, RowError, read_rows
from bot.rules import reports as rules
from bot.rules.reports import Period

COLUMNS: dict[str, tuple[str, ...]] = {
    "area": ("e-område", "e-omrade", "område", "e-area", "area"),
    "period": ("period", "kvartal", "quarter"),
    "sek": ("utfall kr", "utfall (kr)", "utfall sek", "kostnad", "kostnader", "kr", "sek", "outcome sek",
            "outcome (sek)", "cost"),
    "hours": ("utfall timmar", "timmar", "tid (timmar)", "outcome hours", "hours", "time reported"),
}
MAX_ROWS = 1000

__all__ = ["OutcomeRow", "PlanFileError", "RowError", "parse", "read_rows"]


@dataclass(frozen=True)
class OutcomeRow:
    row: int
    area: str  # as written: the caller finds the e-area
    period: Period
    sek: int
    hours: int


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).replace("\x00", "").split())


def _amount(errors: list[RowError], number: int, column: str, text: str) -> int:
    try:
        value = rules.parse_outcome(text)
    except ValueError:
        errors.append(RowError(number, "The column \"{column}\" must be a whole number, like 120 or 1 250 000; it was \"{value}\".",
                               {"column": column, "value": text[:40]}))
        return 0
    return value or 0


def parse(rows: list[list[object]]) -> list[OutcomeRow]:
    """Rows (the first non-empty one holds the headers) -> outcome rows, or every bad row at once."""
    start = next((i for i, r in enumerate(rows) if any(_cell(c) for c in r)), None)
    if start is None:
        raise PlanFileError([RowError(1, "The file is empty.", {})])
    header_row = start + 1
    positions: dict[str, int] = {}
    for index, value in enumerate(rows[start]):
        name = _cell(value).casefold().rstrip(":*")
        key = next((k for k, words in COLUMNS.items() if name in words), None)
        if key is not None and key not in positions:
            positions[key] = index
    missing = [key for key in COLUMNS if key not in positions]
    if missing:
        raise PlanFileError([RowError(header_row, "The file needs the columns e-area, period, SEK and hours (\"e-område\", \"period\", \"utfall kr\", \"utfall timmar\"). Columns found: {found}.",
                                      {"found": ", ".join(_cell(v) for v in rows[start] if _cell(v)) or "–"})])
    body = rows[start + 1:]
    if len(body) > MAX_ROWS:
        raise PlanFileError([RowError(header_row, "At most {max} rows in one file.", {"max": MAX_ROWS})])
    headers = {key: _cell(rows[start][pos]) for key, pos in positions.items()}
    out: list[OutcomeRow] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    for offset, row in enumerate(body):
        number = header_row + offset + 1
        values = {key: _cell(row[pos]) if pos < len(row) else "" for key, pos in positions.items()}
        if not any(values.values()):
            continue
        found: list[RowError] = []
        if not values["area"]:
            found.append(RowError(number, "The row names no e-area.", {}))
        try:
            period = rules.parse_period(values["period"])
        except ValueError:
            found.append(RowError(number, "The period must be a year and a quarter, like 2026-Q2; it was \"{value}\".",
                                  {"value": values["period"][:40]}))
            period = None
        sek = _amount(found, number, headers["sek"], values["sek"])
        hours = _amount(found, number, headers["hours"], values["hours"])
        key = (values["area"].casefold(), str(period))
        if period is not None and values["area"] and key in seen:
            found.append(RowError(number, "The same e-area and period are already on row {other}.",
                                  {"other": seen[key]}))
        elif period is not None:
            seen[key] = number
        if found:
            errors.extend(found)
        else:
            out.append(OutcomeRow(number, values["area"], period, sek, hours))
    if errors:
        raise PlanFileError(errors)
    if not out:
        raise PlanFileError([RowError(header_row + 1, "The file has headers but no rows.", {})])
    return out
