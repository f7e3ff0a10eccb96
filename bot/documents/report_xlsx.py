"""The quarter's status reports as one workbook (openpyxl): the portfolio summary first, then a
sheet per e-area with its goals, dimensions, deviations, risks and figures. Plain data in."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from bot.i18n import Translator
from bot.rules.report_content import ReportContent
from cards.report_labels import (
    colour_word,
    dimension_label,
    extra_title,
    handling_label,
    kind_label,
    punctuality_label,
    status_label,
    trend_label,
)

SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class SummaryRow:
    area_name: str
    status: str  # none | draft | submitted | reviewed
    version: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # green / yellow / red -> goals
    worst: str | None = None
    open_deviations: int = 0
    escalations: int = 0
    used_percent: int | None = None
    punctuality: str = "open"
    submitted_at: str = ""


@dataclass(frozen=True)
class AreaSheet:
    area_name: str
    status: str
    version: int = 0
    submitted: str = ""  # who and when, already worded
    frame_sek: int = 0
    frame_hours: int = 0
    committed_sek: int = 0
    committed_hours: int = 0
    outcome_sek: int | None = None
    outcome_hours: int | None = None
    content: ReportContent | None = None
    handling: dict[str, str] = field(default_factory=dict)  # deviation ref -> handling
    basis: dict[str, str] = field(default_factory=dict)  # deviation ref -> need number of its basis


def _title(name: str, taken: set[str]) -> str:
    """Excel allows 31 characters and no []:*?/\\ in a sheet name, each name once."""
    base = SHEET_NAME.sub("-", name)[:31] or "-"
    title, n = base, 2
    while title.casefold() in taken:
        suffix = f" ({n})"
        title, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(title.casefold())
    return title


def _block(ws, header: list[str], rows: list[list]) -> None:
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    ws.append([])


def _widths(ws, widths: list[int]) -> None:
    for n, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(n)].width = width
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _summary(t: Translator, ws, period: str, rows: list[SummaryRow]) -> None:
    ws.append([t("Portfolio status {period}", period=period)])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    _block(ws, [t("E-area"), t("Status"), t("Version"), t("Green"), t("Yellow"), t("Red"), t("Worst status"),
                t("Open deviations"), t("Escalated"), t("Frame used (%)"), t("Punctuality"), t("Submitted")],
           [[r.area_name, status_label(t, r.status), r.version or None, r.counts.get("green", 0),
             r.counts.get("yellow", 0), r.counts.get("red", 0), colour_word(t, r.worst) if r.worst else "",
             r.open_deviations, r.escalations, r.used_percent, punctuality_label(t, r.punctuality), r.submitted_at]
            for r in rows])
    _widths(ws, [28, 18, 9, 8, 8, 8, 14, 14, 11, 14, 14, 18])


def _area(t: Translator, ws, sheet: AreaSheet) -> None:
    ws.append([sheet.area_name])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([t("Status"), status_label(t, sheet.status), t("Version"), sheet.version or None, sheet.submitted])
    ws.append([t("Frame (SEK)"), sheet.frame_sek, t("Frame (hours)"), sheet.frame_hours])
    ws.append([t("Committed (SEK)"), sheet.committed_sek, t("Committed (hours)"), sheet.committed_hours])
    ws.append([t("Outcome (SEK)"), sheet.outcome_sek, t("Outcome (hours)"), sheet.outcome_hours])
    ws.append([])
    content = sheet.content
    if content is None:
        ws.append([t("No report for this period.")])
        _widths(ws, [34, 18, 16, 30, 30])
        return
    _block(ws, [t("Goal"), t("Status"), t("Trend"), t("Progress"), t("Forecast")],
           [[g.title, colour_word(t, g.colour.value if g.colour else None), trend_label(t, g.trend.value if g.trend else None),
             g.comment, g.forecast] for g in content.goals])
    _block(ws, [t("Dimension"), t("Status"), t("Comment")],
           [[dimension_label(t, d.name), colour_word(t, d.colour.value if d.colour else None), d.comment]
            for d in content.dimensions])
    _block(ws, [t("Deviation"), t("Kind"), t("Handling"), t("Cause"), t("Consequences"), t("Proposed handling"),
                t("Extra hours beyond the plan"), t("Extra cost beyond the plan (SEK)"), t("Handled and closed"),
                t("Decision basis")],
           [[d.title, kind_label(t, d.kind.value), handling_label(t, sheet.handling.get(d.ref, "coordinators")),
             d.cause, d.consequences, d.proposal, d.extra_hours, d.extra_sek, t("Yes") if d.closed else t("No"),
             sheet.basis.get(d.ref, "")] for d in content.deviations])
    _block(ws, [t("Risk"), t("Probability (1-5)"), t("Consequence (1-5)"), t("Mitigation")],
           [[r.title, r.probability, r.consequence, r.mitigation] for r in content.risks])
    texts = [(t("Comment on resources and costs"), content.resources_comment),
             (t("New conditions"), content.new_conditions)]
    texts += [(extra_title(t, key), text) for key, text in content.extras.items()]
    for title, text in texts:
        if text:
            ws.append([title, text])
    _widths(ws, [34, 18, 16, 30, 30, 30, 14, 14, 12, 16])


def report_workbook(t: Translator, period: str, summary: list[SummaryRow], sheets: list[AreaSheet]) -> bytes:
    book = Workbook()
    first = book.active
    taken: set[str] = set()
    first.title = _title(t("Portfolio"), taken)
    _summary(t, first, period, summary)
    for sheet in sheets:
        _area(t, book.create_sheet(_title(sheet.area_name, taken)), sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
