"""Delivery failures reach the administrators in Teams: one batched 1:1 notice a day, written by
the scheduler's minute job, listing what failed since the previous notice (reminders and outbox
rows alike) and never what was merely missed while Styra was down."""

import asyncio
import json

import pytest
from aiohttp import web

from bot.delivery_report import report_failures
from bot.scheduler import Scheduler
from storage import outbox
from tests.scenarios.test_need_notices import answer, register
from tests.scenarios.wheel_kit import WallClock, link, local
from tests.support.botkit import ALEX, ISAIAH, BotHarness
from tests.support.connector import FakeConnector

UTB = "19:utbildning-styrgrupp@thread.tacv2"


class RefusingChannel(FakeConnector):
    """Teams refusing every post to utbildning's steering channel (the bot was removed from it)."""

    async def _post_activity(self, request: web.Request) -> web.Response:
        if request.match_info["conv"] == UTB:
            self.requests.append(("POST", request.path))
            return web.json_response({"error": {"code": "BotNotInConversationRoster"}}, status=403)
        return await super()._post_activity(request)


@pytest.fixture
async def refusing_bot(any_db_url):
    connector = await RefusingChannel().start()
    harness = await BotHarness.start(any_db_url, connector=connector)
    yield harness
    await harness.close()


async def every_minute(scheduler: Scheduler) -> None:
    """One run of the minute job, in its own task as APScheduler runs it."""
    await asyncio.create_task(scheduler.tick())


def to_admin(bot) -> list:
    return [s for s in bot.connector.sent if s.method == "POST" and s.conversation_id == ALEX.personal_conversation
            and "inte har kunnat leverera" in s.all_text()]


async def test_admins_get_one_batched_notice_a_day_in_teams(refusing_bot):
    bot = refusing_bot
    clock = WallClock(local(2026, 3, 10, 9, 0))
    bot.services.clock = clock
    bot.services.db.clock = clock
    minute = Scheduler(bot.services, engine_ticks=(report_failures,))  # app.py's minute job
    await answer(bot, "hej", ALEX)  # Alex, the demo's administrator, has a 1:1 chat
    link(bot.services.db, "utbildning", UTB, bot.connector.url, linked_at=local(2026, 3, 9))
    await every_minute(minute)
    await bot.services.outbox.drain()
    [notice] = to_admin(bot)
    text = notice.text
    assert "Meddelanden som Styra inte har kunnat leverera sedan 2026-03-09 09:00: 1." in text
    assert "- Årshjulets påminnelser (reminder): 1" in text
    assert "`styra reminders status`" in text

    # More failures the same day wait for tomorrow's notice: a need's notice to the same channel.
    await answer(bot, "aviseringar utbildning varje", ALEX)
    clock.now = local(2026, 3, 10, 11, 0)
    await register(bot, ISAIAH, title="Ett behov vars avisering inte kommer fram")
    await bot.services.outbox.drain()
    failed = [r for r in await bot.query(lambda s: outbox.rows_for(s, "need:")) if r.status == "failed"]
    assert len(failed) == 1 and failed[0].recipient == "linked:steering:utbildning"
    clock.now = local(2026, 3, 10, 16, 0)
    await every_minute(minute)
    await bot.services.outbox.drain()
    assert len(to_admin(bot)) == 1  # one a day

    clock.now = local(2026, 3, 11, 9, 0)
    await every_minute(minute)
    await every_minute(minute)
    await bot.services.outbox.drain()
    notices = to_admin(bot)
    assert len(notices) == 2
    second = notices[1].text
    assert "sedan 2026-03-10 09:00: 1." in second and "- Meddelanden (notice): 1" in second
    assert "reminder" not in second  # yesterday's failure was told yesterday
    rows = await bot.query(lambda s: outbox.rows_for(s, "delivery-failures:"))
    assert [r.key for r in rows] == [f"delivery-failures:2026-03-10:{ALEX.aad_id}",
                                     f"delivery-failures:2026-03-11:{ALEX.aad_id}"]
    assert all(json.loads(r.activity)["type"] == "message" for r in rows)


async def test_reminders_missed_while_down_are_not_delivery_failures(bot):
    clock = WallClock(local(2026, 3, 16, 10, 0))
    bot.services.clock = clock
    bot.services.db.clock = clock
    await answer(bot, "hej", ALEX)
    link(bot.services.db, "utbildning", UTB, bot.connector.url, linked_at=local(2026, 3, 6))
    minute = Scheduler(bot.services, engine_ticks=(report_failures,))
    await every_minute(minute)  # 10 and 13 March were missed: posted as "still relevant?"
    await bot.services.outbox.drain()
    assert to_admin(bot) == []
