"""Write a .po catalogue from a JSON file of msgid -> translation (helper for maintainers).

    python scripts/write_po.py bot/locale/sv/LC_MESSAGES/styra.po translations.json

A translation is a string, or for a plural {"plural": "<English plural>", "msgstr": [one, many]}.
The file is rewritten whole, sorted by msgid, long strings wrapped at spaces (standard library
only; bot.i18n.read_po reads it back).
"""

from __future__ import annotations

import json
import sys

WIDTH = 100
HEADER = (
    "Project-Id-Version: Styra\n"
    "Language: {locale}\n"
    "Plural-Forms: nplurals=2; plural=(n != 1);\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: 8bit\n"
)


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"')
            .replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r"))


def _chunks(text: str, room: int) -> list[str]:
    """Escaped pieces of at most `room` characters, broken after spaces and newlines."""
    pieces, line = [], ""
    for word in _escape(text).replace("\\n", "\\n\0").replace(" ", " \0").split("\0"):
        if line and (len(line) + len(word) > room or line.endswith("\\n")):
            pieces.append(line)
            line = ""
        line += word
    return [*pieces, line] if line or not pieces else pieces


def field(keyword: str, text: str) -> str:
    one = f'{keyword} "{_escape(text)}"'
    if len(one) <= WIDTH and "\n" not in text[:-1]:
        return one
    return "\n".join([f'{keyword} ""', *(f'"{piece}"' for piece in _chunks(text, WIDTH - 2))])


def entry(msgid: str, translation: str | dict) -> str:
    if isinstance(translation, str):
        return f"{field('msgid', msgid)}\n{field('msgstr', translation)}\n"
    lines = [field("msgid", msgid), field("msgid_plural", translation["plural"])]
    lines += [field(f"msgstr[{i}]", text) for i, text in enumerate(translation["msgstr"])]
    return "\n".join(lines) + "\n"


def render(translations: dict[str, str | dict], locale: str = "sv") -> str:
    head = f"# Translations of Styra ({locale}).\n{entry('', HEADER.format(locale=locale))}"
    body = [entry(msgid, text) for msgid, text in sorted(translations.items()) if msgid]
    return "\n".join([head, *body])


def write(path: str, translations: dict[str, str | dict], locale: str = "sv") -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(render(translations, locale))


if __name__ == "__main__":
    with open(sys.argv[2], encoding="utf-8") as source:
        write(sys.argv[1], json.load(source))
