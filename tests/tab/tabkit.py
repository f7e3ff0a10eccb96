"""The portfolio tab under test: Styra's app on a test server with a fixed clock, the demo
organisation and `portfolio_seed.scenario`, and signed links for any person."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from bot import tab_link
from tests.support.botkit import ADELE, ISAIAH, PATTI, STRANGER
from tests.support.portfolio_seed import COORDINATOR_ONLY, scenario

NOW = dt.datetime(2026, 6, 20, 10, 0, tzinfo=dt.UTC)  # June: the Q2 reports are due
SECRET = "s" * 40
CORA = COORDINATOR_ONLY[0]
PEOPLE = {"patti": PATTI.aad_id, "adele": ADELE.aad_id, "isaiah": ISAIAH.aad_id, "cora": CORA,
          "stranger": STRANGER.aad_id}


class Clock:
    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class Tab:
    client: TestClient
    app: Any
    clock: Clock
    areas: dict[str, int]
    key: bytes

    def link(self, who: str, *, ttl: float = 900, now: dt.datetime | None = None) -> str:
        aad_id = PEOPLE.get(who, who)
        return tab_link.mint(self.key, aad_id, (now or self.clock.now).timestamp(), ttl)

    async def get(self, path: str, who: str | None = None, **params: str):
        query = dict(params)
        if who is not None:
            query["s"] = self.link(who)
        return await self.client.get(path, params=query, allow_redirects=False)

    async def page(self, path: str, who: str | None = None, **params: str) -> tuple[int, str]:
        response = await self.get(path, who, **params)
        return response.status, await response.text()

    async def close(self) -> None:
        await self.client.close()


async def start(db_url: str, **env: str) -> Tab:
    from app import SERVICES, build_app
    from bot.config import Settings

    values = {"STYRA_ENV": "development", "DATABASE_URL": db_url, "STYRA_DEMO": "1", "STYRA_SCHEDULER": "0",
              "MicrosoftAppId": "", "STYRA_TAB_SECRET": SECRET}
    values.update(env)
    clock = Clock()
    app = build_app(Settings(_env_file=None, **values), clock=clock)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    services = app[SERVICES]
    areas = await services.db.run(scenario, NOW)
    return Tab(client, app, clock, areas, SECRET.encode())


def text_of(html: str) -> str:
    """The page's visible words, tags dropped, whitespace folded (for 'sees' assertions)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
