"""The commissions capability (DOMAIN.md §4): its `Capability`, and the small answers every part
of it shares. The parts register their commands and verbs on `cap`; app.py lists it."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from bot.registry import Capability
from bot.turn import Turn
from cards.system import error_card

cap = Capability("commissions")

log = logging.getLogger("styra.commissions")

# The pending question while a guided form is open: `avbryt` then keeps the draft (see flow.py).
FLOW_QUESTION = "commission.draft"
FORM_ID_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyz-")
NOT_FOUND = "I cannot find that commission, or it is not one you may see. Write **commissions** to see yours."


def new_form_id() -> str:
    return secrets.token_hex(12)


def valid_form_id(value: Any) -> str | None:
    if isinstance(value, str) and 8 <= len(value) <= 64 and set(value) <= FORM_ID_CHARS:
        return value
    return None


def submitted(turn: Turn) -> dict[str, Any]:
    """The inputs of the form whose button was pressed (Action.Submit or Action.Execute)."""
    value = turn.activity.value
    if turn.is_invoke and isinstance(value, dict):
        value = (value.get("action") or {}).get("data") or {}
    return dict(value) if isinstance(value, dict) else {}


async def show(turn: Turn, content: dict, *, new_message: bool = False):
    """Answer a click: the card in place for Action.Execute, else replace the clicked card
    (a form moves on where it stands), else a new message."""
    if turn.is_invoke:
        return content
    reply_to = getattr(turn.activity, "reply_to_id", None)
    if reply_to and not new_message and turn.activity.value is not None:
        try:
            await turn.replace_card(reply_to, content)
            return None
        except Exception as exc:  # an old or foreign message cannot be edited: send a new one
            log.info("could not update card %s in place: %s", reply_to, exc)
    await turn.send_card(content)
    return None


async def answer_text(turn: Turn, text: str):
    if turn.is_invoke:
        return error_card(turn.t, text)
    await turn.say(text)
    return None
