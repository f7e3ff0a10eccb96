"""`styra commissions export --out uppdrag.xlsx`: the register of decided commissions for the intranet."""

from __future__ import annotations

from pathlib import Path

from bot.documents.commission_docx import RegisterRow, register_xlsx
from bot.i18n import translator
from cards.commissions import document_view
from storage import commission_queries as queries
from storage.db import Database


def register(sub) -> None:
    commissions = sub.add_parser("commissions", help="the register of decided commissions")
    actions = commissions.add_subparsers(dest="commissions_command", required=True)
    export = actions.add_parser("export", help="write every decided commission to an .xlsx file")
    export.add_argument("--out", default="commissions.xlsx", help="file to write (default commissions.xlsx)")
    export.add_argument("--lang", default=None, help="sv or en (default: the configured language)")
    export.set_defaults(run=_export)


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


def _export(args, settings) -> int:
    db = Database.from_url(settings.database_url)
    try:
        rows = db.call(register_entries)
    finally:
        db.dispose()
    count = register_xlsx(Path(args.out), translator(args.lang or settings.default_locale), rows)
    print(f"wrote {count} commissions to {args.out}")
    return 0
