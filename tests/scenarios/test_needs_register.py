"""Registering a need through the real HTTP route: the form, validation, similar needs, idempotency,
the coordinators' notice. Swedish and English."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import select

from storage.models import Need, NeedAffected, NeedEvent
from tests.support.botkit import ALEX, BOT_ID, CHANNEL_ID, ISAIAH, MEGAN, STRANGER, BotHarness
from tests.support.cards import buttons, inputs, nodes
from tests.support.transcript import Transcript

# These scenarios follow the notice sent for each new need (an organisation's STYRA_NEED_NOTICES
# or an e-area's `aviseringar … varje`); the daily digest has its own (test_need_notices.py).
pytestmark = pytest.mark.settings(STYRA_NEED_NOTICES="each")


NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def fixed_clock(bot) -> None:
    bot.services.clock = lambda: NOW


def find_card(replies, verb: str) -> dict:
    for reply in replies:
        for card in reply.cards:
            if any(b.get("data", {}).get("verb") == verb for b in buttons(card)):
                return card
    raise AssertionError(f"no card with a {verb} button in {[r.all_text()[:120] for r in replies]}")


def submit_data(card: dict, **values: Any) -> dict:
    button = next(b for b in buttons(card) if b["data"].get("verb") == "need.submit")
    data = dict(button["data"])
    data.update(values)
    return data


GOOD = {"title": "Samlad digital kursanmälan för fristående kurser", "description": "Studenter anmäler sig i tre system.",
        "e_area": "utbildning", "source": "staff", "on_behalf_of": "Studentexpeditionen",
        "benefit": "Färre ärenden", "hours": "120", "cost": "150 000", "wished_date": "2026-09-01"}


async def open_form(bot, user=ISAIAH, text="nytt behov") -> dict:
    return find_card(await bot.say(text, user=user), "need.submit")


async def register(bot, user=ISAIAH, **values) -> list:
    form = await open_form(bot, user)
    return await bot.click(submit_data(form, **{**GOOD, **values}), user=user)


async def drain(bot) -> None:
    """Send every outbox row that is due (the coordinators' notices)."""
    await bot.services.outbox.drain()


async def notice_rows(bot) -> list:
    from storage import outbox

    return await bot.query(lambda s: outbox.rows_for(s, "need:"))


async def needs(bot) -> list[Need]:
    return await bot.query(lambda s: list(s.exec(select(Need).order_by(Need.id))))


# --- a full registration ---------------------------------------------------------------------


async def test_full_registration_in_swedish(bot):
    fixed_clock(bot)
    replies = await register(bot, goals="")
    text = "\n".join(r.all_text() for r in replies)
    assert "Behov B-2026-0001 är registrerat" in text
    assert "Vad händer nu" in text
    assert "Koordinatorerna för Utbildning (Alex Wilber) bedömer behovet mot planen" in text
    [need] = await needs(bot)
    assert (need.number, need.title, need.effort_hours, need.cost_sek) == ("B-2026-0001", GOOD["title"], 120, 150_000)
    assert need.on_behalf_of == "Studentexpeditionen" and need.raised_by == ISAIAH.aad_id
    assert str(need.wished_date) == "2026-09-01" and need.status == "registered"
    events = await bot.query(lambda s: list(s.exec(select(NeedEvent))))
    assert [(e.need_id, e.kind, e.actor) for e in events] == [(need.id, "registered", ISAIAH.aad_id)]


async def test_full_registration_in_english_with_plan_goals(bot):
    fixed_clock(bot)
    convo = Transcript(bot, STRANGER)
    await convo.say("new need")
    form = convo.expect_card(verb="need.submit")
    assert "Register a need" in json.dumps(form)
    goal_choices = inputs(form)["goals"]["choices"]
    ours = [c["value"] for c in goal_choices if c["title"].startswith("Education – ")]
    await convo.click(form, "Send", inputs={**GOOD, "title": "Exam room booking", "goals": ",".join(ours[:2])})
    text = convo.text
    assert "Need B-2026-0001 is registered" in text and "What happens next" in text
    from storage.models import NeedGoal

    links = await bot.query(lambda s: list(s.exec(select(NeedGoal))))
    assert sorted(str(link.goal_id) for link in links) == sorted(ours[:2])


async def test_free_text_starts_the_form_with_the_title_filled_in(bot):
    form = await open_form(bot, ISAIAH, "Vi behöver ett gemensamt bokningssystem för labbsalar")
    assert inputs(form)["title"]["value"] == "Ett gemensamt bokningssystem för labbsalar"
    form = await open_form(bot, STRANGER, "We need better exam scheduling")
    assert inputs(form)["title"]["value"] == "Better exam scheduling"


async def test_welcome_card_button_opens_the_form(bot):
    replies = await bot.click({"verb": "need.start"}, user=ISAIAH)
    form = find_card(replies, "need.submit")
    assert inputs(form)["title"].get("value") is None
    assert "Registrera ett behov" in json.dumps(form, ensure_ascii=False)


# --- similar needs -----------------------------------------------------------------------------


async def test_near_identical_need_is_suggested_and_joining_creates_no_duplicate(bot):
    fixed_clock(bot)
    await register(bot, ISAIAH)
    convo = Transcript(bot, MEGAN)
    await convo.say("nytt behov")
    form = convo.expect_card(verb="need.submit")
    await convo.click(form, "Skicka", inputs={**GOOD, "title": "Fristående kurser: samlad digital kursanmalan"})
    similar = convo.expect_card(verb="need.join")
    text = convo.text
    assert "Är det något av de här?" in text and "B-2026-0001" in text
    # what Megan typed is still on the card, so "new need" would save it
    assert inputs(similar)["title"]["value"] == "Fristående kurser: samlad digital kursanmalan"
    join = "Samma behov – lägg till mig som berörd"
    replies = await convo.click(similar, join)
    assert "Du står nu som berörd av B-2026-0001" in "\n".join(r.all_text() for r in replies)
    replies = await convo.click(similar, join)  # twice: still one row
    assert "Du står redan som berörd" in "\n".join(r.all_text() for r in replies)
    assert len(await needs(bot)) == 1
    rows = await bot.query(lambda s: list(s.exec(select(NeedAffected))))
    assert [(r.aad_id, r.name) for r in rows] == [(MEGAN.aad_id, "Megan Bowen")]
    kinds = await bot.query(lambda s: [e.kind for e in s.exec(select(NeedEvent).order_by(NeedEvent.id))])
    assert kinds == ["registered", "affected_added"]


async def test_new_need_after_the_suggestion_saves_a_second_need(bot):
    fixed_clock(bot)
    await register(bot, ISAIAH)
    form = await open_form(bot, MEGAN)
    replies = await bot.click(submit_data(form, **GOOD), user=MEGAN)
    similar = find_card(replies, "need.join")
    replies = await bot.click(submit_data(similar, **GOOD), user=MEGAN)
    assert submit_data(similar)["confirmed"] is True
    assert "Behov B-2026-0002 är registrerat" in "\n".join(r.all_text() for r in replies)
    assert len(await needs(bot)) == 2


async def test_unrelated_need_gets_no_suggestion(bot):
    fixed_clock(bot)
    await register(bot, ISAIAH)
    replies = await register(bot, MEGAN, title="Nytt system för lönerevision", description="Lönerevisionen görs i Excel.")
    text = "\n".join(r.all_text() for r in replies)
    assert "Är det något av de här?" not in text and "B-2026-0002 är registrerat" in text


async def test_a_similar_need_in_another_e_area_is_not_suggested(bot):
    fixed_clock(bot)
    await register(bot, ISAIAH)
    replies = await register(bot, MEGAN, e_area="forskning")
    assert "B-2026-0002 är registrerat" in "\n".join(r.all_text() for r in replies)


async def test_the_author_cannot_join_their_own_need(bot):
    fixed_clock(bot)
    await register(bot, ISAIAH)
    [need] = await needs(bot)
    replies = await bot.click({"verb": "need.join", "need_id": need.id}, user=ISAIAH)
    assert "Du har själv registrerat B-2026-0001" in "\n".join(r.all_text() for r in replies)
    assert await bot.query(lambda s: list(s.exec(select(NeedAffected)))) == []


# --- bad input -----------------------------------------------------------------------------------


async def bad_submit(bot, user=ISAIAH, **values):
    fixed_clock(bot)
    form = await open_form(bot, user)
    replies = await bot.click(submit_data(form, **{**GOOD, **values}), user=user)
    again = find_card(replies, "need.submit")
    assert await needs(bot) == []
    return again, "\n".join(r.all_text() for r in replies)


@pytest.mark.parametrize("title", ["", "   \t  "])
async def test_empty_title_reshows_the_form_with_everything_kept(bot, title):
    card, text = await bad_submit(bot, title=title)
    assert "Kontrollera de markerade fälten" in text and "Ge behovet en kort rubrik." in text
    fields = inputs(card)
    assert fields["description"]["value"] == GOOD["description"]
    assert fields["cost"]["value"] == "150 000" and fields["hours"]["value"] == "120"
    assert fields["e_area"]["value"] == "utbildning" and fields["wished_date"]["value"] == "2026-09-01"
    assert fields["title"]["errorMessage"] == "Ge behovet en kort rubrik."
    summary = card["body"][1]
    assert summary["type"] == "Container" and summary["style"] == "attention"


async def test_50000_character_description_is_refused_and_the_rest_kept(bot):
    long_text = "Lång text å ä ö. " * 2942 + "slut"
    assert len(long_text) >= 50_000
    card, text = await bad_submit(bot, description=long_text)
    assert "Beskrivningen är för lång: högst 3 000 tecken" in text
    fields = inputs(card)
    assert fields["title"]["value"] == GOOD["title"]
    assert fields["description"]["value"] == long_text[:3000]


@pytest.mark.parametrize(("hours", "message"), [
    ("-5", "Talet kan inte vara negativt."),
    ("många", "Skriv timmarna som ett heltal, till exempel 40."),
    ("12,5", "Skriv timmarna som ett heltal, till exempel 40."),
])
async def test_negative_or_non_numeric_hours(bot, hours, message):
    card, text = await bad_submit(bot, hours=hours)
    assert message in text
    assert inputs(card)["hours"]["value"] == hours


async def test_date_in_the_past(bot):
    card, text = await bad_submit(bot, wished_date="2026-03-09")
    assert "Datumet har redan passerat" in text
    assert inputs(card)["wished_date"]["min"] == "2026-03-10"


async def test_e_area_that_does_not_exist(bot):
    card, text = await bad_submit(bot, e_area="hemliga-projekt")
    assert "Det e-området finns inte. Välj ett i listan." in text
    assert inputs(card)["title"]["value"] == GOOD["title"]


async def test_wrong_types_and_missing_fields(bot):
    fixed_clock(bot)
    form = await open_form(bot)
    data = submit_data(form, title=["inte", "text"], hours={"x": 1}, description=GOOD["description"],
                       e_area="utbildning", unexpected="ignored", verb="need.submit")
    replies = await bot.click(data)
    text = "\n".join(r.all_text() for r in replies)
    assert "Värdet gick inte att läsa. Fyll i det igen." in text
    card = find_card(replies, "need.submit")
    assert inputs(card)["description"]["value"] == GOOD["description"]
    assert await needs(bot) == []


async def test_missing_title_field_entirely_and_english_messages(bot):
    fixed_clock(bot)
    form = await open_form(bot, STRANGER, "new need")
    data = {k: v for k, v in submit_data(form, **GOOD).items() if k != "title"}
    replies = await bot.click(data, user=STRANGER)
    text = "\n".join(r.all_text() for r in replies)
    assert "Please check the marked fields" in text and "Give the need a short title." in text


async def test_damaged_form_id_shows_the_form_again_with_what_was_typed(bot):
    fixed_clock(bot)
    replies = await bot.click({"verb": "need.submit", "form_id": 12, **GOOD})
    text = "\n".join(r.all_text() for r in replies)
    assert "Formuläret gick inte att läsa, så ingenting sparades" in text
    card = find_card(replies, "need.submit")
    assert inputs(card)["title"]["value"] == GOOD["title"]
    assert await needs(bot) == []


async def test_markdown_and_links_in_text_stay_literal(bot):
    fixed_clock(bot)
    evil = "**Viktigt** [klicka](https://evil.example) <at>x</at>"
    await register(bot, title=evil, description="# rubrik\n- punkt https://evil.example")
    [need] = await needs(bot)
    assert need.title == evil
    replies = await bot.say(f"behov {need.number}", user=ISAIAH)
    card = replies[-1].card
    blocks = [el for el in nodes(card) if el.get("type") == "TextBlock"]
    assert not any("evil.example" in b["text"] and "](" in b["text"] for b in blocks)
    runs = [el["text"] for el in nodes(card) if el.get("type") == "TextRun"]
    assert evil in runs
    facts = [el for el in nodes(card) if el.get("type") == "FactSet"]
    assert "https://" not in json.dumps(facts)


# --- idempotency ---------------------------------------------------------------------------------


async def test_the_same_submit_twice_with_a_new_activity_id_gives_one_need(bot):
    fixed_clock(bot)
    form = await open_form(bot)
    data = submit_data(form, **GOOD)
    first = await bot.click(data)
    second = await bot.click(data)
    assert "Behov B-2026-0001 är registrerat" in second[-1].all_text()
    assert "Du har redan skickat det här formuläret" in second[-1].all_text()
    assert "B-2026-0001" in first[-1].all_text()
    assert len(await needs(bot)) == 1


async def test_the_same_activity_delivered_twice_is_handled_once(bot):
    fixed_clock(bot)
    form = await open_form(bot)
    body = bot.activity(ISAIAH, value=submit_data(form, **GOOD), activity_id="dup-1")
    first = await bot.send(body)
    await drain(bot)  # the first delivery's coordinator notice goes out after the answer
    second = await bot.send(body)
    assert first and second == []
    assert len(await needs(bot)) == 1


async def test_concurrent_duplicate_submits_give_one_need(any_bot):
    bot = any_bot
    fixed_clock(bot)
    form = await open_form(bot)
    data = submit_data(form, **GOOD)
    await asyncio.gather(*(bot.click(data, user=ISAIAH) for _ in range(4)))
    assert [n.number for n in await needs(bot)] == ["B-2026-0001"]
    [need] = await needs(bot)
    assert [r.key for r in await notice_rows(bot)] == [f"need:{need.id}:notice:{ALEX.aad_id}"]


async def test_numbers_count_up_per_year(any_bot):
    bot = any_bot
    fixed_clock(bot)
    await register(bot, ISAIAH, title="Första behovet om lönesystem")
    await register(bot, MEGAN, title="Andra behovet om kartor", e_area="ekonomi")
    assert [n.number for n in await needs(bot)] == ["B-2026-0001", "B-2026-0002"]


async def test_submit_updates_the_clicked_card_in_place(bot):
    fixed_clock(bot)
    form = await open_form(bot)
    replies = await bot.click(submit_data(form, **{**GOOD, "title": ""}), user=ISAIAH, replyToId="form-activity-1")
    assert [r.method for r in replies] == ["PUT"]
    assert replies[0].activity_id == "form-activity-1"


# --- telling the coordinators --------------------------------------------------------------------


async def test_coordinators_are_told_in_the_linked_steering_channel(bot):
    fixed_clock(bot)
    await bot.say("koppla utbildning", user=ALEX, kind="channel")
    before = len(bot.connector.sent)
    await register(bot, ISAIAH)
    await drain(bot)
    [need] = await needs(bot)
    notices = [s for s in bot.connector.sent[before:] if s.conversation_id == CHANNEL_ID]
    assert len(notices) == 1
    card = notices[0].card
    assert "Nytt behov i Utbildning: B-2026-0001" in notices[0].all_text()
    assert {"verb": "assess.open", "need_id": need.id} in [b["data"] for b in buttons(card)]


async def test_coordinators_are_told_one_to_one_when_no_channel_is_linked(bot):
    fixed_clock(bot)
    await register(bot, ISAIAH)
    await drain(bot)
    to_alex = [s for s in bot.connector.sent if s.cards and "Nytt behov i Utbildning" in s.all_text()]
    assert len(to_alex) == 1 and to_alex[0].conversation_id != ISAIAH.personal_conversation


@pytest.fixture
async def personal_bot(db_url, connector):
    harness = await BotHarness.start(db_url, connector=connector, STYRA_NOTIFY_COORDINATORS_IN="personal",
                                     STYRA_NEED_NOTICES="each")
    yield harness
    await harness.close(connector_too=False)


async def test_personal_notices_go_to_each_coordinator_but_not_the_author(personal_bot):
    bot = personal_bot
    fixed_clock(bot)
    await bot.say("koppla forskning", user=ALEX, kind="channel")
    await bot.say("hej", user=ALEX)  # Alex's 1:1 chat is known
    before = len(bot.connector.sent)
    await register(bot, MEGAN, e_area="forskning")
    await drain(bot)
    notices = [s for s in bot.connector.sent[before:] if "Nytt behov i Forskning" in s.all_text()]
    assert [s.conversation_id for s in notices] == [ALEX.personal_conversation]
    before = len(bot.connector.sent)
    await register(bot, ALEX, title="Ett helt annat behov om arkivering", e_area="forskning")
    await drain(bot)
    assert not [s for s in bot.connector.sent[before:] if "Nytt behov i Forskning" in s.all_text()]


async def test_a_coordinator_notice_failure_does_not_fail_the_registration(bot):
    fixed_clock(bot)
    await bot.say("koppla utbildning", user=ALEX, kind="channel")
    form = await open_form(bot)

    async def broken(*args, **kwargs):
        raise RuntimeError("Teams is down")

    bot.services.outbound.send = broken  # every send of an outbox row fails
    replies = await bot.click(submit_data(form, **GOOD), user=ISAIAH)
    await drain(bot)
    assert len(await needs(bot)) == 1
    text = "\n".join(r.all_text() for r in replies)
    assert "B-2026-0001 är registrerat" in text and "Incident" not in text
    # the notice is kept for a later try, not lost
    assert [(r.status, r.attempts) for r in await notice_rows(bot)] == [("pending", 1)]


async def test_the_notice_is_written_with_the_need_and_a_repeated_submit_adds_none(bot):
    fixed_clock(bot)
    await bot.say("koppla utbildning", user=ALEX, kind="channel")
    form = await open_form(bot)
    data = submit_data(form, **GOOD)
    await bot.click(data, user=ISAIAH)
    [need] = await needs(bot)
    [row] = await notice_rows(bot)
    assert (row.key, row.recipient, row.subject) == (f"need:{need.id}:notice:steering:utbildning", "linked:steering:utbildning",
                                                     f"need:{need.id}")
    await drain(bot)
    before = len(bot.connector.sent)
    second = await bot.click(data, user=ISAIAH)
    await drain(bot)
    assert "Du har redan skickat det här formuläret" in second[-1].all_text()
    assert len(await notice_rows(bot)) == 1
    assert not [s for s in bot.connector.sent[before:] if "Nytt behov i Utbildning" in s.all_text()]


async def test_each_coordinator_is_told_in_their_own_language(personal_bot):
    bot = personal_bot
    fixed_clock(bot)
    await bot.say("språk engelska", user=ALEX)
    await register(bot, MEGAN, e_area="forskning")
    await drain(bot)
    [notice] = [s for s in bot.connector.sent if s.conversation_id == ALEX.personal_conversation and s.cards
                and "B-2026-0001" in s.all_text()]
    assert "New need in Research: B-2026-0001" in notice.all_text()
    assert "Nytt behov" not in notice.all_text()


assert BOT_ID  # the harness's bot id is what channel mentions point at


def test_the_similarity_index_picks_up_needs_committed_late(db):
    """A need whose lower id becomes visible after a higher one (PostgreSQL sequences) is still found."""
    from bot.similar import SimilarIndex
    from storage.demo import load_demo

    db.call(load_demo)

    def add(session, title, need_id):
        session.add(Need(id=need_id, number=f"B-2026-{need_id:04d}", e_area_id=1, title=title, raised_by="a"))

    index = SimilarIndex()
    db.call(add, "Gemensam bokning av labbsalar", 10)
    assert db.call(lambda s: index.search(s, 1, "Bokning av labbsalar gemensam", ""))
    db.call(add, "Digital tentamen för distansstudenter", 5)  # "committed" later, lower id
    hits = db.call(lambda s: index.search(s, 1, "Digitala tentamina för distansstudenter", ""))
    assert [need.title for need, _score in hits] == ["Digital tentamen för distansstudenter"]
