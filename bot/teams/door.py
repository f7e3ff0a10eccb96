"""The door: every request to /api/messages passes these checks before the bot sees it.

In order: Content-Type (415), size (413), a JSON object with a string `type` (400), then
authentication (401; 503 when signing keys cannot be had), then the fields a reply needs (400),
then the service URL and tenant allow-lists (403). Only then does the turn run, with every
string of the activity scrubbed (bot.text.scrub_json: NFC, no control characters) and names cut to
what the database holds. botbuilder's own checks answer 500 for bad tokens; this does not.

botbuilder's CloudAdapter is not on this path: it would check the token a second time, read the
activity through msrest and wrap it in a TurnContext, about a quarter of a short turn's CPU for
nothing Styra uses. The door is the adapter (bot/teams/activity.py reads the activity; the
dispatcher's invoke answer is the HTTP answer); replies go out through bot/teams/http.py.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web

from bot.config import Settings
from bot.logs import safe
from bot.teams.activity import inbound_activity
from bot.teams.auth import Authenticator, AuthError, KeysUnavailable, check_service_url
from bot.text import MAX_NAME_CHARS, scrub_json

log = logging.getLogger("styra.door")

MAX_DEPTH = 32  # real activities nest about 6 deep
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# Identifiers longer than the columns that store them (storage/models.py) are not Teams' and would
# fail on PostgreSQL only: refuse them alike everywhere.
ID_LIMITS = (
    (("id",), 300),
    (("replyToId",), 300),
    (("serviceUrl",), 300),
    (("conversation", "id"), 300),
    (("conversation", "tenantId"), 64),
    (("from", "id"), 200),
    (("from", "aadObjectId"), 64),
    (("recipient", "id"), 200),
    (("channelData", "tenant", "id"), 64),
    (("channelData", "team", "id"), 300),
    (("channelData", "channel", "id"), 300),
)
# Identifiers that end up in keys and log lines: a control character (a newline forges a log
# line) is no Teams id, so the request is refused rather than cleaned.
ID_FIELDS = (("id",), ("replyToId",), ("channelId",), ("locale",), *(path for path, _ in ID_LIMITS))
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
NAME_FIELDS = (
    ("from", "name"),
    ("recipient", "name"),
    ("conversation", "name"),
    ("channelData", "team", "name"),
    ("channelData", "channel", "name"),
)


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
        body = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise Refused(400, "body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise Refused(400, "body is not a JSON object")
    if _depth(body, MAX_DEPTH) > MAX_DEPTH:
        raise Refused(400, "body is nested too deeply")
    if not isinstance(body.get("type"), str) or not body["type"]:
        raise Refused(400, "activity has no type")
    return body


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _at(body: dict, path: tuple[str, ...]) -> object:
    node: object = body
    for name in path:
        if not isinstance(node, dict):
            return None
        node = node.get(name)
    return node


def _check_lengths(body: dict) -> None:
    for path, limit in ID_LIMITS:
        value = _at(body, path)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            raise Refused(400, f"{'.'.join(path)} is not a string of at most {limit} characters")


# The shapes the SDK's deserialiser and the dispatcher rely on: anything else is a 400 at the
# door, not a traceback further in.
OBJECTS = (("from",), ("recipient",), ("conversation",), ("channelData",), ("channelData", "tenant"),
           ("channelData", "team"), ("channelData", "channel"), ("channelData", "meeting"))
LISTS_OF_OBJECTS = (("entities",), ("attachments",), ("membersAdded",), ("membersRemoved",),
                    ("reactionsAdded",), ("reactionsRemoved",))
STRINGS = (("id",), ("replyToId",), ("name",), ("text",), ("locale",), ("timestamp",), ("localTimestamp",),
           ("action",), ("textFormat",), ("conversation", "conversationType"))


def _check_shapes(body: dict) -> None:
    for path in OBJECTS:
        if _at(body, path) is not None and not isinstance(_at(body, path), dict):
            raise Refused(400, f"{'.'.join(path)} is not an object")
    for path in LISTS_OF_OBJECTS:
        value = _at(body, path)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
            raise Refused(400, f"{'.'.join(path)} is not a list of objects")
    for path in STRINGS:
        if _at(body, path) is not None and not isinstance(_at(body, path), str):
            raise Refused(400, f"{'.'.join(path)} is not a string")


def _control_in_ids(body: dict) -> str | None:
    """The first identifier holding a control character (read before scrubbing keeps newlines)."""
    for path in ID_FIELDS:
        value = _at(body, path)
        if isinstance(value, str) and _CONTROL.search(value):
            return ".".join(path)
    return None


def _clip_names(body: dict) -> None:
    for *parents, name in NAME_FIELDS:
        holder = _at(body, tuple(parents))
        if isinstance(holder, dict) and isinstance(holder.get(name), str):
            holder[name] = holder[name].strip()[:MAX_NAME_CHARS]


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


def _loopback(service_url: str) -> bool:
    try:
        parts = urlsplit(service_url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and (parts.hostname or "") in LOOPBACK_HOSTS


def service_url_checker(settings: Settings):
    """The allow-list used on receipt and again before every proactive send.

    Production: https on the configured Teams hosts only. Development also allows loopback
    (Agents Playground, the test connector), never an arbitrary host: with an app id configured
    the bot's token would travel there."""
    hosts = list(settings.service_url_hosts)
    if settings.production:
        return lambda url: isinstance(url, str) and host_allowed(url, hosts)
    return lambda url: isinstance(url, str) and (host_allowed(url, hosts) or _loopback(url))


