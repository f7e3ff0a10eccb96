"""Card snapshots: the card's JSON compared with a file under tests/cards/snapshots/.

A missing or different snapshot fails the test. Run with STYRA_UPDATE_SNAPSHOTS=1 to write the
files instead (then read the diff before committing it).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

SNAPSHOTS = Path(__file__).resolve().parents[1] / "cards" / "snapshots"
UPDATE = "STYRA_UPDATE_SNAPSHOTS"


def as_text(content: Any) -> str:
    """How a snapshot is stored: text as it is, JSON sorted and indented."""
    if isinstance(content, str):
        return content
    return json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def assert_snapshot(name: str, content: Any, *, directory: Path = SNAPSHOTS) -> None:
    """`content` (a card, or text such as SVG) equals the snapshot file `name` (with its suffix)."""
    path = directory / name
    text = as_text(content)
    if os.environ.get(UPDATE) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"no snapshot {path.name}: run with {UPDATE}=1 to write it, then review it")
    assert text == path.read_text(encoding="utf-8"), f"{path.name} changed (run with {UPDATE}=1 to accept)"
