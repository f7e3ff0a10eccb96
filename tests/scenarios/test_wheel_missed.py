"""Nothing missed in silence: a reminder that came due while Styra was down (past the grace
period) is posted once as "missed, still relevant?" with the usual answers, listed in the
weekly digest and in `styra reminders status` apart from failed deliveries; a snooze that ends
updates the card posted before; the posted reminder @mentions the coordinators. Through the
real HTTP route and the fake Teams connector."""

import json

from bot.cli.main import main as cli_main
from dialogs import wheel as reminders
from storage import reminders as repo
from tests.scenarios.wheel_kit import WallClock, channel_posts, link, local
from tests.support.botkit import ALEX
from tests.support.cards import verbs

UTB = "19:utbildning-styrgrupp@thread.tacv2"
MATERIAL = ("mar-steering-material", "2026-03", "utbildning")  # due Tuesday 10 March, 09:00
MISSED_TITLE = "Missad, fortfarande aktuell? Skriv underlaget till styrgruppens möte"


def card_of(body: dict) -> dict:
    assert body["statusCode"] == 200
    return body["value"]


async def running_until_the_ninth(bot) -> WallClock:
    """Styra runs on Monday 9 March (a tick), then is down until the clock is moved on."""
    clock = WallClock(local(2026, 3, 9, 10, 0))
    bot.services.clock = clock
    link(bot.services.db, "utbildning", UTB, bot.connector.url, linked_at=local(2026, 3, 6))
    report = await reminders.tick(bot.services)
    assert report.sent == 0 and report.missed == 0
    return clock


async def test_a_reminder_missed_while_down_is_posted_once_listed_in_the_digest_and_status(
        any_bot, capsys, monkeypatch):
    bot = any_bot
    clock = await running_until_the_ninth(bot)
    clock.now = local(2026, 3, 16, 10, 0)  # back on Monday the 16th: 10 March is 6 days old
    first = await reminders.tick(bot.services)
    again = await reminders.tick(bot.services)
    clock.now = local(2026, 3, 16, 11, 0)
    later = await reminders.tick(bot.services)
    # 10 and 13 March (the meeting's reminder) both came due while Styra was down.
    assert first.missed == 2 and again.sent == 0 and later.sent == 0 and again.missed == 0

    posts = channel_posts(bot.connector, UTB)
    missed = [p for p in posts if p.card["fallbackText"] == MISSED_TITLE]
    assert len(missed) == 1  # posted once, never again
    assert len([p for p in posts if p.card["fallbackText"].startswith("Missad, fortfarande aktuell?")]) == 2
    assert "Styra var nere när detta skulle ut den 2026-03-10. Är det fortfarande aktuellt?" in missed[0].all_text()
    row = await bot.query(repo.by_key, *MATERIAL)
    assert row.status == "sent" and row.missed_at is not None and row.activity_id == missed[0].activity_id

    # This week's digest lists it as missed.
    digests = [p for p in posts if p.card["fallbackText"] == "Öppet i årshjulet · Utbildning"]
    assert len(digests) == 1
    digest = digests[0].all_text()
    assert "Vecka 12" in digest and "Skriv underlaget till styrgruppens möte" in digest
    assert "Missad, fortfarande aktuell?, svar senast 2026-03-16" in digest

    # The coordinators' refresh gives the usual answers; "not applicable" closes it.
    status, body = await bot.invoke({"verb": "reminder.refresh", "occurrence_id": row.id}, user=ALEX)
    assert status == 200
    assert verbs(card_of(body)) == ["reminder.done", "reminder.start", "reminder.snooze", "reminder.na"]
    assert "fortfarande aktuellt" in json.dumps(card_of(body), ensure_ascii=False)

    # `styra reminders status` lists it as missed, not as failed.
    monkeypatch.setenv("DATABASE_URL", bot.services.settings.database_url)
    assert cli_main(["reminders", "status"]) == 0
    out = capsys.readouterr().out
    [line] = [x for x in out.splitlines() if x.startswith("mar-steering-material/2026-03/utbildning")]
    assert line.split()[1] == "sent" and "2026-03-16" in line
    assert "2 missade medan Styra var nere" in out and "misslyckades" not in out

    status, body = await bot.invoke({"verb": "reminder.na", "occurrence_id": row.id,
                                     "reason": "Mötet är redan hållet"}, user=ALEX)
    assert status == 200 and "fortfarande aktuellt" not in json.dumps(card_of(body), ensure_ascii=False)
    await bot.services.outbox.drain()
    [update] = [s for s in bot.connector.sent if s.method == "PUT" and s.activity_id == missed[0].activity_id]
    assert "Markerad som ej aktuell av Alex Wilber" in update.all_text()
    assert (await bot.query(repo.get, row.id)).status == "answered"


