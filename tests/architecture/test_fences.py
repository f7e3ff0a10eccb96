"""The fences between rooms are ruff's banned imports (TID251), one ruff.toml per room. These tests
show that each fence refuses a wrong import, and that the allow-list of today's crossings (the
per-file-ignores in pyproject.toml) is exact, so it can only shrink."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from collections import defaultdict

import pytest

from tests.architecture.graph import ROOT

RUFF = [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "TID251", "--output-format", "json"]
ROOMS = ("bot", "bot/teams", "bot/rules", "cards", "dialogs", "storage")

# (where a new module would stand, imports it must be refused, imports it may make)
FENCES = [
    ("app_part.py", ["import sqlalchemy", "from sqlmodel import select", "from botbuilder.core import TurnContext",
                     "import botframework.connector"],
     ["from storage.db import Database", "from dialogs import decisions", "from bot.teams.door import Door"]),
    ("bot/engine_part.py", ["import sqlalchemy as sa", "from sqlmodel import Session", "from botbuilder.schema import Activity",
                            "from dialogs import help", "import dialogs.wheel", "from alembic import command"],
     ["from storage import org", "from cards.system import error_card", "from bot.teams.delivery import Outcome"]),
    ("bot/cli/subject.py", ["from sqlmodel import select", "from dialogs.help import change_role"],
     ["from storage import org"]),
    ("bot/teams/edge.py", ["from dialogs import help", "from sqlalchemy import select", "import sqlmodel"],
     ["from botbuilder.schema import Activity", "from botframework.connector.auth import ClaimsIdentity",
      "import aiohttp"]),
    ("bot/rules/rule.py", ["from storage.models import Need", "import sqlalchemy", "from sqlmodel import select",
                           "import aiohttp", "from botbuilder.core import TurnContext", "from dialogs import wheel",
                           "from bot.teams.delivery import Outcome", "import requests", "import asyncio",
                           "from cards.common import escape"],
     ["from bot.rules.calendar import STOCKHOLM", "import datetime"]),
    ("cards/card.py", ["from storage import org", "from storage.models import Need", "import sqlalchemy",
                       "from sqlmodel import select", "from aiohttp import web", "from botbuilder.schema import Attachment",
                       "from bot.teams import delivery", "from dialogs.needs import register", "import asyncio"],
     ["from bot.i18n import Translator", "from cards.common import escape", "from bot.rules.routing import Frame"]),
    ("cards/pages/page.py", ["from storage import portfolio", "from storage.models import EArea", "import sqlalchemy",
                             "from aiohttp import web", "import asyncio", "from dialogs.portfolio_tab import access",
                             "from bot.teams.tab_auth import TabAuth"],
     ["from jinja2 import Environment", "from markupsafe import Markup", "from cards.pages.views import Row",
      "from bot.i18n import Translator"]),
    ("dialogs/capability.py", ["from sqlalchemy.exc import IntegrityError", "from sqlmodel import select",
                               "from botbuilder.core import MessageFactory", "from botframework.connector import Channels"],
     ["from storage import needs", "from cards import needs", "from bot.turn import Turn"]),
    ("dialogs/needs/part.py", ["from sqlalchemy import func", "from botbuilder.dialogs import Dialog"],
     ["from storage.models import Need"]),
    ("storage/subject.py", ["from dialogs import decisions", "from botbuilder.core import Storage",
                            "import botframework.connector"],
     ["import sqlalchemy", "from sqlmodel import Session, select", "from bot.rules.routing import Frame"]),
]


def _ruff(*args: str, stdin: str | None = None) -> list[dict]:
    done = subprocess.run([*RUFF, *args], cwd=ROOT, input=stdin, capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout or "[]")


def _module(imports: list[str]) -> tuple[str, dict[str, int]]:
    """A module made of these imports, every other one inside a function, and each one's line."""
    top, inner = imports[::2], imports[1::2]
    source = "\n".join(top) + "\n\n\ndef late():\n" + "".join(f"    {line}\n" for line in inner) + "    return None\n"
    numbers = {line: n for n, line in enumerate(top, 1)}
    numbers.update({line: len(top) + 4 + n for n, line in enumerate(inner)})
    return source, numbers


@pytest.mark.parametrize("path,refused,allowed", FENCES, ids=[f[0] for f in FENCES])
def test_each_room_refuses_a_wrong_import_and_lets_the_right_ones_through(path, refused, allowed):
    """ruff reads the module from stdin as if it stood at `path`: same config, nothing written."""
    source, numbers = _module(refused + allowed)
    flagged = {d["location"]["row"] for d in _ruff("--stdin-filename", path, "-", stdin=source)}
    assert [line for line in refused if numbers[line] not in flagged] == [], f"{path} lets these through"
    assert [line for line in allowed if numbers[line] in flagged] == [], f"{path} refuses these"


def test_every_room_has_its_fence_and_leaves_the_allow_list_to_the_root():
    for room in ROOMS:
        config = tomllib.loads((ROOT / room / "ruff.toml").read_text(encoding="utf-8"))
        assert config["lint"]["flake8-tidy-imports"]["banned-api"], room
        assert (ROOT / room / config["extend"]).resolve() == ROOT / "pyproject.toml", room
        # a nested per-file-ignores would replace the root's allow-list for the whole room
        assert "per-file-ignores" not in config.get("lint", {}), room


def _allow_list() -> dict[str, set[str]]:
    """pyproject.toml's per-file-ignores: file -> the banned names its comment says it imports."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = text.split("[tool.ruff.lint.per-file-ignores]", 1)[1].split("\n[", 1)[0]
    listed = tomllib.loads(text)["tool"]["ruff"]["lint"]["per-file-ignores"]
    entries = {}
    for match in re.finditer(r'^"([^"]+)" = \["TID251"\]  # (.+)$', section, re.M):
        entries[match[1]] = {name.strip() for name in match[2].split(",")}
    assert set(entries) == set(listed), "every allow-list line reads: \"path\" = [\"TID251\"]  # name, name"
    return entries


def _crossings() -> dict[str, set[str]]:
    """What ruff would refuse across the product without the allow-list: file -> banned names."""
    found: dict[str, set[str]] = defaultdict(set)
    for d in _ruff("--config", "lint.per-file-ignores = {}", "."):
        name = re.match(r"`([^`]+)` is banned", d["message"])[1]
        found[d["filename"].removeprefix(str(ROOT) + "/")].add(name)
    return dict(found)


def test_the_allow_list_names_exactly_todays_crossings():
    """Being moved: a file that stops crossing a fence (or stops importing one of the names) leaves
    the allow-list in the same commit; a listed file may not start crossing another fence."""
    assert _crossings() == _allow_list()
