"""Write a .po catalogue from a Python dict of msgid -> translation (helper for maintainers).

    python scripts/write_po.py bot/locale/sv/LC_MESSAGES/styra.po translations.json
"""

from __future__ import annotations

import json
import sys

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po


def write(path: str, translations: dict[str, str], locale: str = "sv") -> None:
    catalog = Catalog(locale=locale, project="Styra", charset="utf-8")
    for msgid, msgstr in sorted(translations.items()):
        catalog.add(msgid, msgstr)
    with open(path, "wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False)


if __name__ == "__main__":
    write(sys.argv[1], json.load(open(sys.argv[2], encoding="utf-8")))
