"""`styra commissions …`: the register of decided commissions for the intranet (.xlsx), and one
commission's document or final report as .docx (the shape of an internal commission description
and of a project's final report)."""

from __future__ import annotations

from pathlib import Path

from bot.cli.lang import cli_translator
from bot.documents.commission_docx import RegisterRow, commission_docx, register_xlsx, report_docx
from cards.commissions import ApprovalRow, document_view
from storage import commission_queries as queries
from storage.db import Database


def register(sub) -> None:
    commissions = sub.add_parser("commissions", help="the register of decided commissions, documents, final reports")
    actions = commissions.add_subparsers(dest="commissions_command", required=True)
    export = actions.add_parser("export", help="write every decided commission to an .xlsx file")
    export.add_argument("--out", default="commissions.xlsx", help="file to write (default commissions.xlsx)")
    export.add_argument("--lang", default=None, help="sv or en (default: the configured language)")
    export.set_defaults(run=_export)
    for name, what, run in (("document", "the commission document in force (or the newest draft)", _document),
                            ("report", "the final report", _report)):
        one = actions.add_parser(name, help=f"write {what} of one commission to a .docx file")
        one.add_argument("number", help="the commission's number, e.g. U-2026-0007")
        one.add_argument("--out", default=None, help="file to write (default <number>.docx)")
        one.add_argument("--lang", default=None, help="sv or en (default: the configured language)")
        one.set_defaults(run=run)


def register_entries(session) -> list[RegisterRow]:
    """One row per decided commission, with the document in force and people named."""
    found = queries.register_rows(session)
    ids: set[str] = set()
    for _c, doc in found:
        ids |= {doc.get("lead") or "", doc.get("responsible_manager") or "", *(doc.get("participants") or ())}
    names = queries.names(session, ids - {""})
    rows = []
    for c, doc in found:
        d = document_view(doc, names, number=c.number, registry_number=c.registry_number, unit=c.unit)
        rows.append(RegisterRow(c.number or "", c.registry_number, d.title, c.kind, c.form, c.status, c.closure,
                                d.lead, d.responsible_manager, d.participants, d.start, d.end, d.purpose, c.unit))
    return rows


def _people(doc: dict) -> set[str]:
    ids: set[str] = set()
    for value in doc.values():
        if isinstance(value, list):
            ids |= {v for v in value if isinstance(v, str)}
    return ids | {doc.get("lead") or "", doc.get("responsible_manager") or ""}


def document_parts(session, number: str):
    """(document view, approvals, report closure, report sections) of one commission, or None."""
    c = queries.by_number(session, number)
    if c is None:
        return None
    version = c.decided_version or c.version
    doc = queries.document(session, c, version)
    rows = queries.approvals(session, c.id, version)
    names = queries.names(session, (_people(doc) | {r.manager for r in rows}) - {""})
    d = document_view(doc, names, number=c.number, registry_number=c.registry_number, version=version, unit=c.unit)
    approvals = tuple(ApprovalRow(names.get(r.manager, r.manager), r.answer, r.comment) for r in rows)
    found = queries.report(session, c.id)
    sections = {k: str(v or "") for k, v in queries.report_sections(found).items()}
    return d, approvals, (found.closure if found else None), sections


def _one(args, settings, build) -> int:
    t = cli_translator(args, settings)
    db = Database.from_url(settings.database_url)
    try:
        parts = db.call(document_parts, args.number.strip().upper())
    finally:
        db.dispose()
    if parts is None:
        print(t("There is no commission numbered {number}.", number=args.number))
        return 1
    data = build(cli_translator(args, settings), *parts)
    if data is None:
        print(t("{number} has no final report yet.", number=args.number))
        return 1
    out = Path(args.out or f"{args.number.strip().upper()}.docx")
    out.write_bytes(data)
    print(t("Wrote {file} ({size} bytes).", file=out, size=len(data)))
    return 0


def _document(args, settings) -> int:
    return _one(args, settings, lambda t, d, approvals, _closure, _sections: commission_docx(t, d, approvals))


def _report(args, settings) -> int:
    return _one(args, settings, lambda t, d, _approvals, closure, sections:
                report_docx(t, d, closure, sections) if closure else None)


def _export(args, settings) -> int:
    db = Database.from_url(settings.database_url)
    try:
        rows = db.call(register_entries)
    finally:
        db.dispose()
    count = register_xlsx(Path(args.out), cli_translator(args, settings), rows)
    t = cli_translator(args, settings)
    print(t.n("Wrote {n} commission to {path}.", "Wrote {n} commissions to {path}.", count, path=args.out))
    return 0
