"""Channels and outbox rows written straight into Styra's database, and what the fake Teams
received, counted per conversation."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from storage.models import ConversationRef
from storage.outbox import Recipient, enqueue
from storage.outbox_tables import OutboxMessage

TENANT = "11111111-2222-3333-4444-555555555555"


def channel_id(n: int) -> str:
    return f"19:fanout-{n:04d}@thread.tacv2"


def seed_channels(session, service_url: str, count: int, start: int = 0) -> list[str]:
    ids = []
    for n in range(start, start + count):
        cid = channel_id(n)
        session.add(ConversationRef(conversation_id=cid, kind="channel", service_url=service_url,
                                    tenant_id=TENANT, channel_id=cid, name=f"Kanal {n}"))
        ids.append(cid)
    return ids


def enqueue_posts(session, conversation_ids: list[str], *, prefix: str = "fanout", kind: str = "reminder",
                  per_conversation: int = 1, now: datetime | None = None) -> int:
    now = now or datetime.now(UTC)
    added = 0
    for cid in conversation_ids:
        for i in range(per_conversation):
            activity = {"type": "message", "text": f"{prefix} {cid} #{i}"}
            added += enqueue(session, key=f"{prefix}:{cid}:{i}", to=Recipient.conversation(cid),
                             activity=activity, kind=kind, now=now)
    return added


def outbox_rows(session, prefix: str) -> list[OutboxMessage]:
    from sqlalchemy import select

    return list(session.execute(select(OutboxMessage).where(OutboxMessage.key.startswith(prefix)))
                .scalars())


def posts_per_key(connector, prefix: str) -> Counter:
    """How many times Teams received each row's message (new posts only, by their text)."""
    found: Counter = Counter()
    for sent in connector.sent:
        if sent.method == "POST" and sent.text.startswith(prefix + " "):
            found[sent.text] += 1
    return found


def expected_texts(conversation_ids: list[str], prefix: str = "fanout", per_conversation: int = 1) -> set[str]:
    return {f"{prefix} {cid} #{i}" for cid in conversation_ids for i in range(per_conversation)}


async def until(predicate, timeout: float = 20.0, step: float = 0.01) -> None:
    """Wait until `predicate()` holds; fail after `timeout` seconds."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout} s")
        await asyncio.sleep(step)


def message(service_url: str, text: str, activity_id: str, user: str = "user-new-1",
            aad: str = "88888888-0000-0000-0000-000000000001") -> dict:
    """A 1:1 message as Teams sends it."""
    return {
        "type": "message", "id": activity_id, "channelId": "msteams", "serviceUrl": service_url,
        "timestamp": "2026-11-21T10:00:00.000Z", "locale": "sv-SE", "text": text,
        "from": {"id": user, "name": "Ny Person", "aadObjectId": aad},
        "recipient": {"id": "28:styra-bot", "name": "Styra"},
        "conversation": {"id": f"a:personal-{user}", "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
    }


def summary(counts: Counter, expected: set[str]) -> tuple[int, int]:
    """(duplicates, lost) among the expected messages."""
    duplicates = sum(n - 1 for text, n in counts.items() if text in expected)
    return duplicates, len(expected - set(counts))


async def recorded(db, prefix: str, timeout: float = 15.0) -> set[str]:
    """The statuses of the rows once none is pending any more (a post's record follows its
    answer by a moment)."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while True:
        statuses = {row.status for row in await db.run(outbox_rows, prefix)}
        if "pending" not in statuses or time.monotonic() > deadline:
            return statuses
        await asyncio.sleep(0.1)
