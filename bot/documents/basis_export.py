"""A decision basis as a document: Markdown and .docx (python-docx), every section present."""

from __future__ import annotations

import io

from bot.i18n import Translator
from cards.common import effort
from cards.decision_basis import BasisView, sections, status_label


def _facts(t: Translator, view: BasisView) -> list[tuple[str, str]]:
    return [
        (t("Need"), f"{view.need_number} · {view.need_title}"),
        (t("E-area"), view.area_name),
        (t("Version"), str(view.version)),
        (t("Status"), status_label(t, view.status)),
        (t("Risk likelihood × impact"), f"{view.risk_likelihood} × {view.risk_impact} = {view.risk_likelihood * view.risk_impact}"),
        (t("Estimate"), effort(t, view.hours, view.cost_sek)),
        (t("Proposed frame change"), effort(t, view.frame_change_hours, view.frame_change_sek, signed=True)),
        (t("Escalate to portfolio management"), t("Yes") if view.escalate else t("No")),
        (t("Prepared by"), view.created_by_name),
    ]


def _anchoring_lines(t: Translator, view: BasisView) -> list[str]:
    lines = []
    for name, agreed, comment in view.anchoring:
        line = f"{name}: {t('agrees') if agreed else t('commented')}"
        lines.append(line + (f" – {comment}" if comment else ""))
    return lines or [t("No answers yet.")]


def _md_text(text: str) -> str:
    """User text kept literal in Markdown: escape what would turn into formatting."""
    special = "\\`*_{}[]()#+!|<>"
    out = "".join("\\" + ch if ch in special else ch for ch in text or "–")
    return "\n".join(("\\" + line) if line.lstrip().startswith("-") else line for line in out.splitlines()) or "–"


def to_markdown(t: Translator, view: BasisView) -> str:
    lines = [f"# {t('Decision basis')}: {_md_text(view.need_number)} {_md_text(view.need_title)}", ""]
    lines += [f"- **{title}:** {_md_text(value)}" for title, value in _facts(t, view)]
    for title, text in sections(t, view):
        lines += ["", f"## {title}", "", _md_text(text)]
    lines += ["", f"## {t('Area owners')}", ""]
    lines += [f"- {_md_text(line)}" for line in _anchoring_lines(t, view)]
    return "\n".join(lines) + "\n"


def to_docx(t: Translator, view: BasisView) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading(f"{t('Decision basis')}: {view.need_number} {view.need_title}", level=0)
    table = doc.add_table(rows=0, cols=2)
    for title, value in _facts(t, view):
        row = table.add_row().cells
        row[0].text, row[1].text = title, value
    for title, text in sections(t, view):
        doc.add_heading(title, level=1)
        doc.add_paragraph(text or "–")
    doc.add_heading(t("Area owners"), level=1)
    for line in _anchoring_lines(t, view):
        doc.add_paragraph(line, style="List Bullet")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
