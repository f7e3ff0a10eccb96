"""New-need notices per e-area, through the HTTP route: a daily digest by default (one outbox row
per recipient and day), a notice for each need, or none; set by the e-area's coordinators with
`aviseringar <e-område> varje|sammanfattning|av` / `notices <e-area> each|digest|off`."""

import pytest

from dialogs.needs import notices
from storage import outbox
from tests.scenarios.test_needs_register import GOOD, find_card, submit_data
from tests.scenarios.wheel_kit import WallClock, local
from tests.support.botkit import ALEX, CHANNEL_ID, ISAIAH, MEGAN, STRANGER, BotHarness
from tests.support.cards import buttons

DIGEST = "need-digest:"


def clocked(bot, when) -> WallClock:
    clock = WallClock(when)
    bot.services.clock = clock
    bot.services.db.clock = clock  # the needs' created_at
    return clock


async def register(bot, user=ISAIAH, **values) -> None:
    values.setdefault("description", f"{values.get('title', GOOD['title'])}: beskrivning.")
    form = find_card(await bot.say("nytt behov", user=user), "need.submit")
    replies = await bot.click(submit_data(form, **{**GOOD, **values}), user=user)
    assert any("är registrerat" in r.all_text() for r in replies), [r.all_text()[:200] for r in replies]


async def rows(bot, prefix: str) -> list:
    return await bot.query(lambda s: outbox.rows_for(s, prefix))


async def answer(bot, text: str, user=ALEX) -> str:
    """The text answer to a command (a first message also gets the welcome card)."""
    replies = [r for r in await bot.say(text, user=user) if r.text]
    return replies[-1].text


def channel_cards(bot, since: int = 0) -> list:
    return [s for s in bot.connector.sent[since:] if s.conversation_id == CHANNEL_ID and s.cards]


async def test_by_default_the_coordinators_get_one_digest_a_day(any_bot):
    bot = any_bot
    clock = clocked(bot, local(2026, 3, 10, 13, 0))  # Tuesday
    await bot.say("koppla utbildning", user=ALEX, kind="channel")
    before = len(bot.connector.sent)
    await register(bot, ISAIAH, title="Samlad digital kursanmälan")
    clock.now = local(2026, 3, 10, 15, 0)
    await register(bot, MEGAN, title="Bokningssystem för labbsalar")
    await bot.services.outbox.drain()
    assert channel_cards(bot, before) == []  # no notice per need
    assert await rows(bot, "need:") == []

    clock.now = local(2026, 3, 11, 7, 59)  # before the digest hour: nothing yet
    assert await notices.need_digest(bot.services) == 0
    clock.now = local(2026, 3, 11, 8, 0)
    assert await notices.need_digest(bot.services) == 1
    clock.now = local(2026, 3, 11, 8, 1)
    assert await notices.need_digest(bot.services) == 0  # once a day
    await bot.services.outbox.drain()
    [digest] = channel_cards(bot, before)
    text = digest.all_text()
    assert "2 nya behov sedan förra sammanfattningen" in text
    assert "Samlad digital kursanmälan" in text and "Bokningssystem för labbsalar" in text
    assert "Registrerat av Isaiah Langer" in text and "Registrerat av Megan Bowen" in text
    assert [b["data"]["verb"] for b in buttons(digest.card)] == ["need.show" if i % 2 else "assess.open"
                                                                for i in range(4)]
    [row] = await rows(bot, DIGEST)
    assert row.key == "need-digest:2026-03-11:linked:steering:utbildning"

    # Thursday: nothing new, no digest; a need later that day is in Friday's digest only.
    clock.now = local(2026, 3, 12, 9, 0)
    assert await notices.need_digest(bot.services) == 0
    await register(bot, ISAIAH, title="Ett nytt behov om tentamenssalar")
    clock.now = local(2026, 3, 13, 8, 30)
    assert await notices.need_digest(bot.services) == 1
    await bot.services.outbox.drain()
    friday = channel_cards(bot, before)[-1].all_text()
    assert "1 nytt behov sedan förra sammanfattningen" in friday and "tentamenssalar" in friday
    assert "Samlad digital kursanmälan" not in friday
    assert [r.key for r in await rows(bot, DIGEST)] == ["need-digest:2026-03-11:linked:steering:utbildning",
                                                        "need-digest:2026-03-13:linked:steering:utbildning"]


