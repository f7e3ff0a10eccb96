"""Turns that survive a crash: a claim never completed expires so Teams' resend is processed;
a completed one drops every resend; two first messages at once in a new chat both get answered."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage import activities
from storage.models import ProcessedActivity
from tests.support.botkit import BotHarness, User

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EXPIRY = timedelta(seconds=30)


async def test_an_unfinished_claim_expires_and_a_finished_one_never_does(any_db):
    assert await any_db.run(activities.claim, "msteams|a:1|x", NOW, EXPIRY)
    assert not await any_db.run(activities.claim, "msteams|a:1|x", NOW + timedelta(seconds=29), EXPIRY)
    # the turn died without completing: the resend after the expiry runs, once
    later = NOW + timedelta(seconds=31)
    assert await any_db.run(activities.claim, "msteams|a:1|x", later, EXPIRY)
    assert not await any_db.run(activities.claim, "msteams|a:1|x", later, EXPIRY)
    await any_db.run(activities.complete, "msteams|a:1|x", later)
    assert not await any_db.run(activities.claim, "msteams|a:1|x", later + timedelta(days=30), EXPIRY)


def _stale_claim(key: str, age_s: float):
    def write(session):
        session.add(ProcessedActivity(key=key, processed_at=datetime.now(UTC) - timedelta(seconds=age_s)))
    return write


async def test_the_resend_of_a_turn_that_died_is_answered_after_the_claim_expires(any_bot):
    body = any_bot.activity(text="hjälp")
    key = f"msteams|{body['conversation']['id']}|{body['id']}"
    await any_bot.query(_stale_claim(key, 5))  # a turn in progress elsewhere (or just died)
    assert await any_bot.send(body) == []  # dropped: too early to tell
    body2 = any_bot.activity(text="hjälp")
    key2 = f"msteams|{body2['conversation']['id']}|{body2['id']}"
    await any_bot.query(_stale_claim(key2, 31))  # the turn died half a minute ago
    replies = await any_bot.send(body2)
    assert replies and "Förlåt" not in "\n".join(r.all_text() for r in replies)
    assert await any_bot.send(body2) == []  # completed now: a second resend is dropped
    await any_bot.services.completions.idle()  # finished claims are written in batches, a moment later
    done = await any_bot.query(lambda s: s.execute(
        select(ProcessedActivity.completed_at).where(ProcessedActivity.key == key2)).scalar())
    assert done is not None


async def test_two_first_messages_at_once_in_a_new_chat_both_get_their_answer(any_db_url, connector):
    bot = await BotHarness.start(any_db_url, connector=connector)
    try:
        for n in range(6):
            newcomer = User(f"77777777-0000-0000-0000-{n:012d}", f"Ny Person {n}", f"user-new-{n}")
            bodies = [bot.activity(newcomer, text="hjälp"), bot.activity(newcomer, text="hej")]
            before = len(connector.sent)
            await asyncio.gather(*(bot.send(body) for body in bodies))
            sent = connector.sent[before:]
            assert all("Förlåt" not in s.all_text() for s in sent)
            answered = {s.activity.get("replyToId") for s in sent}
            assert {b["id"] for b in bodies} <= answered  # each message got its own answer
    finally:
        await bot.close(connector_too=False)
