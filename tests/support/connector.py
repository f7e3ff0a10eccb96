"""A fake Bot Framework connector (the Teams side of outbound calls) that records what the bot sends.

Serves the REST routes botbuilder's ConnectorClient calls. Tests read `.sent` (every activity
posted or updated, in order) and can script failures with `.fail_next(status, times, retry_after)`.
Like Teams it can be slow (`delay_s`: every post answers that late; `slow`: per conversation) and enforce Teams' rate
limits (`teams_limits=True`: per thread 7/1 s, 8/2 s, 60/30 s; 50/s for the app), answering 429
with Retry-After to a post that breaks one; `.throttled` counts those.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.support.cards import texts

# Teams' per-thread limits: (posts, window in seconds).
THREAD_LIMITS = ((7, 1.0), (8, 2.0), (60, 30.0))
APP_LIMIT = (50, 1.0)  # posts per second for the app


@dataclass
class Sent:
    method: str  # "POST" (new activity), "PUT" (update in place), "CREATE" (new conversation)
    conversation_id: str
    activity: dict[str, Any]
    activity_id: str

    @property
    def text(self) -> str:
        return self.activity.get("text") or ""

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [a["content"] for a in self.activity.get("attachments") or []
                if a.get("contentType") == "application/vnd.microsoft.card.adaptive"]

    @property
    def card(self) -> dict[str, Any]:
        return self.cards[0]

    def all_text(self) -> str:
        """Every human-readable string in the message and its cards, for assertions."""
        parts = [self.text]
        for card in self.cards:
            parts.extend(texts(card))
        return "\n".join(p for p in parts if p)


@dataclass
class FakeConnector:
    sent: list[Sent] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    authorizations: list[str | None] = field(default_factory=list)
    channels: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    _failures: list[tuple[int, float | None]] = field(default_factory=list)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    server: TestServer | None = None
    delay_s: float = 0.0
    slow: dict[str, float] = field(default_factory=dict)  # a delay for one conversation only
    teams_limits: bool = False
    # Teams is not exact to the millisecond either: windows this much shorter absorb the jitter
    # of a real network between a paced sender and this server.
    tolerance_s: float = 0.1
    throttled: int = 0
    _windows: dict[str, deque] = field(default_factory=dict)
    _app_window: deque = field(default_factory=lambda: deque(maxlen=50))
    arrivals: list[tuple[float, str]] = field(default_factory=list)  # (monotonic time, conversation)

    @property
    def url(self) -> str:
        return str(self.server.make_url("/")).rstrip("/") + "/"

    def fail_next(self, status: int, times: int = 1, retry_after: float | None = None) -> None:
        self._failures.extend([(status, retry_after)] * times)

    def clear(self) -> None:
        self.sent.clear()
        self.requests.clear()

    def _limited(self, conversation_id: str) -> web.Response | None:
        """Teams' windows: a post that would break one is refused with 429 and not counted."""
        now = time.monotonic()
        self.arrivals.append((now, conversation_id))
        if not self.teams_limits:
            return None
        times = self._windows.setdefault(conversation_id, deque(maxlen=60))
        checks = [(times, count, window) for count, window in THREAD_LIMITS]
        checks.append((self._app_window, *APP_LIMIT))
        wait = 0.0
        for seen, count, window in checks:
            if len(seen) >= count and seen[-count] > now - (window - self.tolerance_s):
                wait = max(wait, seen[-count] + window - now)
        if wait > 0:
            self.throttled += 1
            return web.json_response({"error": {"code": "Throttled", "message": "too many requests"}},
                                     status=429, headers={"Retry-After": f"{wait:.3f}"})
        times.append(now)
        self._app_window.append(now)
        return None

    async def _slow(self, conversation_id: str) -> None:
        delay = self.slow.get(conversation_id, self.delay_s)
        if delay:
            await asyncio.sleep(delay)

    def _maybe_fail(self) -> web.Response | None:
        if not self._failures:
            return None
        status, retry_after = self._failures.pop(0)
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        return web.json_response({"error": {"code": "Scripted", "message": "scripted failure"}},
                                 status=status, headers=headers)

    async def _post_activity(self, request: web.Request) -> web.Response:
        self.requests.append(("POST", request.path))
        self.authorizations.append(request.headers.get("Authorization"))
        failed = self._maybe_fail() or self._limited(request.match_info["conv"])
        if failed:
            return failed
        body = await request.json()
        await self._slow(request.match_info["conv"])
        activity_id = f"act-{next(self._ids)}"
        self.sent.append(Sent("POST", request.match_info["conv"], body, activity_id))
        return web.json_response({"id": activity_id})

    async def _put_activity(self, request: web.Request) -> web.Response:
        self.requests.append(("PUT", request.path))
        failed = self._maybe_fail() or self._limited(request.match_info["conv"])
        if failed:
            return failed
        body = await request.json()
        await self._slow(request.match_info["conv"])
        activity_id = request.match_info["aid"]
        self.sent.append(Sent("PUT", request.match_info["conv"], body, activity_id))
        return web.json_response({"id": activity_id})

    async def _create(self, request: web.Request) -> web.Response:
        self.requests.append(("POST", request.path))
        body = await request.json()
        members = body.get("members") or [{}]
        conv_id = f"a:personal-{members[0].get('id', 'x')}"
        self.sent.append(Sent("CREATE", conv_id, body, ""))
        return web.json_response({"id": conv_id, "activityId": None})

    async def _channels(self, request: web.Request) -> web.Response:
        team = request.match_info["team"]
        return web.json_response({"conversations": self.channels.get(team, [])})

    async def _member(self, request: web.Request) -> web.Response:
        return web.json_response({"id": request.match_info["member"], "name": "Someone"})

    async def start(self) -> FakeConnector:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{conv}/activities", self._post_activity)
        app.router.add_post("/v3/conversations/{conv}/activities/{aid}", self._post_activity)
        app.router.add_put("/v3/conversations/{conv}/activities/{aid}", self._put_activity)
        app.router.add_get("/v3/teams/{team}/conversations", self._channels)
        app.router.add_get("/v3/conversations/{conv}/members/{member}", self._member)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()
