"""Every guided flow, by stable id. Persisted dialog state refers to these ids: never rename one."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from botbuilder.dialogs import Dialog

# One module per guided flow; each calls `register` at import.
DIALOG_MODULES = ("dialogs.language",)

_FACTORIES: list[Callable[..., Dialog]] = []


def register(factory: Callable[..., Dialog]) -> Callable[..., Dialog]:
    _FACTORIES.append(factory)
    return factory


def build(services) -> list[Dialog]:
    for name in DIALOG_MODULES:
        importlib.import_module(name)
    return [factory(services) for factory in _FACTORIES]
