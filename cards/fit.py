"""Keeping a card under Teams' size limit: the longest texts are shortened, never an input.

A card that would be too large (Teams refuses a message near 28-40 KB) loses the end of its
longest texts, each cut marked "…", and gets a note (SHORTENED_ID) that the sender words in the
reader's language when it can (`fit(card, note=...)`). Only when the inputs alone are too large
does it give up (CardTooLarge): a form must never lose what was typed.
"""

from __future__ import annotations

import copy
import json
from typing import Any

SHORTENED_ID = "styra-shortened"
NOTE_ROOM = 600  # bytes kept free for the note in the reader's language
MIN_CHARS = 80  # a text is never cut below this


class CardTooLarge(ValueError):
    pass


def size_of(card: dict[str, Any]) -> int:
    return len(json.dumps(card, ensure_ascii=False).encode())


def fits(card: dict[str, Any], limit: int) -> bool:
    """Whether the card's UTF-8 JSON is at most `limit` bytes. The ASCII-escaped JSON is never
    shorter (\\uXXXX is 6 bytes, UTF-8 at most 4) and cheaper to make, so it answers first."""
    return len(json.dumps(card)) <= limit or size_of(card) <= limit


def _texts(node: Any):
    """(holder, key) of every shown text that may be shortened: TextBlocks, facts, fallbacks."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, dict):
            continue
        if str(item.get("type", "")).startswith("Input."):
            continue  # what a person typed is never cut
        if item.get("type") == "TextBlock" and isinstance(item.get("text"), str):
            yield item, "text"
        if item.get("type") == "TextRun" and isinstance(item.get("text"), str):
            yield item, "text"
        if isinstance(item.get("value"), str) and "title" in item and "type" not in item:
            yield item, "value"  # a fact
        if isinstance(item.get("fallbackText"), str):
            yield item, "fallbackText"
        stack.extend(v for k, v in item.items() if k != "refresh" and isinstance(v, (dict, list)))


def _cut(text: str, chars: int) -> str:
    return text[:chars].rstrip().rstrip("\\") + " …"


def shorten(card: dict[str, Any], limit: int) -> dict[str, Any]:
    """The card itself when it fits; else a copy with its longest texts cut and a note."""
    if fits(card, limit):
        return card
    out = copy.deepcopy(card)
    out.setdefault("body", []).append({"type": "TextBlock", "id": SHORTENED_ID, "text": "…", "wrap": True,
                                       "isSubtle": True, "size": "Small"})
    target = limit - NOTE_ROOM
    size = size_of(out)
    while size > target:
        holder, key = max(_texts(out), key=lambda found: len(found[0][found[1]]), default=(None, None))
        if holder is None or len(holder[key]) <= MIN_CHARS:
            raise CardTooLarge(f"card is {size} bytes, over {limit}, and its inputs alone are too large")
        text = holder[key]
        cut = _cut(text, max(MIN_CHARS, len(text) - (size - target)))
        if len(cut) >= len(text):  # already as short as it gets: cutting again would loop forever
            raise CardTooLarge(f"card is {size} bytes, over {limit}, and its texts are as short as they get")
        holder[key] = cut
        size = size_of(out)
    return out


def note(card: dict[str, Any], text: str) -> dict[str, Any]:
    """A shortened card with its note worded (the reader's language is known to the sender);
    any other card unchanged."""
    body = card.get("body") or []
    at = [i for i, block in enumerate(body) if isinstance(block, dict) and block.get("id") == SHORTENED_ID]
    if not at:
        return card
    out = dict(card)
    out["body"] = [dict(block, text=text) if i in at else block for i, block in enumerate(body)]
    return out
