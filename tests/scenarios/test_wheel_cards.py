"""Answering the reminder card in the steering-group channel through the real HTTP route:
coordinators answer, others get a refusal in the card (HTTP 200), every posted copy is updated
in place, a stale card shows the current state; `årshjul` shows the year and its picture."""

import json

import pytest

from dialogs import wheel as reminders
from storage import outbox as outbox_repo
from storage import reminders as repo
from tests.scenarios.wheel_kit import WallClock, channel_posts, link, local
from tests.support.botkit import ALEX, ISAIAH
from tests.support.cards import verbs

UTB = "19:utbildning-styrgrupp@thread.tacv2"


async def posted(bot, linked_at=local(2026, 3, 9)):
    """Link utbildning's channel and let the tick post the 10 March reminder."""
    clock = WallClock(local(2026, 3, 10, 9, 0))
    bot.services.clock = clock
    link(bot.services.db, "utbildning", UTB, bot.connector.url, linked_at=linked_at)
    await reminders.tick(bot.services)
    row = await bot.query(repo.by_key, "mar-steering-material", "2026-03", "utbildning")
    assert row.status == "sent"
    return row, clock


def card_of(body: dict) -> dict:
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    return body["value"]


def text_of(card: dict) -> str:
    return json.dumps(card, ensure_ascii=False)


async def test_a_member_who_is_not_coordinator_gets_a_refusal_in_the_card(bot):
    row, _ = await posted(bot)
    status, body = await bot.invoke({"verb": "reminder.done", "occurrence_id": row.id}, user=ISAIAH)
    assert status == 200
    card = card_of(body)
    assert "Bara koordinatorerna för Utbildning kan svara på den här påminnelsen. Fråga Alex Wilber." in text_of(card)
    assert verbs(card) == []
    after = await bot.query(repo.get, row.id)
    assert after.status == "sent" and after.answer is None
    await bot.services.outbox.drain()
    assert not [s for s in bot.connector.sent if s.method == "PUT"]


async def test_refresh_gives_coordinators_buttons_and_others_the_read_only_card(bot):
    row, _ = await posted(bot)
    status, body = await bot.invoke({"verb": "reminder.refresh", "occurrence_id": row.id}, user=ALEX)
    assert status == 200
    assert verbs(card_of(body)) == ["reminder.done", "reminder.start", "reminder.snooze", "reminder.na"]
    status, body = await bot.invoke({"verb": "reminder.refresh", "occurrence_id": row.id}, user=ISAIAH)
    assert status == 200 and verbs(card_of(body)) == []
    assert "Bara koordinatorerna" not in text_of(card_of(body))


async def test_done_updates_the_posted_card_for_everyone_and_a_stale_card_shows_the_state(bot):
    row, clock = await posted(bot)
    original = channel_posts(bot.connector, UTB)[0]
    clock.now = local(2026, 3, 11, 14, 0)
    status, body = await bot.invoke({"verb": "reminder.done", "occurrence_id": row.id}, user=ALEX)
    assert status == 200
    card = card_of(body)
    assert "Markerad som klar av Alex Wilber den 2026-03-11." in text_of(card)
    assert verbs(card) == []  # closed: nothing more to click
    saved = await bot.query(repo.get, row.id)
    assert (saved.status, saved.answer, saved.answered_by) == ("answered", "done", ALEX.aad_id)

    await bot.services.outbox.drain()
    updates = [s for s in bot.connector.sent if s.method == "PUT"]
    assert len(updates) == 1
    assert updates[0].conversation_id == UTB and updates[0].activity_id == original.activity_id
    shared = updates[0].card
    assert "Markerad som klar av Alex Wilber" in text_of(shared) and "actions" not in shared
    assert "refresh" not in shared  # closed: no personal view needed any more

    # Someone clicks an old copy of the card: no second answer, the current state instead.
    status, body = await bot.invoke({"verb": "reminder.snooze", "occurrence_id": row.id,
                                     "snooze_until": "2026-03-20"}, user=ALEX)
    assert status == 200
    stale = text_of(card_of(body))
    assert "Påminnelsen är redan besvarad" in stale and "Markerad som klar av Alex Wilber" in stale
    again = await bot.query(repo.get, row.id)
    assert again.answer == "done" and again.snooze_until is None
    await bot.services.outbox.drain()
    assert len([s for s in bot.connector.sent if s.method == "PUT"]) == 1


async def test_snooze_needs_a_future_date_and_then_shows_until_when(bot):
    row, clock = await posted(bot)
    status, body = await bot.invoke({"verb": "reminder.snooze", "occurrence_id": row.id,
                                     "snooze_until": "2026-03-01"}, user=ALEX)
    assert status == 200 and "Välj ett datum efter i dag" in text_of(card_of(body))
    assert (await bot.query(repo.get, row.id)).answer is None

    status, body = await bot.invoke({"verb": "reminder.snooze", "occurrence_id": row.id,
                                     "snooze_until": "2026-03-13"}, user=ALEX)
    assert status == 200
    card = card_of(body)
    assert "Pausad av Alex Wilber den 2026-03-10 till 2026-03-13." in text_of(card)
    assert "reminder.done" in verbs(card)  # a snooze leaves the reminder open
    saved = await bot.query(repo.get, row.id)
    assert saved.answer == "snoozed" and str(saved.snooze_until) == "2026-03-13" and saved.status == "sent"


