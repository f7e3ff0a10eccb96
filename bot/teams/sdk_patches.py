"""Measured fixes to the archived SDK's hot path (PLATFORM.md: where botbuilder spends its time).

Each one keeps the SDK's behaviour and removes work it repeats on every activity.
"""

from __future__ import annotations

import json


def apply() -> None:
    _retry_codes_from_a_set()
    _plain_json_is_not_walked()


def _retry_codes_from_a_set() -> None:
    # msrest builds its retry status list with `i not in safe_codes` over a 500-element list,
    # for every client it creates (~5 ms each). The same codes in a frozenset give the same list.
    from msrest.universal_http.requests import ClientRetryPolicy

    if not isinstance(ClientRetryPolicy.safe_codes, frozenset):
        ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)


def _plain_json_is_not_walked() -> None:
    # A card is a plain JSON dict; msrest serialises it node by node in Python (~3 ms for a help
    # card). Plain JSON comes out unchanged, so check it in C and pass it through.
    from msrest.serialization import Serializer

    original = Serializer.serialize_object
    if getattr(original, "styra_fast", False):
        return

    def serialize_object(self, attr, **kwargs):
        if isinstance(attr, (dict, list)):
            try:
                json.dumps(attr)
            except (TypeError, ValueError):
                pass
            else:
                return attr
        return original(self, attr, **kwargs)

    serialize_object.styra_fast = True
    Serializer.serialize_object = serialize_object


class CachedConnectorFactory:
    """One ConnectorClient per service URL and audience, instead of a new client (and a new
    requests session and TCP connection) for every activity. Credentials refresh their own token."""

    def __init__(self, inner) -> None:
        self._inner = inner
        self._clients: dict[tuple[str, str | None], object] = {}

    async def create(self, service_url: str, audience: str | None = None):
        key = (service_url, audience)
        client = self._clients.get(key)
        if client is None:
            client = await self._inner.create(service_url, audience)
            if not _proxy_configured():
                # requests would scan the whole environment for proxies on every send.
                client.config.proxies.use_env_settings = False
            self._clients[key] = client
        return client


def _proxy_configured() -> bool:
    import os

    return any(os.environ.get(name) for name in
               ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"))


def cache_user_token_client(bot_framework_authentication) -> None:
    """The adapter builds a user-token client on every activity; Styra never uses one (no
    sign-in), so build it once per app id."""
    original = bot_framework_authentication.create_user_token_client
    cache: dict[str, object] = {}

    async def create_user_token_client(claims_identity):
        from botframework.connector.auth import AuthenticationConstants

        claims = claims_identity.claims or {}
        key = claims.get(AuthenticationConstants.AUDIENCE_CLAIM) or claims.get(AuthenticationConstants.APP_ID_CLAIM) or ""
        if key not in cache:
            cache[key] = await original(claims_identity)
        return cache[key]

    bot_framework_authentication.create_user_token_client = create_user_token_client
