"""Proactive sends straight over HTTP (aiohttp): the Bot Connector REST call, nothing else.

The SDK's ConnectorClient serialises through msrest and sends with `requests` in a worker
thread, a few milliseconds of CPU per message; a reminder fan-out or the follow-up of a busy
decision meeting sends hundreds. This transport posts the activity JSON on the event loop over a
pooled connection, with the bot's token from the SDK's own credentials (cached until it expires).
The reply inside a turn still goes through the adapter.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from urllib.parse import quote

import aiohttp

from bot.teams.delivery import Target, Transport, TransportError, activity_body, parse_retry_after

log = logging.getLogger("styra.teams_http")

TokenProvider = Callable[[], Awaitable[str | None]]


def activities_url(target: Target, reply_to: str | None = None) -> str:
    """…/activities (new), …/activities/{id} with PUT (update) or with POST (reply to id)."""
    base = target.service_url.rstrip("/")
    url = f"{base}/v3/conversations/{quote(target.conversation_id, safe='')}/activities"
    last = target.activity_id or reply_to
    return f"{url}/{quote(last, safe='')}" if last else url


def http_transport(session: Callable[[], aiohttp.ClientSession], token: TokenProvider, *,
                   timeout: float = 120.0) -> Transport:
    """`session()` gives the shared ClientSession; `token()` the bearer token (None: no auth).
    `timeout` is only a ceiling: the Deliverer gives each send its own (a turn's reply a few
    seconds, an outbox post STYRA_OUTBOX_SEND_TIMEOUT)."""

    ceiling = aiohttp.ClientTimeout(total=timeout)

    async def send(target: Target, activity: dict) -> str | None:
        headers = {"Content-Type": "application/json"}
        bearer = await token()
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        method = "PUT" if target.activity_id else "POST"
        try:
            url = activities_url(target, activity.get("replyToId"))
            body = json.dumps(activity_body(activity, target), ensure_ascii=False).encode()
            async with session().request(method, url, data=body, headers=headers, timeout=ceiling) as resp:
                text = (await resp.read()).decode("utf-8", "replace")  # JSON is UTF-8: no charset sniffing
                if resp.status >= 400:
                    raise TransportError(resp.status, parse_retry_after(resp.headers.get("Retry-After")),
                                         f"HTTP {resp.status}: {text[:200]}")
                try:
                    data = json.loads(text) if text else {}
                except ValueError:
                    data = {}
        except (aiohttp.ClientError, OSError) as exc:
            raise TransportError(None, None, f"connection error: {exc}") from exc
        return (data or {}).get("id") or target.activity_id

    return send


class BotToken:
    """The bot's outbound token from the SDK's credential factory, refreshed off the loop."""

    def __init__(self, settings, margin_s: float = 300.0) -> None:
        self._settings = settings
        self._margin = margin_s
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def __call__(self) -> str | None:
        if not self._settings.app_id:
            return None  # development without a registration: the local connector needs no token
        if self._token and time.monotonic() < self._expires:
            return self._token
        async with self._lock:
            if not (self._token and time.monotonic() < self._expires):
                self._token = await asyncio.to_thread(self._fetch)
                # Bot Framework tokens live an hour; refresh well before.
                self._expires = time.monotonic() + 3600 - self._margin
        return self._token

    def _fetch(self) -> str:
        from botframework.connector.auth import AuthenticationConstants, MicrosoftAppCredentials
        from botframework.connector.auth.managedidentity_app_credentials import (
            ManagedIdentityAppCredentials,
        )

        s = self._settings
        scope = AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
        if s.app_type == "UserAssignedMSI":
            credentials = ManagedIdentityAppCredentials(s.app_id, oauth_scope=scope)
        else:
            credentials = MicrosoftAppCredentials(s.app_id, s.app_password, channel_auth_tenant=s.app_tenant_id or None,
                                                  oauth_scope=scope)
        return credentials.get_access_token()


def http_create_conversation(session: Callable[[], aiohttp.ClientSession], token: TokenProvider, *,
                             timeout: float = 8.0):
    """POST /v3/conversations: open a 1:1 chat with a user; returns the new conversation id."""

    async def create(service_url: str, bot_id: str, user_id: str, tenant_id: str | None) -> str:
        body = {"isGroup": False, "bot": {"id": bot_id}, "members": [{"id": user_id}]}
        if tenant_id:
            body["tenantId"] = tenant_id
            body["channelData"] = {"tenant": {"id": tenant_id}}
        headers = {}
        bearer = await token()
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        url = f"{service_url.rstrip('/')}/v3/conversations"
        try:
            async with session().post(url, json=body, headers=headers,
                                      timeout=aiohttp.ClientTimeout(total=timeout)) as resp:
                if resp.status >= 400:
                    raise TransportError(resp.status, parse_retry_after(resp.headers.get("Retry-After")),
                                         f"HTTP {resp.status}: {(await resp.text())[:200]}")
                return (await resp.json(content_type=None))["id"]
        except (aiohttp.ClientError, OSError, KeyError, ValueError) as exc:
            raise TransportError(None, None, f"could not open a chat: {exc}") from exc

    return create


def http_team_channels(session: Callable[[], aiohttp.ClientSession], token: TokenProvider, *,
                       timeout: float = 8.0):
    """GET /v3/teams/{id}/conversations: the team's channels as (id, name) pairs."""

    async def channels(service_url: str, team_id: str) -> list[tuple[str, str | None]]:
        headers = {}
        bearer = await token()
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        url = f"{service_url.rstrip('/')}/v3/teams/{quote(team_id, safe='')}/conversations"
        try:
            async with session().get(url, headers=headers, timeout=aiohttp.ClientTimeout(total=timeout)) as resp:
                if resp.status >= 400:
                    raise TransportError(resp.status, None, f"HTTP {resp.status}")
                data = await resp.json(content_type=None)
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            raise TransportError(None, None, f"could not list channels: {exc}") from exc
        found = data.get("conversations") if isinstance(data, dict) else data
        return [(c["id"], c.get("name")) for c in found or [] if isinstance(c, dict) and c.get("id")]

    return channels