async def test_not_applicable_needs_a_reason(bot):
    row, _ = await posted(bot)
    status, body = await bot.invoke({"verb": "reminder.na", "occurrence_id": row.id, "reason": "  "}, user=ALEX)
    assert status == 200 and "Skriv kort varför" in text_of(card_of(body))
    status, body = await bot.invoke({"verb": "reminder.na", "occurrence_id": row.id,
                                     "reason": "Inget möte i mars, *vi* ses i april"}, user=ALEX)
    card = card_of(body)
    assert "Markerad som ej aktuell av Alex Wilber" in text_of(card)
    saved = await bot.query(repo.get, row.id)
    assert saved.answer == "not_applicable" and saved.reason == "Inget möte i mars, *vi* ses i april"
    # The reason is user text: shown as a TextRun, never as markdown.
    runs = [b for b in card["body"] if b.get("type") == "RichTextBlock"]
    assert runs and runs[0]["inlines"][0]["text"] == "Inget möte i mars, *vi* ses i april"


async def test_start_opens_the_quarter_status_report_draft_in_a_private_chat(bot):
    row, _ = await posted(bot)
    status, body = await bot.invoke({"verb": "reminder.start", "occurrence_id": row.id}, user=ALEX)
    assert status == 200
    assert "Jag har skickat det du behöver i vår privata chatt" in text_of(card_of(body))
    await bot.services.outbox.drain()
    personal = [s for s in bot.connector.sent if s.method == "POST" and s.conversation_id == ALEX.personal_conversation]
    assert len(personal) == 1
    text = personal[0].all_text()
    assert "Statusrapport Utbildning 2026-Q1" in text  # the March reminder: the first quarter's draft
    assert "Version 1, utkast · sida 1 av 4: Mål 1–3" in text
    assert "report.submit" in text_of(personal[0].card)
    saved = await bot.query(repo.get, row.id)
    assert saved.answer == "started" and saved.status == "sent"


async def test_an_answer_leaves_its_follow_ups_in_the_outbox_and_sends_nothing_itself(bot):
    row, _ = await posted(bot)
    original = channel_posts(bot.connector, UTB)[0]
    await bot.services.outbox.stop(0)  # from here on, only a drain sends outbox rows
    before = len(bot.connector.sent)
    status, body = await bot.invoke({"verb": "reminder.start", "occurrence_id": row.id}, user=ALEX)
    assert status == 200
    assert "Jag har skickat det du behöver i vår privata chatt" in text_of(card_of(body))
    assert len(bot.connector.sent) == before  # the answer is the card; nothing proactive went out
    rows = await bot.query(outbox_repo.rows_for, repo.subject_of(row.id) + ":")
    assert sorted((r.kind, r.recipient, r.status) for r in rows) == [
        ("reminder.start", f"person:{ALEX.aad_id}", "pending"),
        ("reminder.update", f"updates:{repo.subject_of(row.id)}", "pending"),
    ]

    await bot.services.outbox.drain()
    updates = [s for s in bot.connector.sent if s.method == "PUT"]
    assert [(u.conversation_id, u.activity_id) for u in updates] == [(UTB, original.activity_id)]
    assert "Påbörjad av Alex Wilber" in text_of(updates[0].card)
    personal = [s for s in bot.connector.sent if s.method == "POST" and s.conversation_id == ALEX.personal_conversation]
    assert len(personal) == 1 and "Statusrapport Utbildning 2026-Q1" in personal[0].all_text()  # the draft
    rows = await bot.query(outbox_repo.rows_for, repo.subject_of(row.id) + ":")
    assert [r.status for r in rows] == ["sent", "sent"]


async def test_wheel_command_shows_the_year_with_statuses_and_a_picture(bot):
    row, clock = await posted(bot, linked_at=local(2026, 1, 1))  # down since January
    await bot.invoke({"verb": "reminder.done", "occurrence_id": row.id}, user=ALEX)
    replies = await bot.say("årshjul", user=ISAIAH)  # member of utbildning, chair of ekonomi
    cards = [r.card for r in replies if r.cards]
    overview = [c for c in cards if c["fallbackText"] == "Årshjul 2026"]
    assert len(overview) == 1
    text = text_of(overview[0])
    assert "Utbildning" in text and "Ekonomi och personal" in text and "Forskning" not in text
    assert "✅ 10/3 Skriv underlaget till styrgruppens möte" in text
    assert "❌ 3/3 Förbered Trattenmötet för andra kvartalet" in text  # missed (before grace), unanswered
    assert "▸ Mars" in text  # the current month
    assert "Ingen styrgruppskanal är kopplad" in text  # ekonomi has no channel
    assert "◌ Inte skickad" in text and "Kunde inte skickas" not in text  # the legend: what the year holds
    pictures = [c for c in cards if any(b.get("type") == "Image" for b in c["body"])]
    assert [p["fallbackText"] for p in pictures] == ["Årshjul 2026 · Ekonomi och personal", "Årshjul 2026 · Utbildning"]
    for picture in pictures:
        image = next(b for b in picture["body"] if b.get("type") == "Image")
        assert image["url"].startswith("data:image/png;base64,")
        assert len(json.dumps(picture).encode()) < 25_000


