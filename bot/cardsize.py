"""The last check before a card leaves: it fits Teams' size limit, or it is not sent.

Cards are shortened where they are built (cards/fit.py); this runs where they are sent (a
reply, an invoke's answer, an outbox row) and words the "shortened" note in the reader's
language. A card that cannot be made to fit is replaced by a short one and logged: a use case
never fails, and no record is left waiting, because a card was too large.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.logs import safe
from cards.common import MAX_CARD_BYTES
from cards.fit import CardTooLarge, note, shorten, size_of

log = logging.getLogger("styra.cards")


class Fitted(dict):
    """A card already checked by `fitted` and never changed after: a card built once and sent many
    times (the help card) is not measured again on every send."""


def fitted(card: dict[str, Any], t=None) -> dict[str, Any]:
    if isinstance(card, Fitted):
        return card
    try:
        out = shorten(card, MAX_CARD_BYTES)
    except CardTooLarge as exc:
        log.warning("card replaced before sending: %s", safe(exc))
        if t is not None:
            text = t("I cannot show this here: it is too large for Teams. Nothing was lost.")
        else:
            text = str(card.get("fallbackText") or "…")[:1000]
        return {"type": "AdaptiveCard", "version": "1.5", "fallbackText": text,
                "body": [{"type": "TextBlock", "text": text, "wrap": True}]}
    if t is not None:
        out = note(out, t("Some long texts are shortened to fit in Teams; the full text is kept in Styra."))
    if out is not card:
        log.info("card shortened from %d to %d bytes", size_of(card), size_of(out))
    return out
