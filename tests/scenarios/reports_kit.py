"""Set-up for the status-report scenarios: the demo organisation with a second coordinator and a
chair of their own for Utbildning, linked steering and portfolio channels, a clock the bot and
its database share, a submitted Q1 report to carry forward, and reading the cards that arrive."""

from __future__ import annotations

import datetime as dt

from bot.rules.reports import Colour, Period
from dialogs import wheel as reminders
from storage import org
from storage import reminders as reminder_repo
from storage import reports as repo
from storage.models import Role
from tests.scenarios.wheel_kit import WallClock, local
from tests.support.botkit import ALEX, ISAIAH, MEGAN, User
from tests.support.decision_kit import PORTFOLIO_CHANNEL, link_channels

UTB_CHANNEL = "19:steering@thread.tacv2"  # tests.support.botkit.CHANNEL_ID, linked to utbildning
JUNE_9 = (2026, 6, 9)  # the June material reminder (five working days before the 16 June meeting)


def set_clock(bot, when: dt.datetime) -> WallClock:
    """One clock for the turn, the tick and the rows the database stamps."""
    clock = WallClock(when)
    bot.services.clock = clock
    bot.services.db.clock = clock
    return clock


def organise(session, service_url: str) -> None:
    """Megan is Utbildning's second coordinator (business and IT), Isaiah its chair; Alex, the
    other coordinator, is also in the portfolio office (demo)."""
    utb = org.e_area_by_slug(session, "utbildning")
    org.revoke(session, utb, ALEX.aad_id, Role.chair)
    org.grant(session, utb, MEGAN.aad_id, Role.coordinator, "test")
    org.grant(session, utb, ISAIAH.aad_id, Role.chair, "test")
    link_channels(session, service_url)


async def setup(bot, when=(*JUNE_9, 9, 0)) -> WallClock:
    clock = set_clock(bot, local(*when))
    await bot.query(organise, bot.connector.url)
    return clock


def sent_report(session, now: dt.datetime, *, slug: str = "utbildning", period: Period = Period(2026, 1),
                colours=(Colour.green, Colour.yellow, Colour.red), deviation=None, outcome_sek: int | None = None,
                who: User = ALEX) -> int:
    """A submitted report, written through the repository (for the next one to carry forward, or
    for the roll-up)."""
    from dataclasses import replace

    area = org.e_area_by_slug(session, slug)
    draft = repo.open_draft(session, area, period, actor=who.aad_id, now=now)
    content = repo.content_of(session, draft)
    goals = tuple(replace(g, colour=colours[i % len(colours)], comment="Enligt plan", forecast="Klart i år")
                  for i, g in enumerate(content.goals))
    content = replace(content, goals=goals, deviations=(deviation,) if deviation else (), outcome_sek=outcome_sek)
    saved = repo.save(session, draft.id, seen_revision=draft.revision, content=content, own_area=slug,
                      actor=who.aad_id, actor_name=who.name, now=now)
    done = repo.submit(session, draft.id, seen_revision=saved.report.revision, key=f"kit:{slug}:{period}",
                       actor=who.aad_id, actor_name=who.name, now=now)
    assert isinstance(done, repo.Saved), done
    return draft.id


def q1_report(session, now: dt.datetime, **kw) -> int:
    return sent_report(session, now, **kw)


async def june_reminder(bot):
    """Let the wheel's tick post the June material reminder to Utbildning's channel."""
    await reminders.tick(bot.services)
    row = await bot.query(reminder_repo.by_key, "jun-steering-material", "2026-06", "utbildning")
    assert row is not None and row.status == "sent", row
    return row


def personal_cards(bot, user: User) -> list[dict]:
    """Cards posted to this person's 1:1 chat, newest first."""
    return [card for s in reversed(bot.connector.sent) if s.conversation_id == user.personal_conversation
            and s.method == "POST" for card in s.cards]


def channel_posts(bot, conversation_id: str = UTB_CHANNEL, method: str = "POST") -> list:
    return [s for s in bot.connector.sent if s.conversation_id == conversation_id and s.method == method]


def portfolio_posts(bot, method: str = "POST") -> list:
    return channel_posts(bot, PORTFOLIO_CHANNEL, method)
