"""Drive Styra the way Teams does: real activities over HTTP, replies read from a fake connector.

    bot = await BotHarness.start(db_url)
    replies = await bot.say("hjälp")            # a 1:1 message from the default user
    replies = await bot.click({"verb": ...})     # an Action.Submit button
    response = await bot.invoke({"verb": ...})   # an Action.Execute (adaptiveCard/action)
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from tests.support.connector import FakeConnector, Sent

TENANT = "11111111-2222-3333-4444-555555555555"
BOT_ID = "28:styra-bot"
TEAM_ID = "19:team-general@thread.tacv2"
CHANNEL_ID = "19:steering@thread.tacv2"


@dataclass(frozen=True)
class User:
    aad_id: str
    name: str
    teams_id: str
    locale: str = "sv-SE"

    @property
    def personal_conversation(self) -> str:
        return f"a:personal-{self.teams_id}"


ALEX = User("00000000-0000-0000-0000-0000000000020", "Alex Wilber", "user-id-0")
MEGAN = User("00000000-0000-0000-0000-0000000000021", "Megan Bowen", "user-id-1")
ADELE = User("00000000-0000-0000-0000-0000000000022", "Adele Vance", "user-id-2")
ISAIAH = User("00000000-0000-0000-0000-0000000000023", "Isaiah Langer", "user-id-3")
PATTI = User("00000000-0000-0000-0000-0000000000024", "Patti Fernandez", "user-id-4")
STRANGER = User("99999999-0000-0000-0000-000000000099", "Sam Stranger", "user-id-99", "en-US")


class BotHarness:
    def __init__(self, client: TestClient, connector: FakeConnector, app) -> None:
        self.client = client
        self.connector = connector
        self.app = app
        self._ids = itertools.count(1)

    @classmethod
    async def start(cls, db_url: str, *, connector: FakeConnector | None = None, **env: Any) -> BotHarness:
        from app import build_app
        from bot.config import Settings

        connector = connector or await FakeConnector().start()
        values = {"STYRA_ENV": "development", "DATABASE_URL": db_url, "STYRA_DEMO": "1",
                  "STYRA_SCHEDULER": "0", "MicrosoftAppId": ""}
        values.update({k: str(v) for k, v in env.items()})
        settings = Settings(_env_file=None, **values)
        app = build_app(settings, **{k: v for k, v in env.items() if k in ()})
        client = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        return cls(client, connector, app)

    async def close(self, *, connector_too: bool = True) -> None:
        await self.client.close()
        if connector_too:
            await self.connector.close()

    @property
    def services(self):
        from app import SERVICES

        return self.app[SERVICES]

    # --- activities -----------------------------------------------------------------------

    def activity(self, user: User = ALEX, *, kind: str = "personal", text: str | None = None,
                 value: Any = None, type_: str = "message", activity_id: str | None = None,
                 locale: str | None = None, **extra: Any) -> dict[str, Any]:
        activity_id = activity_id or f"in-{next(self._ids)}-{uuid.uuid4().hex[:6]}"
        body: dict[str, Any] = {
            "type": type_,
            "id": activity_id,
            "channelId": "msteams",
            "serviceUrl": self.connector.url,
            "timestamp": "2026-11-21T10:00:00.000Z",
            "locale": locale or user.locale,
            "from": {"id": user.teams_id, "name": user.name, "aadObjectId": user.aad_id},
            "recipient": {"id": BOT_ID, "name": "Styra"},
            "channelData": {"tenant": {"id": TENANT}},
        }
        if kind == "personal":
            body["conversation"] = {"id": user.personal_conversation, "conversationType": "personal",
                                    "tenantId": TENANT}
        else:
            body["conversation"] = {"id": f"{CHANNEL_ID};messageid={activity_id}", "conversationType": "channel",
                                    "isGroup": True, "tenantId": TENANT}
            body["channelData"].update({"team": {"id": TEAM_ID, "name": "Styrgrupp"},
                                        "channel": {"id": CHANNEL_ID, "name": "Styrgrupp Utbildning"}})
            if text is not None:
                text = f"<at>Styra</at> {text}"
                body["entities"] = [{"type": "mention", "text": "<at>Styra</at>",
                                     "mentioned": {"id": BOT_ID, "name": "Styra"}}]
        if text is not None:
            body["text"] = text
        if value is not None:
            body["value"] = value
        body.update(extra)
        return body

    async def post(self, body: Any, *, headers: dict[str, str] | None = None, raw: bytes | None = None):
        hdrs = {"Content-Type": "application/json"}
        hdrs.update(headers or {})
        if raw is not None:
            return await self.client.post("/api/messages", data=raw, headers=hdrs)
        import json

        return await self.client.post("/api/messages", data=json.dumps(body), headers=hdrs)

    async def send(self, body: dict[str, Any]) -> list[Sent]:
        before = len(self.connector.sent)
        response = await self.post(body)
        assert response.status in (200, 201, 202), (response.status, await response.text())
        return self.connector.sent[before:]

    async def say(self, text: str, user: User = ALEX, **kw: Any) -> list[Sent]:
        return await self.send(self.activity(user, text=text, **kw))

    async def click(self, data: dict[str, Any], user: User = ALEX, **kw: Any) -> list[Sent]:
        """An Action.Submit button: a message whose value is the button's data plus the inputs."""
        return await self.send(self.activity(user, value=data, **kw))

    async def invoke(self, data: dict[str, Any], user: User = ALEX, *, kind: str = "channel",
                     verb: str | None = None, **kw: Any) -> tuple[int, dict[str, Any]]:
        """An Action.Execute button (adaptiveCard/action); returns (status, JSON body)."""
        value = {"action": {"type": "Action.Execute", "verb": verb or data.get("verb"), "data": data},
                 "trigger": "manual"}
        body = self.activity(user, kind=kind, type_="invoke", value=value, name="adaptiveCard/action", **kw)
        response = await self.post(body)
        return response.status, (await response.json() if response.content_type == "application/json" else {})

    async def install_personal(self, user: User = ALEX) -> list[Sent]:
        body = self.activity(user, type_="conversationUpdate",
                             membersAdded=[{"id": BOT_ID}, {"id": user.teams_id}])
        return await self.send(body)

    async def install_in_team(self, user: User = ALEX) -> list[Sent]:
        self.connector.channels[TEAM_ID] = [{"id": TEAM_ID, "name": None},
                                            {"id": CHANNEL_ID, "name": "Styrgrupp Utbildning"}]
        body = self.activity(user, kind="channel", type_="conversationUpdate", membersAdded=[{"id": BOT_ID}])
        body["conversation"]["id"] = TEAM_ID
        body["channelData"]["channel"] = {"id": TEAM_ID}
        body["channelData"]["eventType"] = "teamMemberAdded"
        return await self.send(body)

    # --- database -------------------------------------------------------------------------

    async def query(self, work, *args):
        return await self.services.db.run(work, *args)
