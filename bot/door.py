"""The door: every request to /api/messages passes these checks before the bot sees it.

In order: Content-Type (415), size (413), a JSON object with a string `type` (400), then
authentication (401; 503 when signing keys cannot be had), then the fields a reply needs (400),
then, in production, the service URL and tenant allow-lists (403). Only then does the adapter run.
botbuilder's own checks answer 500 for bad tokens and parse before authenticating; this does not.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    CallerIdConstants,
    ClaimsIdentity,
)

from bot.auth import AuthError, Authenticator, KeysUnavailable
from bot.config import Settings

log = logging.getLogger("styra.door")

MAX_DEPTH = 32  # real activities nest about 6 deep


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _depth(value: object, limit: int) -> int:
    """Nesting depth, iteratively (no recursion to exhaust), stopping past `limit`."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return depth
        deepest = max(deepest, depth)
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def parse_body(raw: bytes) -> dict:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(400, "body is not UTF-8") from exc
    try:
        body = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise Refused(400, "body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise Refused(400, "body is not a JSON object")
    if _depth(body, MAX_DEPTH) > MAX_DEPTH:
        raise Refused(400, "body is nested too deeply")
    if not isinstance(body.get("type"), str) or not body["type"]:
        raise Refused(400, "activity has no type")
    return body


def host_allowed(service_url: str, hosts: list[str]) -> bool:
    """https and a Teams service host (exact, or '*.suffix' for sub-domains)."""
    parts = urlsplit(service_url)
    if parts.scheme != "https" or not parts.hostname:
        return False
    host = parts.hostname.lower()
    for pattern in hosts:
        pattern = pattern.lower()
        if pattern.startswith("*.") and host.endswith(pattern[1:]):
            return True
        if host == pattern:
            return True
    return False


def service_url_checker(settings: Settings):
    """The allow-list used on receipt and again before every proactive send."""
    if not settings.production:
        return lambda url: bool(url) and urlsplit(url).scheme in ("http", "https")
    return lambda url: host_allowed(url, settings.service_url_hosts)


def tenant_of(body: dict) -> str | None:
    data = body.get("channelData")
    if isinstance(data, dict) and isinstance(data.get("tenant"), dict):
        tenant = data["tenant"].get("id")
        if isinstance(tenant, str):
            return tenant
    conversation = body.get("conversation")
    if isinstance(conversation, dict) and isinstance(conversation.get("tenantId"), str):
        return conversation["tenantId"]
    return None


def _require(body: dict) -> None:
    def text(value: object) -> bool:
        return isinstance(value, str) and bool(value.strip())

    missing = [
        name
        for name, ok in (
            ("channelId", text(body.get("channelId"))),
            ("serviceUrl", text(body.get("serviceUrl"))),
            ("conversation.id", isinstance(body.get("conversation"), dict) and text(body["conversation"].get("id"))),
            ("from.id", isinstance(body.get("from"), dict) and text(body["from"].get("id"))),
        )
        if not ok
    ]
    if missing:
        raise Refused(400, "activity lacks " + ", ".join(missing))


@dataclass
class Door:
    settings: Settings
    adapter: object
    bot: object
    authenticator: Authenticator | None

    def __post_init__(self) -> None:
        self._service_url_ok = service_url_checker(self.settings)
        self._tenants = set(self.settings.allowed_tenants)
        if self.settings.production and not self._tenants and self.settings.app_tenant_id:
            self._tenants = {self.settings.app_tenant_id}

    async def handle(self, request: web.Request) -> web.StreamResponse:
        try:
            body = await self._admit(request)
        except Refused as refused:
            log.warning("refused %s %s: %s", request.method, request.path, refused.reason)
            return web.json_response({"error": _public_reason(refused.status)}, status=refused.status)
        activity = Activity().deserialize(body)
        response = await self.adapter.process_activity(self._auth_result(request), activity, self.bot.on_turn)
        if response is None:
            return web.Response(status=201)
        # The adapter would serialise a dict body a second time and fail (PLATFORM.md): do it here.
        payload = response.body
        if payload is not None and not isinstance(payload, (dict, list, str, int, float, bool)):
            payload = payload.serialize() if hasattr(payload, "serialize") else payload
        return web.json_response(payload, status=response.status or 200)

    async def _admit(self, request: web.Request) -> dict:
        if request.content_type != "application/json":
            raise Refused(415, f"content type {request.content_type!r}")
        limit = self.settings.max_body_bytes
        if request.content_length is not None and request.content_length > limit:
            raise Refused(413, f"body of {request.content_length} bytes")
        raw = await request.content.read(limit + 1)
        if len(raw) > limit:
            raise Refused(413, "body over the limit")
        body = parse_body(raw)
        service_url = body.get("serviceUrl") if isinstance(body.get("serviceUrl"), str) else None
        if self.authenticator is not None:
            try:
                claims = await self.authenticator.authenticate(
                    request.headers.get("Authorization"), service_url,
                    body.get("channelId") if isinstance(body.get("channelId"), str) else None,
                )
            except AuthError as exc:
                raise Refused(401, f"authentication failed: {exc.reason}") from exc
            except KeysUnavailable as exc:
                raise Refused(503, f"signing keys unavailable: {exc}") from exc
            request["styra.claims"] = claims
        _require(body)
        if not self._service_url_ok(body["serviceUrl"]):
            raise Refused(403, f"service URL not allowed: {body['serviceUrl'][:100]}")
        if self._tenants and tenant_of(body) not in self._tenants:
            raise Refused(403, f"tenant not allowed: {tenant_of(body)}")
        return body

    def _auth_result(self, request: web.Request) -> AuthenticateRequestResult:
        claims = dict(request.get("styra.claims") or {})
        claims.setdefault(AuthenticationConstants.AUDIENCE_CLAIM, self.settings.app_id)
        identity = ClaimsIdentity(claims, True)
        result = AuthenticateRequestResult()
        result.claims_identity = identity
        result.audience = AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
        result.caller_id = CallerIdConstants.public_azure_channel
        result.connector_factory = self.adapter.bot_framework_authentication.create_connector_factory(identity)
        return result


def _public_reason(status: int) -> str:
    # The log has the precise reason; callers learn only the class of failure.
    return {400: "bad request", 401: "unauthorized", 403: "forbidden", 413: "payload too large",
            415: "unsupported media type", 503: "service unavailable"}.get(status, "error")
