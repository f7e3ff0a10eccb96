"""Status-report documents for the steering-group meeting (python-docx): the report, the meeting's
agenda and its minutes. Built from the same view data as the cards; text typed by users is
written as it is (Word shows no markdown), colours always as a sign and a word."""

from __future__ import annotations

import io

from bot.i18n import Translator
from cards.common import hours as hours_text
from cards.common import sek
from cards.report_labels import (
    colour_label,
    dimension_label,
    extra_title,
    handling_label,
    kind_label,
    status_label,
    trend_label,
)
from cards.reports import MeetingView, ReportView


def _document():
    from docx import Document

    return Document()


def _bytes(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _table(doc, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text or "–"


def _facts(doc, facts: list[tuple[str, str]]) -> None:
    table = doc.add_table(rows=0, cols=2)
    for title, value in facts:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = title, value or "–"
        for run in cells[0].paragraphs[0].runs:
            run.bold = True


def report_docx(t: Translator, view: ReportView) -> bytes:
    doc = _document()
    doc.add_heading(t("Status report {area} {period}", area=view.area_name, period=view.period), level=0)
    facts = [(t("Version"), str(view.version)), (t("Status"), status_label(t, view.status))]
    if view.submitted_by:
        facts.append((t("Submitted"), f"{view.submitted_by}, {view.submitted_at}"))
    if view.status == "reviewed":
        facts.append((t("Reviewed"), f"{view.reviewed_by}, {view.reviewed_at}"))
    _facts(doc, facts)

    doc.add_heading(t("Goals"), level=1)
    _table(doc, [t("Goal"), t("Status"), t("Trend"), t("Progress"), t("Forecast")],
           [[g.title, colour_label(t, g.colour), trend_label(t, g.trend), g.comment, g.forecast] for g in view.goals]
           or [[t("No goals reported."), "", "", "", ""]])
    _table(doc, [t("Dimension"), t("Status"), t("Comment")],
           [[dimension_label(t, name), colour_label(t, colour), comment] for name, colour, comment in view.dimensions])

    doc.add_heading(t("Deviations"), level=1)
    if not view.deviations:
        doc.add_paragraph(t("No deviations."))
    for dev in view.deviations:
        doc.add_heading(f"{kind_label(t, dev.kind)}: {dev.title}", level=2)
        lines = [(t("Handling"), handling_label(t, dev.handling) + (f" ({t('closed')})" if dev.closed else "")),
                 (t("Cause"), dev.cause), (t("Consequences"), dev.consequences), (t("Proposed handling"), dev.proposal)]
        if dev.basis_label:
            lines.append((t("Decision basis"), dev.basis_label))
        _facts(doc, [(title, text) for title, text in lines if text])

    if view.risks:
        doc.add_heading(t("Risks"), level=1)
        _table(doc, [t("Risk"), t("Probability (1-5)"), t("Consequence (1-5)"), t("Mitigation")],
               [[title, str(p), str(c), m] for title, p, c, m in view.risks])

    doc.add_heading(t("Resources and costs"), level=1)
    money = [(t("Frame"), f"{sek(t, view.frame_sek)}, {hours_text(t, view.frame_hours)}"),
             (t("Committed in the plan"), f"{sek(t, view.committed_sek)}, {hours_text(t, view.committed_hours)}")]
    if view.outcome_sek is not None or view.outcome_hours is not None:
        money.append((t("Outcome"), f"{sek(t, view.outcome_sek or 0)}, {hours_text(t, view.outcome_hours or 0)}"))
    if view.used_percent is not None:
        money.append((t("Frame used"), f"{view.used_percent} %"))
    _facts(doc, money)
    for title, text in ((t("Comment on resources and costs"), view.resources_comment),
                        (t("New conditions"), view.new_conditions)):
        if text:
            doc.add_heading(title, level=2)
            doc.add_paragraph(text)
    for key, text in view.extras:
        doc.add_heading(extra_title(t, key), level=1)
        doc.add_paragraph(text)
    if view.since:
        doc.add_heading(t("Since the last report"), level=1)
        for line in view.since:
            doc.add_paragraph(line, style="List Bullet")
    if view.status == "reviewed" and view.review_comment:
        doc.add_heading(t("Comment from the steering group"), level=1)
        doc.add_paragraph(view.review_comment)
    return _bytes(doc)


def agenda_docx(t: Translator, view: MeetingView) -> bytes:
    doc = _document()
    doc.add_heading(t("Steering-group meeting {area}", area=view.area_name), level=0)
    doc.add_paragraph(t("{date} · follow-up of {period}", date=view.meeting_date, period=view.period))
    doc.add_heading(t("{n}. Status report", n=1), level=1)
    doc.add_paragraph(view.report_line)
    doc.add_heading(t("{n}. Decision bases awaiting decision", n=2), level=1)
    for _basis_id, number, title in view.bases:
        doc.add_paragraph(f"{number} {title}", style="List Bullet")
    if not view.bases:
        doc.add_paragraph(t("None."))
    doc.add_heading(t("{n}. Deviations", n=3), level=1)
    open_devs = [d for d in view.deviations if not d.closed]
    for dev in open_devs:
        doc.add_paragraph(f"{kind_label(t, dev.kind)}: {dev.title} ({handling_label(t, dev.handling)})",
                          style="List Bullet")
    if not open_devs:
        doc.add_paragraph(t("None."))
    if view.wheel_items:
        doc.add_heading(t("{n}. This quarter in the annual wheel", n=4), level=1)
        for item in view.wheel_items:
            doc.add_paragraph(item, style="List Bullet")
    return _bytes(doc)


def minutes_docx(t: Translator, view: MeetingView) -> bytes:
    doc = _document()
    doc.add_heading(t("Minutes: steering-group meeting {area}", area=view.area_name), level=0)
    doc.add_paragraph(t("{date} · follow-up of {period}", date=view.meeting_date, period=view.period))
    doc.add_heading(t("Decisions taken"), level=1)
    if view.decisions:
        _table(doc, [t("Decision"), t("Registry no."), t("Outcome"), t("Matter")],
               [[number, registry, outcome, title] for number, registry, outcome, title in view.decisions])
    else:
        doc.add_paragraph(t("No decisions recorded yet."))
    doc.add_heading(t("Status report"), level=1)
    doc.add_paragraph(view.report_line)
    return _bytes(doc)
