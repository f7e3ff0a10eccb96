"""A turn's answers go through the Deliverer: a throttled reply is retried within the turn's
budget; one that cannot go in time waits in the outbox and arrives later, once."""

from __future__ import annotations

import time

from sqlalchemy import update

from storage.outbox_tables import OutboxMessage
from tests.reliability.kit import outbox_rows


async def test_a_throttled_reply_is_retried_within_the_turn(bot):
    bot.connector.fail_next(429, times=2, retry_after=0.3)
    began = time.monotonic()
    replies = await bot.say("hjälp")
    assert time.monotonic() - began < 5
    posts = [r for r in replies if r.method == "POST"]
    assert posts and len(bot.connector.requests) == len(posts) + 2  # two refused, then sent once each
    assert any("hjälp" in r.all_text().lower() for r in posts)
    assert await bot.query(outbox_rows, "reply:") == []  # nothing had to wait


async def test_a_reply_teams_will_not_take_in_time_waits_in_the_outbox_and_arrives_once(bot):
    await bot.say("hej")  # welcomed already: the next turn has one answer
    bot.connector.fail_next(429, times=1, retry_after=30)  # longer than a turn may wait
    body = bot.activity(text="hjälp")
    began = time.monotonic()
    assert await bot.send(body) == []
    assert time.monotonic() - began < 10  # the turn did not wait for Teams
    [row] = await bot.query(outbox_rows, "reply:")
    assert row.kind == "reply" and row.status == "pending"

    def due_now(session):  # half a minute later
        session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(due_at=row.created_at))

    await bot.query(due_now)
    await bot.services.outbox.drain()
    answers = [s for s in bot.connector.sent if s.activity.get("replyToId") == body["id"]]
    assert len(answers) == 1 and "hjälp" in answers[0].all_text().lower()
    await bot.services.outbox.drain()
    assert len([s for s in bot.connector.sent if s.activity.get("replyToId") == body["id"]]) == 1
