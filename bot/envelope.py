"""A card click's envelope, checked before any handler runs.

An Action.Execute invoke carries `value.action` (an object) with a `verb` and `data` (an
object); an Action.Submit is a message whose `value` is the data. The data must name a known
verb and fit its model (bot/actions.py bounds every id); each form input must fit the length the
card allows (INPUTS, checked against the cards by tests/cards/test_input_limits.py); anything
else a card carries is a short token. What fails is answered briefly, never by a handler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.actions import CardAction, InvalidAction

CARD_ACTION_INVOKE = "adaptiveCard/action"
MAX_VERB_CHARS = 64
MAX_TOKEN_CHARS = 200  # ids, form ids, slugs and topics a card puts on its buttons
MAX_INPUT_CHARS = 10_000  # any other input: no Styra card lets one type more

# The text inputs each verb reads, with the most the card lets a person type (maxLength).
INPUTS: dict[str, dict[str, int]] = {
    "need.submit": {"title": 200, "description": 3000, "on_behalf_of": 200, "benefit": 1000},
    "need.update": {"title": 200, "description": 3000, "on_behalf_of": 200, "benefit": 1000},
    "assess.review": {"business_goals": 2000, "reason": 2000},
    "assess.confirm": {"business_goals": 2000, "reason": 2000},
    "basis.submit": {"business_goals": 3000, "risk": 3000, "resources": 3000, "dependencies": 3000,
                     "proposal": 3000},
    "anchor.agree": {"comment": 2000},
    "anchor.comment": {"comment": 2000},
    **{verb: {"comment": 1000, "registry_number": 60}
       for verb in ("decision.approve", "decision.reject", "decision.defer", "decision.send_back",
                    "decision.escalate")},
    "reminder.na": {"reason": 500},
    # commissions and status reports (their forms check most of their own inputs, see SELF_CHECKED)
    "commission.answer": {"comment": 1000},
    "commission.register": {"registry_number": 60},
    "commission.purpose": {"title": 200, "need": 1000},
    **{verb: {"title": 200, "purpose": 800, "background": 1500, "goals": 1000, "expected_result": 1000,
              "reference_groups": 400, "reporting": 400}
       for verb in ("commission.document", "commission.step", "commission.submit")},
    "commission.report": {name: 1500 for name in (
        "background", "result_goal", "result_business", "budget_outcome", "future_internal", "future_external",
        "handover", "evaluation", "experiences", "attachments")},
    "report.review": {"comment": 1000},
}
# Forms that answer an over-long input themselves, with the form shown again and the text kept.
SELF_CHECKED = frozenset({"need.submit", "need.update", "commission.purpose", "commission.organisation", "commission.document",
                          "commission.step", "commission.submit", "commission.report", "report.save",
                          "report.submit", "report.review"})


@dataclass(frozen=True)
class Click:
    """A card click that passed the envelope: its action model and the raw data."""

    action: CardAction
    data: dict[str, Any]


@dataclass(frozen=True)
class Malformed:
    reason: str  # for the log only, never shown


@dataclass(frozen=True)
class TooLong:
    verb: str
    field: str
    length: int
    limit: int


def invoke_data(activity) -> dict[str, Any] | Malformed:
    """The data of an Action.Execute, or why it cannot be read."""
    value = activity.value
    if not isinstance(value, dict):
        return Malformed("invoke value is not an object")
    action = value.get("action")
    if not isinstance(action, dict):
        return Malformed("invoke value.action is not an object")
    raw = action.get("data", {})
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        return Malformed("invoke action.data is not an object")
    data = dict(raw)
    if "verb" not in data:
        data["verb"] = action.get("verb")
    return data


def _strings(value: Any, limit: int = 2000):
    """Every string inside a value (lists and objects too), at most `limit` of them."""
    stack = [value]
    while stack and limit > 0:
        node = stack.pop()
        if isinstance(node, str):
            limit -= 1
            yield node
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def check(data: dict[str, Any], registry) -> Click | Malformed | TooLong:
    """The click's action, or what is wrong with it."""
    verb = data.get("verb")
    if not isinstance(verb, str) or not verb or len(verb) > MAX_VERB_CHARS:
        return Malformed("card data without a readable verb")
    model = registry.model_of(verb)
    if model is None:
        return Malformed(f"unknown verb {verb!r}")
    inputs = INPUTS.get(verb, {})
    for key, value in data.items():
        if key == "verb":
            continue
        if key in inputs:
            if isinstance(value, str) and len(value) > inputs[key] and verb not in SELF_CHECKED:
                return TooLong(verb, key, len(value), inputs[key])
            continue
        if key in model.model_fields:
            too_long = [s for s in _strings(value) if len(s) > MAX_TOKEN_CHARS]
            if too_long:
                return Malformed(f"{verb}: {key} is longer than {MAX_TOKEN_CHARS} characters")
            continue
        if verb in SELF_CHECKED:
            continue
        for text in _strings(value):
            if len(text) > MAX_INPUT_CHARS:
                return TooLong(verb, key, len(text), MAX_INPUT_CHARS)
    try:
        return Click(registry.parse(data), data)
    except InvalidAction as exc:
        return Malformed(str(exc))
