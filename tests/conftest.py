"""Shared fixtures: a migrated database per test (SQLite always, PostgreSQL when
TEST_DATABASE_URL is set), the fake connector and the bot harness."""

from __future__ import annotations

import os
import shutil
import uuid

import pytest
import sqlalchemy as sa

from storage.db import make_engine, normalise_url
from storage.migrate import upgrade

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgres"] if PG_URL else ["sqlite"]


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return str(path)


@pytest.fixture(scope="session")
def _pg_schema():
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    schema = f"styra_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.engine.make_url(normalise_url(PG_URL)).update_query_dict({"options": f"-csearch_path={schema}"})
    url_text = url.render_as_string(hide_password=False)
    upgrade(url_text)
    yield url_text
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _truncate_all(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        tables = [r[0] for r in conn.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"))]
        if tables:
            conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    engine.dispose()


def _sqlite_url(template: str, tmp_path) -> str:
    path = tmp_path / "styra.db"
    shutil.copy(template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def db_url(_sqlite_template, tmp_path) -> str:
    """A fresh, migrated SQLite database."""
    return _sqlite_url(_sqlite_template, tmp_path)


@pytest.fixture(params=BACKENDS)
def any_db_url(request, _sqlite_template, tmp_path):
    """A fresh, migrated database on every backend available (SQLite; PostgreSQL when configured)."""
    if request.param == "sqlite":
        yield _sqlite_url(_sqlite_template, tmp_path)
        return
    url = request.getfixturevalue("_pg_schema")
    _truncate_all(url)
    yield url
    _truncate_all(url)


@pytest.fixture
def db(db_url):
    from storage.db import Database

    database = Database.from_url(db_url)
    yield database
    database.dispose()


@pytest.fixture
def any_db(any_db_url):
    from storage.db import Database

    database = Database.from_url(any_db_url)
    yield database
    database.dispose()


@pytest.fixture
async def connector():
    from tests.support.connector import FakeConnector

    fake = await FakeConnector().start()
    yield fake
    await fake.close()


def _settings(request) -> dict[str, str]:
    """Settings a test module asks for with `pytestmark = pytest.mark.settings(NAME="value")`."""
    marker = request.node.get_closest_marker("settings")
    return dict(marker.kwargs) if marker else {}


@pytest.fixture
async def bot(request, db_url, connector):
    from tests.support.botkit import BotHarness

    harness = await BotHarness.start(db_url, connector=connector, **_settings(request))
    yield harness
    await harness.close(connector_too=False)


@pytest.fixture
async def any_bot(request, any_db_url, connector):
    from tests.support.botkit import BotHarness

    harness = await BotHarness.start(any_db_url, connector=connector, **_settings(request))
    yield harness
    await harness.close(connector_too=False)


@pytest.fixture(autouse=True)
async def _close_loose_services():
    """Close the HTTP sessions of Services a test built without starting the app."""
    yield
    from tests.scenarios.wheel_kit import OPEN_SERVICES

    while OPEN_SERVICES:
        await OPEN_SERVICES.pop().close_http()
