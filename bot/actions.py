"""Card actions: a verb plus ids, validated at the boundary.

Every button on every card carries `{"verb": ..., <ids>}`. Each verb is a small pydantic model
registered here; the handler turns raw card data into that model or refuses it. What a card
claims is never trusted for authorisation: handlers look the user's roles up in the database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

_ACTIONS: dict[str, type[CardAction]] = {}
_HANDLERS: dict[str, Callable[..., Awaitable[Any]]] = {}


class InvalidAction(ValueError):
    """Card data that no handler accepts (unknown verb, missing or malformed ids)."""


class CardAction(BaseModel):
    # Inputs of an Action.Submit form arrive merged into the data; forms validate those themselves.
    model_config = ConfigDict(extra="ignore", frozen=True)
    verb: ClassVar[str]
    # A personal action clicked (Action.Submit) in a channel is answered in the user's 1:1 chat:
    # its form or details are one person's business, and a channel conversation is shared.
    personal: ClassVar[bool] = False

    def data(self) -> dict[str, Any]:
        """The JSON a card puts on the button."""
        return {"verb": self.verb, **self.model_dump(mode="json")}


def action(verb: str, *, personal: bool = False):
    """Class decorator: register a CardAction under its verb."""

    def register(cls: type[CardAction]) -> type[CardAction]:
        if verb in _ACTIONS:
            raise ValueError(f"verb {verb!r} registered twice")
        cls.verb = verb
        cls.personal = personal
        _ACTIONS[verb] = cls
        return cls

    return register


def handles(cls: type[CardAction]):
    """Function decorator: the coroutine that answers this action, `async fn(turn, action)`."""

    def register(fn):
        _HANDLERS[cls.verb] = fn
        return fn

    return register


def parse(data: object) -> CardAction:
    if not isinstance(data, dict) or not isinstance(data.get("verb"), str):
        raise InvalidAction("card data without a verb")
    cls = _ACTIONS.get(data["verb"])
    if cls is None:
        raise InvalidAction(f"unknown verb {data['verb']!r}")
    try:
        return cls.model_validate({k: v for k, v in data.items() if k != "verb"})
    except ValidationError as exc:
        raise InvalidAction(f"bad data for {cls.verb}: {exc.errors()[0]['msg']}") from exc


def handler_for(act: CardAction) -> Callable[..., Awaitable[Any]] | None:
    return _HANDLERS.get(act.verb)


def known_verbs() -> frozenset[str]:
    """Verbs that have both a model and a handler (cards may only use these)."""
    return frozenset(v for v in _ACTIONS if v in _HANDLERS)
