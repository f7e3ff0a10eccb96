"""Shared pieces of the door tests: start Styra with chosen settings, count what is stored."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from aiohttp.test_utils import TestClient, TestServer

from tests.support.botkit import BotHarness
from tests.support.connector import FakeConnector
from tests.support.keyserver import APP_ID, KeyServer

TEAMS_URL = "https://smba.trafficmanager.net/emea/"
STORED_TABLES = ("processed_activity", "person", "conversation_ref", "bot_state")


def settings_for(db_url: str, **env: Any):
    from bot.config import Settings

    values = {"STYRA_ENV": "development", "DATABASE_URL": db_url, "STYRA_DEMO": "1",
              "STYRA_SCHEDULER": "0", "MicrosoftAppId": ""}
    values.update({k: str(v) for k, v in env.items()})
    return Settings(_env_file=None, **values)


def auth_env(ks: KeyServer, **env: Any) -> dict[str, Any]:
    """Development with inbound authentication on, keys from the local key server."""
    values = {"MicrosoftAppId": APP_ID, "MicrosoftAppPassword": "test-secret",
              "MicrosoftAppTenantId": "11111111-2222-3333-4444-555555555555",
              "STYRA_OPENID_METADATA_URL": ks.metadata_url, "STYRA_KEY_FETCH_TIMEOUT": "1"}
    values.update(env)
    return values


def production_env(ks: KeyServer, **env: Any) -> dict[str, Any]:
    from tests.support.botkit import TENANT

    values = auth_env(ks, STYRA_ENV="production", MicrosoftAppTenantId=TENANT, STYRA_DEMO="0")
    values.update(env)
    return values


async def start(db_url: str, connector: FakeConnector, *, pacer_clock=None, **env: Any) -> BotHarness:
    """BotHarness over the real route, with any settings and an injectable pacer clock."""
    from app import build_app

    app = build_app(settings_for(db_url, **env), pacer_clock=pacer_clock)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return BotHarness(client, connector, app)


async def counts(bot: BotHarness) -> dict[str, int]:
    def work(session) -> dict[str, int]:
        return {t: session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in STORED_TABLES}

    return await bot.query(work)


async def post_raw(bot: BotHarness, data: Any, *, content_type: str | None = "application/json",
                   headers: dict[str, str] | None = None):
    hdrs = dict(headers or {})
    if content_type is not None:
        hdrs["Content-Type"] = content_type
    if isinstance(data, (dict, list)):
        data = json.dumps(data)
    if content_type is None:
        # aiohttp would add text/plain or application/octet-stream on its own; send none at all.
        from aiohttp import hdrs as names

        return await bot.client.post("/api/messages", data=data, headers=hdrs,
                                     skip_auto_headers=[names.CONTENT_TYPE])
    return await bot.client.post("/api/messages", data=data, headers=hdrs)