async def test_a_coordinator_switches_to_each_need_or_off(bot):
    clock = clocked(bot, local(2026, 3, 10, 13, 0))
    await bot.say("koppla utbildning", user=ALEX, kind="channel")
    reply = await answer(bot, "aviseringar utbildning", ALEX)
    assert "Koordinatorerna för Utbildning får en sammanfattning om dagen." in reply

    reply = await answer(bot, "aviseringar utbildning varje", ALEX)
    assert reply == "Från och med nu får koordinatorerna för Utbildning ett meddelande för varje nytt behov."
    before = len(bot.connector.sent)
    await register(bot, ISAIAH)
    await bot.services.outbox.drain()
    [notice] = channel_cards(bot, before)
    assert "Nytt behov i Utbildning: B-2026-0001" in notice.all_text()
    clock.now = local(2026, 3, 11, 8, 0)
    assert await notices.need_digest(bot.services) == 0  # told already, no digest

    reply = await answer(bot, "aviseringar utbildning av", ALEX)
    assert "inga meddelanden" in reply
    before = len(bot.connector.sent)
    await register(bot, MEGAN, title="Ett annat behov om schemaläggning")
    clock.now = local(2026, 3, 12, 8, 0)
    assert await notices.need_digest(bot.services) == 0
    await bot.services.outbox.drain()
    assert channel_cards(bot, before) == [] and await rows(bot, DIGEST) == []


async def test_only_the_coordinators_or_an_admin_may_change_it_and_english_works(bot):
    reply = await answer(bot, "aviseringar utbildning av", ISAIAH)  # a member of utbildning
    assert reply == ("Bara koordinatorerna för Utbildning eller en administratör kan ändra hur de får "
                          "veta om nya behov.")
    reply = await answer(bot, "notices education", STRANGER)
    assert reply.startswith("The coordinators of Education get one digest a day.")
    reply = await answer(bot, "aviseringar", ALEX)
    assert "- Utbildning: en sammanfattning om dagen" in reply
    reply = await answer(bot, "aviseringar nowhere varje", ALEX)
    assert reply.startswith('Jag känner inte till något e-område som heter ”nowhere”. Kända e-områden:')


@pytest.fixture
async def personal_bot(db_url, connector):
    harness = await BotHarness.start(db_url, connector=connector, STYRA_NOTIFY_COORDINATORS_IN="personal")
    yield harness
    await harness.close(connector_too=False)


async def test_one_digest_a_day_per_recipient_across_e_areas_without_their_own_needs(personal_bot):
    bot = personal_bot
    clock = clocked(bot, local(2026, 3, 10, 13, 0))
    await bot.say("hej", user=ALEX)  # Alex coordinates utbildning and forskning
    await register(bot, ISAIAH, title="Samlad digital kursanmälan")
    await register(bot, MEGAN, title="Lagring av forskningsdata", e_area="forskning")
    await register(bot, ALEX, title="Alex eget behov om arkivering", e_area="forskning")
    clock.now = local(2026, 3, 11, 8, 0)
    await notices.need_digest(bot.services)
    await bot.services.outbox.drain()
    to_alex = [r for r in await rows(bot, DIGEST) if r.recipient == f"person:{ALEX.aad_id}"]
    assert [r.key for r in to_alex] == [f"need-digest:2026-03-11:person:{ALEX.aad_id}"]
    [card] = [s for s in bot.connector.sent if s.conversation_id == ALEX.personal_conversation
              and "sedan förra sammanfattningen" in s.all_text()]
    text = card.all_text()
    assert "Samlad digital kursanmälan" in text and "Lagring av forskningsdata" in text
    assert "Alex eget behov" not in text  # a coordinator knows their own need
