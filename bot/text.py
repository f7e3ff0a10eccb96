"""Text hygiene at the boundary, so SQLite and PostgreSQL store the same thing."""

from __future__ import annotations

import re
import unicodedata

# C0/C1 controls except tab and newline; PostgreSQL refuses NUL, the rest is noise.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BLANKS = re.compile(r"[ \t]+")


def clean(value: str, *, multiline: bool = False) -> str:
    """NFC-normalised text without control characters, trimmed."""
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    if not multiline:
        text = _BLANKS.sub(" ", text.replace("\n", " "))
    return text.strip()


def fold(value: str) -> str:
    """Case- and space-folded text for matching commands and names ('Språk  Engelska' -> 'språk engelska')."""
    return " ".join(clean(value).casefold().split())
