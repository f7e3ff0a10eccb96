"""Short-lived signed links to the portfolio tab: who may look, and until when.

A link names one person (their Entra object id) and an expiry, signed with HMAC-SHA256 under
STYRA_TAB_SECRET. The bot hands one out in a 1:1 chat (`portfölj` -> "Öppna portföljvyn"), and
the tab mints one after a valid Teams SSO token, so every page request carries the same kind of
proof. The link grants nothing by itself: the pages still ask the stored roles.

Format: `<base64url(object id "." expiry)>.<base64url(first 16 bytes of the MAC)>`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

MAX_LENGTH = 200  # a real link is about 90 characters; anything longer is refused unread
_DOMAIN = b"styra-tab-link-v1|"  # the MAC covers what the key is for, not only the data
_AAD_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


class LinkError(Exception):
    """The link is not valid (HTTP 401). `reason` is for the log only."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise LinkError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError as exc:
        raise LinkError("not base64url") from exc


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, _DOMAIN + payload, hashlib.sha256).digest()[:16]


def mint(key: bytes, aad_id: str, now: float, ttl_s: float) -> str:
    """A link token for `aad_id`, valid for `ttl_s` seconds from `now` (Unix time)."""
    if not _AAD_ID.match(aad_id or ""):
        raise ValueError("not an object id")
    payload = f"{aad_id}.{int(now + ttl_s)}".encode("ascii")
    return f"{_b64(payload)}.{_b64(_mac(key, payload))}"


def verify(key: bytes, token: str | None, now: float) -> tuple[str, int]:
    """(object id, expiry) of a valid, unexpired link; LinkError otherwise."""
    if not token:
        raise LinkError("no link")
    if len(token) > MAX_LENGTH:
        raise LinkError("link too long")
    head, dot, tail = token.partition(".")
    if not dot or "." in tail:
        raise LinkError("not a link")
    payload, mac = _unb64(head), _unb64(tail)
    if not hmac.compare_digest(mac, _mac(key, payload)):
        raise LinkError("bad signature")
    aad_id, _, expiry = payload.decode("ascii", "replace").rpartition(".")
    if not _AAD_ID.match(aad_id) or not expiry.isdigit():
        raise LinkError("malformed payload")
    if int(expiry) <= now:
        raise LinkError("link expired")
    return aad_id, int(expiry)