def tenants_of(body: dict) -> set[str]:
    """Every tenant id the activity names (channelData.tenant.id and conversation.tenantId)."""
    found = (_at(body, ("channelData", "tenant", "id")), _at(body, ("conversation", "tenantId")))
    return {tenant for tenant in found if isinstance(tenant, str) and tenant}


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
    bot: object  # TeamsEdge: answer(activity) -> (status, body) or None
    authenticator: Authenticator | None

    def __post_init__(self) -> None:
        self._service_url_ok = service_url_checker(self.settings)
        self._tenants = set(self.settings.allowed_tenants)
        # Whenever an app id is set (any environment) only allow-listed tenants get in.
        if self.settings.app_id and not self._tenants and self.settings.app_tenant_id:
            self._tenants = {self.settings.app_tenant_id}

    async def handle(self, request: web.Request) -> web.StreamResponse:
        try:
            body = await self._admit(request)
        except Refused as refused:
            log.warning("refused %s %s: %s", request.method, safe(request.path), safe(refused.reason))
            return web.json_response({"error": _public_reason(refused.status)}, status=refused.status)
        try:
            activity = inbound_activity(body)
        except ValueError as exc:  # e.g. a timestamp that is no date: the shape, not a fault of ours
            log.warning("refused %s %s: activity does not read: %s", request.method, safe(request.path), safe(exc))
            return web.json_response({"error": _public_reason(400)}, status=400)
        answer = await self.bot.answer(activity)
        if answer is None:
            return web.Response(status=201)
        status, payload = answer
        return web.json_response(payload, status=status)

    async def _admit(self, request: web.Request) -> dict:
        if request.content_type != "application/json":
            raise Refused(415, f"content type {request.content_type!r}")
        limit = self.settings.max_body_bytes
        if request.content_length is not None and request.content_length > limit:
            raise Refused(413, f"body of {request.content_length} bytes")
        raw = await _read_at_most(request, limit)
        parsed = parse_body(raw)
        bad_id = _control_in_ids(parsed)
        body = scrub_json(parsed)
        service_url = body.get("serviceUrl") if isinstance(body.get("serviceUrl"), str) else None
        if self.authenticator is not None:
            channel = body.get("channelId") if isinstance(body.get("channelId"), str) else None
            try:
                claims = await self.authenticator.verify(request.headers.get("Authorization"), channel)
                if service_url:  # none at all is a bad activity (400 below), not a bad token
                    check_service_url(claims, service_url)
            except AuthError as exc:
                raise Refused(401, f"authentication failed: {exc.reason}") from exc
            except KeysUnavailable as exc:
                raise Refused(503, f"signing keys unavailable: {exc}") from exc
        _require(body)
        _check_shapes(body)
        _check_lengths(body)
        if bad_id is not None:
            raise Refused(400, f"{bad_id} holds a control character")
        if not self._service_url_ok(body["serviceUrl"]):
            raise Refused(403, f"service URL not allowed: {body['serviceUrl'][:100]!r}")
        if self.settings.app_id and not self._tenants:
            raise Refused(403, "no tenant allow-list (MicrosoftAppTenantId or STYRA_ALLOWED_TENANTS)")
        if self._tenants:
            tenants = tenants_of(body)
            if not tenants or not tenants <= self._tenants:
                raise Refused(403, f"tenant not allowed: {sorted(tenants) or 'none'}")
        _clip_names(body)
        return body


async def _read_at_most(request: web.Request, limit: int) -> bytes:
    """The whole body, or 413 as soon as it passes `limit` (chunked bodies have no length)."""
    if request.content_length is not None:  # checked against the limit already: one read
        return await request.read()
    chunks, size = [], 0
    while True:
        chunk = await request.content.read(64 * 1024)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise Refused(413, "body over the limit")
        chunks.append(chunk)


def _public_reason(status: int) -> str:
    # The log has the precise reason; callers learn only the class of failure.
    return {400: "bad request", 401: "unauthorized", 403: "forbidden", 413: "payload too large",
            415: "unsupported media type", 503: "service unavailable"}.get(status, "error")


def make_authenticator(settings: Settings) -> Authenticator | None:
    """Our own token validation at the door; None when authentication is off."""
    from bot.teams.auth import AuthSettings, KeyCache

    start_log = logging.getLogger("styra")  # the start-up's own voice, as app.py logs it

    if not settings.auth_enabled:
        start_log.warning("=" * 72)
        start_log.warning("INBOUND AUTHENTICATION IS OFF (STYRA_ENV=development, no MicrosoftAppId).")
        start_log.warning("Anyone who can reach %s:%s can talk to this bot. Never expose it.", settings.bind_host, settings.port)
        start_log.warning("=" * 72)
        return None
    auth_settings = AuthSettings(app_id=settings.app_id, openid_metadata_url=settings.openid_metadata_url,
                                 fetch_timeout_s=settings.key_fetch_timeout_s)
    authenticator = Authenticator(auth_settings, KeyCache(auth_settings))
    start_log.info("inbound authentication on: app id %s, issuer %s, keys from %s; %s", settings.app_id,
             auth_settings.issuer, settings.openid_metadata_url,
             "service URL and tenant allow-lists enforced" if settings.production
             else "development: loopback or allow-listed service URLs")
    return authenticator
