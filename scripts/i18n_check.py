"""List msgids used in the code that the Swedish catalogue lacks (exit 1 when any).

A msgid is the literal first argument of a call to `t`, `gettext` or `_` (by any name before
the dot: `turn.t(...)`, `self.t(...)`); for `ngettext` and `.n` the first two. The code is
read with the standard library's `ast`, so this check needs nothing installed.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.i18n import LOCALE_DIR, read_po  # noqa: E402

SINGULAR = {"t", "gettext", "_"}
PLURAL = {"ngettext", "n"}
ROOMS = ("bot", "dialogs", "cards", "app.py")


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def msgids_in(source: str) -> list[tuple[int, str, str | None]]:
    """(line, msgid, msgid_plural or None) for every translatable literal in the source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = _called_name(node)
        singular = _literal(node.args[0])
        if not singular:
            continue
        if name in SINGULAR:
            found.append((node.lineno, singular, None))
        elif name in PLURAL and len(node.args) > 1 and (plural := _literal(node.args[1])):
            found.append((node.lineno, singular, plural))
    return sorted(found)


def used_msgids() -> dict[tuple[str, str | None], str]:
    """(msgid, msgid_plural) -> where it is first used."""
    found: dict[tuple[str, str | None], str] = {}
    for room in ROOMS:
        path = ROOT / room
        files = [path] if path.is_file() else sorted(path.rglob("*.py"))
        for file in files:
            if "rules" in file.parts and file.name == "wheel.py":
                continue
            for lineno, msgid, plural in msgids_in(file.read_text(encoding="utf-8")):
                found.setdefault((msgid, plural), f"{file.relative_to(ROOT)}:{lineno}")
    return found


def translated(lang: str = "sv") -> set[tuple[str, str | None]]:
    """(msgid, msgid_plural) of every translated, non-fuzzy entry of the language."""
    return {
        (entry.msgid, entry.plural)
        for po in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po"))
        for entry in read_po(po)
        if entry.msgid and entry.context is None and entry.translated
    }


def missing_swedish() -> dict[str, str]:
    known = translated("sv")
    missing = {}
    for (msgid, plural), where in used_msgids().items():
        if (msgid, plural) not in known:
            missing[msgid if plural is None else f"{msgid} | {plural}"] = where
    return missing


def main() -> int:
    missing = missing_swedish()
    for msgid, where in sorted(missing.items(), key=lambda kv: kv[1]):
        sys.stdout.write(f"{where}: {msgid!r}\n")
    sys.stdout.write(f"{len(missing)} msgid(s) without a Swedish translation\n")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
