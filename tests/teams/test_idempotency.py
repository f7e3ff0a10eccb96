"""Duplicate deliveries through the real route, on SQLite and PostgreSQL.

Same activity id: the turn runs once (storage/activities.claim). A redelivery with a NEW id is
business idempotency: each state-changing command must be harmless twice (shown here for the core
commands; needs, assessments and decisions carry their own request keys)."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from storage.activities import stored_key
from tests.support.botkit import MEGAN, STRANGER


async def _welcomed(bot, user=STRANGER) -> None:
    """Get the first-contact welcome out of the way, then forget what was sent."""
    await bot.say("help", user=user)
    bot.connector.clear()


async def _rows(bot, sql: str) -> int:
    return await bot.query(lambda s: s.execute(sa.text(sql)).scalar_one())


async def test_the_same_message_id_twice_is_one_turn(any_bot):
    await _welcomed(any_bot)
    body = any_bot.activity(STRANGER, text="help")
    first = await any_bot.post(body)
    second = await any_bot.post(body)
    assert {first.status, second.status} <= {200, 201}
    assert len(any_bot.connector.sent) == 1, [s.all_text()[:60] for s in any_bot.connector.sent]
    assert "What can I help you with?" in any_bot.connector.sent[0].all_text()


async def test_five_concurrent_copies_are_one_turn(any_bot):
    await _welcomed(any_bot)
    body = any_bot.activity(STRANGER, text="help")
    responses = await asyncio.gather(*(any_bot.post(body) for _ in range(5)))
    assert all(r.status in (200, 201) for r in responses), [r.status for r in responses]
    assert len(any_bot.connector.sent) == 1
    claimed = await _rows(any_bot, "SELECT count(*) FROM processed_activity")
    assert claimed == 2  # the welcome turn and this one


async def test_different_ids_are_different_turns(any_bot):
    await _welcomed(any_bot)
    await any_bot.say("help", user=STRANGER)
    await any_bot.say("help", user=STRANGER)
    assert len(any_bot.connector.sent) == 2


async def test_long_conversation_ids_do_not_make_different_activities_collide(any_bot):
    # Two activities whose keys share their first 200 characters are still two activities.
    conversation = "a:" + "x" * 290
    await _welcomed(any_bot)
    for activity_id in ("1700000000001", "1700000000002"):
        body = any_bot.activity(STRANGER, text="help", activity_id=activity_id)
        body["conversation"]["id"] = conversation
        await any_bot.post(body)
    assert len(any_bot.connector.sent) == 2
    keys = [f"msteams|{conversation}|170000000000{n}" for n in (1, 2)]
    assert len({stored_key(k) for k in keys}) == 2 and all(len(stored_key(k)) == 200 for k in keys)


async def test_a_failed_turn_releases_its_claim_so_the_retry_runs(any_bot, monkeypatch):
    from dialogs import help as core_commands

    await _welcomed(any_bot)
    calls = []
    real_interrupt = core_commands.interrupt

    async def broken_once(turn):
        calls.append(turn.text)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return await real_interrupt(turn)

    registry = any_bot.services.registry
    monkeypatch.setattr(registry, "interrupts", tuple(broken_once if f is real_interrupt else f
                                                      for f in registry.interrupts))
    body = any_bot.activity(STRANGER, text="help")
    await any_bot.post(body)
    assert "Incident id" in any_bot.connector.sent[-1].all_text()
    any_bot.connector.clear()
    await any_bot.post(body)  # Teams' retry of the same id
    assert any("What can I help you with?" in s.all_text() for s in any_bot.connector.sent)


# --- a redelivery with a new id: business idempotency ---------------------------------------


async def test_granting_a_role_twice_changes_it_once(any_bot):
    # ALEX administers the demo org; Megan is not yet coordinator in utbildning.
    first = await any_bot.say("role add coordinator utbildning Megan Bowen", locale="en-US")
    second = await any_bot.say("role add coordinator utbildning Megan Bowen", locale="en-US")
    assert "Megan Bowen is now coordinator in" in first[-1].all_text()
    assert "Megan Bowen already has that role." in second[-1].all_text()
    held = await _rows(any_bot, "SELECT count(*) FROM role_assignment "
                                f"WHERE aad_id = '{MEGAN.aad_id}' AND scope = 'utbildning' AND role = 'coordinator'")
    assert held == 1


async def test_setting_the_language_twice_is_harmless(any_bot):
    await _welcomed(any_bot)
    first = await any_bot.say("language english", user=STRANGER)
    second = await any_bot.say("language english", user=STRANGER)
    assert first[-1].all_text() == second[-1].all_text() == "Done. I will speak English with you from now on."
    locale = await _rows(any_bot, f"SELECT count(*) FROM person WHERE aad_id = '{STRANGER.aad_id}' AND locale = 'en'")
    assert locale == 1
