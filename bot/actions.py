"""Card actions: a verb plus ids, validated at the boundary.

Every button on every card carries `{"verb": ..., <ids>}`. Each verb is a small pydantic model
registered on its capability (bot.registry); the dispatcher turns raw card data into that model
or refuses it. What a card claims is never trusted for authorisation: handlers look the user's
roles up in the database.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator

# Ids are 32-bit on PostgreSQL: a larger number names no record and must never reach a query.
MAX_ID = 2**31 - 1


class InvalidAction(ValueError):
    """Card data that no handler accepts (unknown verb, missing or malformed ids)."""


class CardAction(BaseModel):
    # Inputs of an Action.Submit form arrive merged into the data; forms validate those themselves.
    model_config = ConfigDict(extra="ignore", frozen=True)
    verb: ClassVar[str]
    # A personal action clicked (Action.Submit) in a channel is answered in the user's 1:1 chat:
    # its form or details are one person's business, and a channel conversation is shared.
    personal: ClassVar[bool] = False

    @model_validator(mode="after")
    def _bounded(self):
        """Every number within what storage holds (ids from 1); strings are bounded by bot/envelope.py."""
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, int) and not isinstance(value, bool):
                low = 1 if name.endswith("_id") else 0
                if not low <= value <= MAX_ID:
                    raise ValueError(f"{name} is out of range")
        return self

    def data(self) -> dict[str, Any]:
        """The JSON a card puts on the button."""
        return {"verb": self.verb, **self.model_dump(mode="json")}
