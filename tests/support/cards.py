"""Reading an Adaptive Card in tests, one way for every test: its elements, buttons, verbs, inputs
and readable texts, in reading order, and what Teams sends when a button is pressed.

    for node in nodes(card): ...              # every element, action and input (dicts)
    verbs(card) == ["need.submit"]            # the verb of each button a person can press
    inputs(card)["title"]["value"]            # the inputs by id
    press(card, "Skicka", title="Bokning")    # the data Teams sends for that button
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

BUTTONS = ("Action.Submit", "Action.Execute")  # the actions that reach the bot
READABLE = ("text", "title", "value", "label", "placeholder", "errorMessage", "fallbackText")


def nodes(card: Any, *, refresh: bool = True) -> Iterator[dict]:
    """Every dict in the card (the card itself, elements, actions, inputs, choices), depth first in
    reading order. refresh=False leaves out the card's refresh action (Teams runs it itself; no
    person can press it)."""
    if isinstance(card, dict):
        yield card
        for key, value in card.items():
            if refresh or key != "refresh":
                yield from nodes(value, refresh=refresh)
    elif isinstance(card, list):
        for item in card:
            yield from nodes(item, refresh=refresh)


def buttons(card: Any, *, refresh: bool = False) -> list[dict]:
    """Every Action.Submit and Action.Execute a person can press, wherever it stands (actions,
    ActionSets, ShowCards); refresh=True adds the refresh action, which Teams runs by itself."""
    return [node for node in nodes(card, refresh=refresh) if node.get("type") in BUTTONS]


def verb_of(button: dict) -> str | None:
    return button.get("verb") or (button.get("data") or {}).get("verb")


def verbs(card: Any, *, refresh: bool = False) -> list[str]:
    """The verb of every button, in reading order (refresh=True: the refresh action's too)."""
    return [verb_of(b) for b in buttons(card, refresh=refresh)]


def button(card: Any, name: str) -> dict:
    """The one button with this verb or this title."""
    found = [b for b in buttons(card) if name in (verb_of(b), b.get("title"))]
    assert len(found) == 1, f"{len(found)} buttons named {name!r}; the card has {_labels(card)}"
    return found[0]


def inputs(card: Any) -> dict[str, dict]:
    """Every input by its id."""
    return {node["id"]: node for node in nodes(card) if str(node.get("type", "")).startswith("Input.")}


def input_ids(card: Any) -> list[str]:
    """The ids of the inputs, in reading order."""
    return list(inputs(card))


def text(node: Any) -> str:
    """The card's readable strings, one a line, for `in` assertions."""
    return "\n".join(texts(node))


def texts(node: Any) -> list[str]:
    """Every string a person can read in the card: texts, titles, values, labels, placeholders,
    error messages, fallback texts."""
    out: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in READABLE and isinstance(value, str):
                out.append(value)
            elif isinstance(value, (dict, list)):
                out.extend(texts(value))
    elif isinstance(node, list):
        for item in node:
            out.extend(texts(item))
    return out


def press(card: dict, name: str, **typed: Any) -> dict:
    """What Teams sends for the button with this verb or title: every input's value (what the person
    typed, else what the card already held) with the button's data on top."""
    values = {input_id: as_sent(node.get("value")) for input_id, node in inputs(card).items()}
    values.update({key: str(value) for key, value in typed.items()})
    return {**values, **button(card, name)["data"]}


def as_sent(value: Any) -> str:
    """An input's value as the Teams client sends it: a string; numbers as JavaScript prints them."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _labels(card: Any) -> list[tuple[str | None, str | None]]:
    return [(b.get("title"), verb_of(b)) for b in buttons(card)]
