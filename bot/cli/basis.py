"""`styra basis export N --format md|docx --out FILE`: a decision basis as a document."""

from __future__ import annotations

from pathlib import Path

from bot.cli.lang import cli_lang, cli_translator
from bot.documents.basis_export import to_docx, to_markdown
from bot.i18n import translator
from cards.decision_basis import view_of
from storage import bases
from storage.db import Database


def register(sub) -> None:
    basis = sub.add_parser("basis", help="decision bases")
    actions = basis.add_subparsers(dest="basis_command", required=True)
    export = actions.add_parser("export", help="write a decision basis as Markdown or .docx")
    export.add_argument("basis", help="decision basis id, or a need number (B-2026-0042) for its latest version")
    export.add_argument("--format", choices=("md", "docx"), default="md")
    export.add_argument("--out", required=True, help="file to write")
    export.add_argument("--lang", choices=("sv", "en"), default=None, help="language (default: the configured one)")
    export.set_defaults(run=_export)


def export(session, wanted: str, fmt: str, lang: str) -> bytes | None:
    basis_id = bases.find(session, wanted)
    if basis_id is None:
        return None
    t = translator(lang)
    view = view_of(bases.basis_record(session, basis_id, lang))
    return to_docx(t, view) if fmt == "docx" else to_markdown(t, view).encode("utf-8")


def _export(args, settings) -> int:
    db = Database.from_url(settings.database_url)
    try:
        data = db.call(export, args.basis, args.format, cli_lang(args, settings))
    finally:
        db.dispose()
    t = cli_translator(args, settings)
    if data is None:
        print(t("There is no decision basis {wanted}.", wanted=args.basis))
        return 2
    Path(args.out).write_bytes(data)
    print(t("Wrote {file} ({size} bytes).", file=args.out, size=len(data)))
    return 0
