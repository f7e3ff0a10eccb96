"""List msgids used in the code that the Swedish catalogue lacks (exit 1 when any)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from babel.messages.extract import extract_from_file  # noqa: E402

from bot.i18n import _translations  # noqa: E402

KEYWORDS = {"t": None, "gettext": None, "ngettext": (1, 2), "_": None}
ROOMS = ("bot", "dialogs", "cards", "app.py")


def used_msgids() -> dict[str, str]:
    found: dict[str, str] = {}
    for room in ROOMS:
        path = ROOT / room
        files = [path] if path.is_file() else sorted(path.rglob("*.py"))
        for file in files:
            if "rules" in file.parts and file.name == "wheel.py":
                continue
            for lineno, message, _comments, _context in extract_from_file(
                "python", str(file), keywords=KEYWORDS
            ):
                ids = message if isinstance(message, tuple) else (message,)
                for msgid in ids:
                    if msgid:
                        found.setdefault(msgid, f"{file.relative_to(ROOT)}:{lineno}")
    return found


def missing_swedish() -> dict[str, str]:
    known = getattr(_translations("sv"), "_catalog", {})
    return {m: where for m, where in used_msgids().items() if m not in known}


def main() -> int:
    missing = missing_swedish()
    for msgid, where in sorted(missing.items(), key=lambda kv: kv[1]):
        sys.stdout.write(f"{where}: {msgid!r}\n")
    sys.stdout.write(f"{len(missing)} msgid(s) without a Swedish translation\n")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
