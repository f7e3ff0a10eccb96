"""Text hygiene at the boundary, so SQLite and PostgreSQL store the same thing."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# C0/C1 controls except tab and newline; PostgreSQL refuses NUL, the rest is noise.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BLANKS = re.compile(r"[ \t]+")

# The longest typed message Styra reads (a long need description fits; a pasted document not).
MAX_MESSAGE_CHARS = 4000
# Names Teams sends (people, channels, teams) are cut to what the database columns hold.
MAX_NAME_CHARS = 200


def clean(value: str, *, multiline: bool = False) -> str:
    """NFC-normalised text without control characters, trimmed."""
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    if not multiline:
        text = _BLANKS.sub(" ", text.replace("\n", " "))
    return text.strip()


def scrub(value: str) -> str:
    """NFC and no control characters, but otherwise untouched (line breaks and spaces stay)."""
    if value.isascii() and value.isprintable():  # most ids, keys and commands: nothing to change
        return value
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return _CONTROL.sub("", text)


def scrub_json(document: Any) -> Any:
    """Every string (keys too) of a parsed JSON document scrubbed, without recursion.

    Run by the door on every inbound activity, so text prompts, card inputs and names all reach
    the bot, and both databases, in the same form."""
    def fix(item: Any) -> Any:
        if isinstance(item, str):
            return scrub(item)
        if isinstance(item, dict):
            return {}
        if isinstance(item, list):
            return []
        return item

    root = fix(document)
    stack = [(document, root)] if isinstance(document, (dict, list)) else []
    while stack:
        source, target = stack.pop()
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for key, child in items:
            copy = fix(child)
            if isinstance(target, dict):
                target[scrub(key)] = copy
            else:
                target.append(copy)
            if isinstance(child, (dict, list)):
                stack.append((child, copy))
    return root


def fold(value: str) -> str:
    """Case- and space-folded text for matching commands and names ('Språk  Engelska' -> 'språk engelska')."""
    return " ".join(clean(value).casefold().split())