async def test_a_failed_delivery_of_a_missed_reminder_stays_a_failure(bot, capsys, monkeypatch):
    clock = await running_until_the_ninth(bot)
    clock.now = local(2026, 3, 16, 10, 0)
    bot.connector.fail_next(403, times=1)  # the bot was removed from the channel
    await reminders.tick(bot.services)
    row = await bot.query(repo.by_key, *MATERIAL)
    assert row.status == "failed" and row.missed_at is not None
    monkeypatch.setenv("DATABASE_URL", bot.services.settings.database_url)
    assert cli_main(["reminders", "status"]) == 0
    out = capsys.readouterr().out
    [line] = [x for x in out.splitlines() if x.startswith("mar-steering-material/2026-03/utbildning")]
    assert line.split()[1] == "failed" and "403" in line
    assert "1 misslyckades" in out


async def test_a_snooze_that_ends_updates_the_card_posted_before(any_bot):
    bot = any_bot
    clock = await running_until_the_ninth(bot)
    clock.now = local(2026, 3, 10, 9, 0)
    await reminders.tick(bot.services)
    [original] = channel_posts(bot.connector, UTB)
    row = await bot.query(repo.by_key, *MATERIAL)
    status, body = await bot.invoke({"verb": "reminder.snooze", "occurrence_id": row.id,
                                     "snooze_until": "2026-03-12"}, user=ALEX)
    assert status == 200 and "Pausad av Alex Wilber" in json.dumps(card_of(body), ensure_ascii=False)
    await bot.services.outbox.drain()
    snoozed = [s for s in bot.connector.sent if s.method == "PUT" and s.activity_id == original.activity_id]
    assert len(snoozed) == 1 and "Pausad" in snoozed[0].all_text()

    clock.now = local(2026, 3, 12, 9, 0)
    woke = await reminders.tick(bot.services)
    await bot.services.outbox.drain()
    assert woke.woken == 1 and woke.sent == 1
    posts = channel_posts(bot.connector, UTB)
    assert len(posts) == 2  # posted again, to be noticed
    updates = [s for s in bot.connector.sent if s.method == "PUT" and s.activity_id == original.activity_id]
    assert len(updates) == 2
    woken = updates[-1].all_text()
    assert "Pausad" not in woken and "Öppen" in woken
    assert "Pausen är slut: publicerad igen den 2026-03-12." in woken

    # An answer on the new post updates both copies.
    status, _ = await bot.invoke({"verb": "reminder.done", "occurrence_id": row.id}, user=ALEX)
    await bot.services.outbox.drain()
    done = [s for s in bot.connector.sent if s.method == "PUT" and "Markerad som klar" in s.all_text()]
    assert {s.activity_id for s in done} == {original.activity_id, posts[1].activity_id}


async def test_the_posted_reminder_mentions_the_coordinators(bot):
    clock = await running_until_the_ninth(bot)
    clock.now = local(2026, 3, 10, 9, 0)
    await reminders.tick(bot.services)
    [post] = channel_posts(bot.connector, UTB)
    card = post.card
    assert card["msteams"]["entities"] == [
        {"type": "mention", "text": "<at>Alex Wilber</at>", "mentioned": {"id": ALEX.teams_id, "name": "Alex Wilber"}}]
    assert "Att svara: <at>Alex Wilber</at>" in post.all_text()
