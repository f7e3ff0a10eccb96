"""The portfolio roll-up over HTTP and the scheduler's tick: every e-area's report of the quarter on
one card for the portfolio office, portfolio management, chairs and administrators; a late e-area
named; its chair told once; the roll-up posted to the portfolio channel on its due date (or when
the last e-area submits) and updated in place when a late report comes in."""

import re

import pytest
from sqlmodel import select

from bot.rules.reports import Colour, Period
from dialogs.reports import portfolio
from storage.outbox_tables import OutboxMessage
from tests.scenarios.reports_kit import (
    personal_cards,
    portfolio_posts,
    sent_report,
    set_clock,
    setup,
)
from tests.scenarios.wheel_kit import local
from tests.support.botkit import ALEX, ISAIAH, MEGAN, PATTI, STRANGER, User
from tests.support.cards import inputs, text
from tests.support.transcript import Transcript

Q2 = Period(2026, 2)


def two_of_three(session) -> None:
    """Utbildning and Forskning report in time; Ekonomi och personal does not."""
    sent_report(session, local(2026, 6, 10), period=Q2, colours=(Colour.green, Colour.red), outcome_sek=1_250_000)
    sent_report(session, local(2026, 6, 11), slug="forskning", period=Q2, colours=(Colour.yellow,))


async def submit_ekonomi(bot) -> Transcript:
    """Megan, Ekonomi's coordinator, writes and submits its report through the chat."""
    convo = Transcript(bot, MEGAN)
    await convo.say("statusrapport ekonomi")
    form = convo.expect_card(verb="report.submit")
    colours = {key: "green" for key in inputs(form) if re.match(r"g\d+_colour$", key)}
    await convo.click(form, "Lämna in", colours)
    return convo


async def test_the_rollup_names_the_late_e_area_tells_its_chair_and_is_posted_on_its_due_date(bot):
    await setup(bot)
    await bot.query(two_of_three)

    set_clock(bot, local(2026, 6, 15, 9, 0))  # after the e-areas' due date (12 June), before the roll-up's (16 June)
    office = Transcript(bot, PATTI)
    await office.say("portfölj")
    card = office.expect_card("Portföljens status 2026-Q2")
    shown = text(card)
    assert "2 av 3 e-områden har rapporterat · senast 2026-06-12" in shown
    assert "Sena eller saknas: Ekonomi och personal" in shown
    assert "🟢 2  🟡 0  🔴 1" in shown and "50 %" in shown  # Utbildning: colours and frame used

    chair = Transcript(bot, User(ISAIAH.aad_id, ISAIAH.name, ISAIAH.teams_id, "en-US"))  # a chair sees it too
    await chair.say("portfolio")
    chair.expect_text("2 of 3 e-areas have reported")
    stranger = Transcript(bot, STRANGER)
    await stranger.say("portfolio")
    stranger.expect_text("The portfolio roll-up is for the portfolio office, portfolio management")

    # The tick: Ekonomi's chair (Isaiah, who writes in English) is told once, in English; nothing in
    # the portfolio channel yet.
    await portfolio.tick(bot.services)
    await bot.services.outbox.drain()
    told = [c for c in personal_cards(bot, ISAIAH) if "The status report of Finance and HR is late" in text(c)]
    assert len(told) == 1 and "The report for 2026-Q2 was due 2026-06-12" in text(told[0])
    assert "Coordinators: Megan Bowen." in text(told[0])
    assert portfolio_posts(bot) == []
    # A second round (as after a restart): the outbox key still holds
    await portfolio.tick(bot.services)
    rows = await bot.query(lambda s: list(s.exec(select(OutboxMessage).where(OutboxMessage.key.startswith("report-late")))))
    assert [r.key for r in rows] == [f"report-late:2026-Q2:ekonomi:{ISAIAH.aad_id}"]

    # The roll-up's due date: posted to the portfolio channel, naming the late one.
    set_clock(bot, local(2026, 6, 16, 9, 0))
    await portfolio.tick(bot.services)
    await bot.services.outbox.drain()
    posted = portfolio_posts(bot)
    assert len(posted) == 1
    assert "Sena eller saknas: Ekonomi och personal" in text(posted[0].card)

    # The late report comes in: the posted roll-up is updated in place.
    await submit_ekonomi(bot)
    await bot.services.outbox.drain()
    updates = portfolio_posts(bot, "PUT")
    assert updates and updates[-1].activity_id == posted[0].activity_id
    assert "3 av 3 e-områden har rapporterat" in text(updates[-1].card)
    assert "Ekonomi och personal · Inlämnad" in text(updates[-1].card) and "sen" in text(updates[-1].card)


async def test_the_rollup_is_posted_when_the_last_e_area_submits(bot):
    await setup(bot)
    await bot.query(two_of_three)
    convo = await submit_ekonomi(bot)
    convo.expect_text("Alla e-områden har nu rapporterat: portföljens samlade status är publicerad i portföljkanalen.")
    await bot.services.outbox.drain()
    posted = portfolio_posts(bot)
    assert len(posted) == 1 and "3 av 3 e-områden har rapporterat" in text(posted[0].card)
    assert "Sena eller saknas" not in text(posted[0].card)
    # The due date's tick does not post it again.
    set_clock(bot, local(2026, 6, 16, 9, 0))
    await portfolio.tick(bot.services)
    await bot.services.outbox.drain()
    assert len(portfolio_posts(bot)) == 1


@pytest.mark.parametrize("lang", ["sv", "en"])
async def test_the_rollup_over_thirty_e_areas_fits_and_reads_on_a_phone(bot, lang):
    from storage.models import EArea

    await setup(bot)

    def more_areas(session):
        for n in range(27):
            session.add(EArea(slug=f"omrade-{n:02d}", name=f"E-område {n:02d}", name_en=f"E-area {n:02d}"))

    await bot.query(more_areas)
    await bot.query(two_of_three)
    user = PATTI if lang == "sv" else User(PATTI.aad_id, PATTI.name, PATTI.teams_id, "en-US")
    convo = Transcript(bot, user)
    await convo.say("portfölj" if lang == "sv" else "portfolio")
    card = convo.expect_card()
    import json

    assert len(json.dumps(card, ensure_ascii=False).encode()) < 25_000
    assert ("2 av 30 e-områden" if lang == "sv" else "2 of 30 e-areas") in text(card)


async def test_alex_in_the_portfolio_office_and_an_unknown_period(bot):
    await setup(bot)
    convo = Transcript(bot, ALEX)
    await convo.say("portfölj 2026-Q1")
    convo.expect_card("Portföljens status 2026-Q1")
    await convo.say("portfölj nästa år")
    convo.expect_text("Skriv perioden som år och kvartal, till exempel 2026-Q2.")


async def test_asked_in_a_channel_the_rollup_answers_in_the_private_chat(bot):
    await setup(bot)
    await bot.query(two_of_three)
    channel = Transcript(bot, PATTI, kind="channel")
    await channel.say("portfölj")
    channel.expect_text("Jag fortsätter i vår privata chatt")
    in_channel = [s for s in channel.replies if s.conversation_id.startswith("19:")]
    assert all("Portföljens status" not in s.all_text() for s in in_channel)
    assert any("Portföljens status 2026-Q2" in text(c) for c in personal_cards(bot, PATTI))
