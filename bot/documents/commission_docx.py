"""Commission documents from plain view data: the commission document (shaped like an internal
commission description) and the final report as .docx, the register as .xlsx for the intranet."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.documents.plan_io import write_xlsx
from bot.i18n import Translator
from cards.commissions import (
    ApprovalRow,
    DocumentView,
    cadence_label,
    field_labels,
    form_label,
    kind_label,
    length_label,
    period,
    report_labels,
    status_label,
)
from cards.common import hours, sek


def _people(names: tuple[str, ...]) -> str:
    return ", ".join(names) or "–"


def facts(t: Translator, d: DocumentView) -> list[tuple[str, str]]:
    labels = field_labels(t)
    rows = [(t("Number"), d.number or t("Draft")), (t("Registry number"), d.registry_number or "–"),
            (t("Version"), str(d.version)), (labels["kind"], kind_label(t, d.kind)),
            (labels["form"], form_label(t, d.form)), (labels["length"], length_label(t, d.length)),
            (t("Period"), period(d)),
            (t("Project manager") if d.form == "project" else labels["lead"], d.lead or "–"),
            (t("Responsible manager"), d.responsible_manager or "–"),
            (labels["participants"], _people(d.participants)), (t("Managers"), _people(d.managers))]
    if d.form == "project":
        rows += [(labels["project_group"], _people(d.project_group)),
                 (labels["steering_group"], _people(d.steering_group)),
                 (labels["reference_groups"], d.reference_groups or "–")]
    budget = [sek(t, d.budget_sek) if d.budget_sek is not None else "",
              hours(t, d.budget_hours) if d.budget_hours is not None else ""]
    rows += [(t("Budget"), ", ".join(b for b in budget if b) or "–"),
             (t("Status report"), cadence_label(t, d.cadence))]
    if d.unit:
        rows.append((t("Unit"), d.unit))
    if d.origin:
        rows.append((t("Comes from"), d.origin))
    return rows


def _table(doc, rows: Iterable[tuple[str, str]]) -> None:
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for title, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = title, value
        cells[0].paragraphs[0].runs[0].bold = True


def _save(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def commission_docx(t: Translator, d: DocumentView, approvals: tuple[ApprovalRow, ...] = ()) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading(t("Internal commission description"), level=0)
    doc.add_paragraph(d.title).runs[0].bold = True
    _table(doc, facts(t, d))
    labels = field_labels(t)
    for name in ("background", "purpose", "goals", "expected_result", "reporting"):
        text = getattr(d, name)
        if text or name in ("purpose", "expected_result"):
            doc.add_heading(labels[name], level=1)
            doc.add_paragraph(text or "–")
    doc.add_heading(t("Approval by the managers concerned"), level=1)
    answers = {"approved": t("has approved"), "declined": t("has not approved")}
    for row in approvals:
        line = f"{row.name}: {answers.get(row.answer or '', t('waiting'))}"
        doc.add_paragraph(line + (f" ({row.comment})" if row.comment else ""), style="List Bullet")
    if not approvals:
        doc.add_paragraph("–")
    return _save(doc)


def report_docx(t: Translator, d: DocumentView, closure: str, sections: dict[str, str]) -> bytes:
    """The final report; a project gets seed 003's numbered sections, other forms the short set."""
    from docx import Document

    labels = report_labels(t)
    doc = Document()
    doc.add_heading(t("Final report: {title}", title=d.title), level=0)
    _table(doc, [(t("Number"), d.number or "–"), (t("Outcome"), status_label(t, "closed", closure)),
                 (labels["actual_start"], sections.get("actual_start") or d.start or "–"),
                 (labels["actual_end"], sections.get("actual_end") or d.end or "–"),
                 (t("Responsible manager"), d.responsible_manager or "–"),
                 (t("Project manager") if d.form == "project" else field_labels(t)["lead"], d.lead or "–")])
    project = d.form == "project"
    parts = ([("1", t("Description"), [("background", labels["background"])]),
              ("2", t("Results"), [("result_goal", t("Project goal")), ("result_business", t("Business goals"))]),
              ("3", t("Implementation"), []),
              ("4", t("Finances"), [("budget_outcome", labels["budget_outcome"])]),
              ("5", t("Handover to maintenance"), [("handover", "")]),
              ("6", t("Effect evaluation"), [("evaluation", "")]),
              ("7", t("Experiences"), [("experiences", "")]),
              ("8", t("Attachments"), [("attachments", "")])] if project else
             [("1", t("Results"), [("result_goal", "")]), ("2", t("Finances"), [("budget_outcome", "")]),
              ("3", t("Experiences"), [("experiences", "")])])
    for number, title, items in parts:
        doc.add_heading(f"{number} {title}", level=1)
        if project and number == "3":
            doc.add_paragraph(f"{t('Start date')}: {sections.get('actual_start') or d.start or '–'}")
            doc.add_paragraph(f"{t('End date')}: {sections.get('actual_end') or d.end or '–'}")
        for index, (key, sub) in enumerate(items, 1):
            if sub:
                doc.add_heading(f"{number}.{index} {sub}", level=2)
            doc.add_paragraph(sections.get(key) or "–")
        if project and number == "4":
            doc.add_heading(f"4.2 {t('Calculation of future costs')}", level=2)
            table = doc.add_table(rows=1, cols=3)
            table.style = "Table Grid"
            head = table.rows[0].cells
            head[0].text, head[1].text, head[2].text = "", t("Internal resources"), t("External costs")
            cells = table.add_row().cells
            cells[0].text = ", ".join((t("Licences"), t("Consultants"), t("Integration"), t("Maintenance roles")))
            cells[1].text = sections.get("future_internal") or "–"
            cells[2].text = sections.get("future_external") or "–"
    return _save(doc)


@dataclass(frozen=True)
class RegisterRow:
    number: str
    registry_number: str
    title: str
    kind: str
    form: str
    status: str
    closure: str | None
    lead: str
    responsible_manager: str
    participants: tuple[str, ...]
    start: str
    end: str
    purpose: str
    unit: str = ""


def register_xlsx(path: str | Path, t: Translator, rows: list[RegisterRow]) -> int:
    """The register of decided commissions, for the intranet: one row per commission."""
    headers = [t("Number"), t("Registry number"), field_labels(t)["title"], field_labels(t)["kind"],
               field_labels(t)["form"], t("Status"), field_labels(t)["lead"], t("Responsible manager"),
               field_labels(t)["participants"], t("Start date"), t("End date"), t("Purpose"), t("Unit")]
    values = [[r.number, r.registry_number, r.title, kind_label(t, r.kind), form_label(t, r.form),
               status_label(t, r.status, r.closure), r.lead, r.responsible_manager, _people(r.participants),
               r.start, r.end, r.purpose, r.unit] for r in rows]
    write_xlsx(path, headers, values, [14, 16, 40, 24, 20, 22, 22, 22, 36, 12, 12, 60, 20],
               sheet_title=t("Commissions"))
    return len(values)
