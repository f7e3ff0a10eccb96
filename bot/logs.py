"""Log lines that a caller cannot forge or flood.

Whatever comes from outside (ids, names, texts, reasons quoting them) is cut to LIMIT characters
and escaped like repr() does (a newline becomes the two characters \\n), so one request is one
line of bounded length. `install()` applies this to every argument of every `styra.*` log line;
`safe()` is for building a message by hand.
"""

from __future__ import annotations

import logging
from typing import Any

LIMIT = 200
_PLAIN = (int, float, bool, type(None))


def safe(value: Any, limit: int = LIMIT) -> str:
    """At most `limit` characters of the value's text, control characters escaped."""
    text = value if isinstance(value, str) else str(value)
    rest = len(text) - limit
    escaped = repr(text[:limit])[1:-1]
    return f"{escaped}…(+{rest})" if rest > 0 else escaped


def _safe_arg(value: Any) -> Any:
    return value if isinstance(value, _PLAIN) else safe(value)


def install() -> None:
    """Make every `styra.*` log record carry safe arguments (idempotent, process-wide)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "styra_safe", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if record.name == "styra" or record.name.startswith("styra."):
            if isinstance(record.args, tuple):
                record.args = tuple(_safe_arg(arg) for arg in record.args)
            elif isinstance(record.args, dict):
                record.args = {key: _safe_arg(arg) for key, arg in record.args.items()}
            if not isinstance(record.msg, str):
                record.msg = safe(record.msg)
        return record

    factory.styra_safe = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
