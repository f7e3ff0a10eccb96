"""The chat's way into the portfolio tab: an "Open the portfolio view" button on a card."""

from __future__ import annotations

from typing import Any

from bot.i18n import Translator


def with_view_button(t: Translator, card: dict[str, Any], url: str) -> dict[str, Any]:
    """A copy of the card with the button added last to its actions. The URL holds a link that
    names the reader, so it is only ever put on a card in the reader's own 1:1 chat."""
    button = {"type": "Action.OpenUrl", "title": t("Open the portfolio view"), "url": url}
    return {**card, "actions": [*card.get("actions", []), button]}