def picture_list(card: dict) -> list[tuple[str, str]]:
    """The numbered list under a wheel picture: (number, text)."""
    facts = next(b for b in card["body"] if b.get("type") == "FactSet")["facts"]
    return [(f["title"], f["value"]) for f in facts]


async def test_the_wheel_picture_numbers_its_marks_and_tells_failed_from_missed(bot):
    row, _clock = await posted(bot, linked_at=local(2026, 1, 1))  # down since January

    def fail(session):
        failed = repo.by_key(session, "feb-budget-dialogue", "2026-02", "utbildning")
        failed.status = "failed"  # a delivery Teams refused, not a reminder missed while Styra was down
        session.add(failed)

    await bot.query(fail)
    replies = await bot.say("årshjul utbildning", user=ISAIAH)
    pictures = [r.card for r in replies if r.cards and any(b.get("type") == "Image" for b in r.card["body"])]
    assert [p["fallbackText"] for p in pictures] == ["Årshjul 2026 · Utbildning"]  # only the e-area asked for
    [overview] = [r.card for r in replies if r.cards and r.card["fallbackText"] == "Årshjul 2026"]
    assert "⚠️ 17/2 För in de stora behoven i budgetdialogen" in text_of(overview)
    assert "⚠️ Kunde inte skickas" in text_of(overview)  # in the card's legend too
    listed = picture_list(pictures[0])
    assert [number for number, _ in listed] == [str(n) for n in range(1, 23)]  # numbered in date order
    assert listed[0] == ("1", "7/1 Starta året med ett uppstartsmöte · ❌ Missad")
    assert listed[2] == ("3", "17/2 För in de stora behoven i budgetdialogen · ⚠️ Kunde inte skickas")
    assert listed[4] == ("5", "10/3 Skriv underlaget till styrgruppens möte · 🟠 Öppen")
    assert listed[-1] == ("22", "11/12 Dags att godkänna nästa års plan · ⚪ Kommande")


async def test_past_activities_of_an_unlinked_e_area_are_not_shown_as_upcoming(bot):
    await posted(bot)  # 10 March; ekonomi has no steering-group channel
    replies = await bot.say("wheel ekonomi", user=ISAIAH)
    [picture] = [r.card for r in replies if r.cards and any(b.get("type") == "Image" for b in r.card["body"])]
    listed = dict(picture_list(picture))
    assert listed["1"].endswith("· ◌ Inte skickad") and listed["5"].endswith("· ◌ Inte skickad")  # 7/1 .. 10/3
    assert listed["6"] == "13/3 Kvartalets styrgruppsmöte närmar sig · ⚪ Kommande"


async def test_someone_without_an_e_area_gets_the_year_and_is_told_how_to_ask_for_a_picture(bot):
    await posted(bot)
    replies = await bot.say("wheel", user=ALEX.__class__("00000000-0000-0000-0000-0000000000099", "Ny Person", "user-id-99"))
    assert not [r for r in replies if r.cards and any(b.get("type") == "Image" for b in r.card["body"])]
    assert any("Skriv **årshjul <e-område>** för bilden av ett e-område." in r.all_text() for r in replies)


@pytest.mark.parametrize("key,when,expected", [
    ("jan-kickoff", (2026, 1, 7), "E-förvaltningsplan Utbildning 2026"),  # show_plan: this year's plan
    ("feb-larger-needs", (2026, 2, 4), "Behovsinventering · Utbildning"),  # needs_inventory
])
async def test_start_opens_the_plan_or_the_needs_inventory(bot, key, when, expected):
    bot.services.clock = WallClock(local(*when, 9, 0))
    link(bot.services.db, "utbildning", UTB, bot.connector.url, linked_at=local(2026, 1, 1))
    await reminders.tick(bot.services)
    row = await bot.query(repo.by_key, key, f"{when[0]}-{when[1]:02d}", "utbildning")
    status, _body = await bot.invoke({"verb": "reminder.start", "occurrence_id": row.id}, user=ALEX)
    assert status == 200
    await bot.services.outbox.drain()
    personal = [s for s in bot.connector.sent if s.method == "POST" and s.conversation_id == ALEX.personal_conversation]
    assert len(personal) == 1 and expected in personal[0].all_text()
