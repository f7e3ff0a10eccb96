"""Listing and showing needs, and the plan card, through the HTTP route (Swedish and English)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlmodel import select

from storage import needs as repo
from storage.models import Need, NeedStatus, Plan
from tests.support.botkit import ADELE, ALEX, ISAIAH, MEGAN, PATTI, STRANGER

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def seed(session):
    """Three needs: two in utbildning (one under assessment), one in ekonomi."""
    made = []
    for title, area_id, who, name in (("Bokning av grupprum", 1, ISAIAH.aad_id, "Isaiah Langer"),
                                      ("Digitala tentor för distansstudenter", 1, STRANGER.aad_id, "Sam Stranger"),
                                      ("E-faktura för små leverantörer", 3, ISAIAH.aad_id, "Isaiah Langer")):
        made.append(repo.create(session, e_area_id=area_id, year=2026, title=title, description="", source="staff",
                                raised_by=who, raised_by_name=name, on_behalf_of="", benefit="", effort_hours=None,
                                cost_sek=None, wished_date=None, at=NOW))
    repo.set_status(session, made[1], NeedStatus.under_assessment, ALEX.aad_id, "Alex Wilber")
    repo.add_affected(session, made[0], MEGAN.aad_id, "Megan Bowen")
    return [n.number for n in made]


async def start(bot):
    bot.services.clock = lambda: NOW
    await bot.say("hej", user=ISAIAH)  # loads the demo and welcomes
    area_ids = await bot.query(lambda s: {a.slug: a.id for a in __import__("storage.org", fromlist=["org"]).e_areas(s)})
    assert area_ids["utbildning"] == 1 and area_ids["ekonomi"] == 3 or area_ids
    return await bot.query(seed)


def text_of(replies) -> str:
    return "\n".join(r.all_text() for r in replies)


async def test_my_needs_lists_raised_and_joined_needs_with_status(bot):
    await start(bot)
    replies = await bot.say("mina behov", user=ISAIAH)
    text = text_of(replies)
    assert "Dina behov" in text and "Bokning av grupprum" in text and "E-faktura för små leverantörer" in text
    assert "Registrerat · Utbildning" in text and "1 berörs också" in text
    assert "Digitala tentor" not in text
    megan = text_of(await bot.say("my needs", user=MEGAN))
    assert "Bokning av grupprum" in megan and "E-faktura" not in megan


async def test_my_needs_in_english_when_empty(bot):
    bot.services.clock = lambda: NOW
    replies = await bot.say("my needs", user=STRANGER)
    assert "You have not registered any needs yet." in text_of(replies)


async def test_one_need_with_its_history(bot):
    numbers = await start(bot)
    replies = await bot.say(f"behov {numbers[1].lower()}", user=STRANGER)
    text = text_of(replies)
    assert numbers[1] in text and "Digital" in text
    assert "Sam Stranger registered the need" in text
    assert "Alex Wilber changed the status: Registered → Under assessment" in text
    card = replies[-1].card
    assert not any(a.get("data", {}).get("verb") == "assess.open" for a in card.get("actions", []))


async def test_a_coordinator_sees_any_need_of_the_area_with_an_assess_button(bot):
    numbers = await start(bot)
    replies = await bot.say(f"need {numbers[0]}", user=ALEX)
    card = replies[-1].card
    [need_id] = await bot.query(lambda s: [n.id for n in s.exec(select(Need).where(Need.number == numbers[0]))])
    assert {"verb": "assess.open", "need_id": need_id} in [a["data"] for a in card["actions"]]
    assert "Megan Bowen" in text_of(replies)


async def test_someone_uninvolved_is_refused_politely_and_told_whom_to_ask(bot):
    numbers = await start(bot)
    replies = await bot.say(f"behov {numbers[2]}", user=STRANGER)
    text = text_of(replies)
    assert "Only the people involved and the steering group of Finance and HR can see this need" in text
    assert "Megan Bowen" in text and "E-faktura" not in text


async def test_unknown_need_number(bot):
    await start(bot)
    replies = await bot.say("behov B-2026-0999", user=ISAIAH)
    assert "Jag hittar inget behov som heter B-2026-0999" in text_of(replies)


async def test_area_needs_for_a_coordinator_with_status_filter(bot):
    await start(bot)
    text = text_of(await bot.say("behov utbildning", user=ALEX))
    assert "Öppna behov i Utbildning" in text and "Bokning av grupprum" in text and "Digitala tentor" in text
    text = text_of(await bot.say("behov utbildning under bedömning", user=ALEX))
    assert "Behov i Utbildning: Under bedömning" in text and "Digitala tentor" in text and "grupprum" not in text
    text = text_of(await bot.say("behov ekonomi och personal alla", user=MEGAN))
    assert "Alla behov i Ekonomi och personal" in text and "E-faktura" in text
    text = text_of(await bot.say("needs education declined", user=ALEX, locale="en-US"))
    assert "No needs with that status." in text


async def test_area_needs_refused_for_staff_with_the_coordinators_named(bot):
    await start(bot)
    text = text_of(await bot.say("behov ekonomi", user=STRANGER))
    assert "Only the coordinators and the steering group of Finance and HR can list its needs. Ask Megan Bowen." in text


async def test_area_needs_unknown_area_and_status(bot):
    await start(bot)
    assert "Jag känner inte till något e-område som heter" in text_of(await bot.say("behov rymdfart", user=ALEX))
    assert "Jag känner inte till statusen \"konstig\"" in text_of(await bot.say("behov utbildning konstig", user=ALEX))


async def test_plan_card_shows_goals_and_the_frame_used_and_left(bot):
    bot.services.clock = lambda: NOW

    def commit(session):
        plan = session.exec(select(Plan).where(Plan.e_area_id == 1, Plan.year == 2026)).one()
        plan.committed_sek, plan.committed_hours = 500_000, 1_000

    await bot.say("hej", user=ISAIAH)
    await bot.query(commit)
    replies = await bot.say("plan utbildning", user=ISAIAH)
    text = text_of(replies)
    assert "E-förvaltningsplan Utbildning 2026" in text
    assert "500\u00a0000 av 2\u00a0500\u00a0000 kr intecknade, 2\u00a0000\u00a0000 kvar" in text
    assert "1\u00a0000 av 4\u00a0000 timmar intecknade, 3\u00a0000 kvar" in text
    assert "Samlad digital kursanmälan" in text and "2026-01 – 2026-12" in text and "Studieadministration" in text
    card = replies[-1].card
    nxt = card["actions"][0]["data"]
    assert nxt == {"verb": "plan.show", "area": "utbildning", "year": 2027}
    replies = await bot.click(nxt, user=ISAIAH)
    assert "E-förvaltningsplan Utbildning 2027" in text_of(replies) and "Utkast" in text_of(replies)


async def test_plan_without_area_for_one_area_and_for_several(bot):
    bot.services.clock = lambda: NOW
    await bot.say("hej", user=STRANGER)

    def member_of_research(session):
        from storage import org
        from storage.models import Role

        org.grant(session, org.e_area_by_slug(session, "forskning"), STRANGER.aad_id, Role.member, "test")

    await bot.query(member_of_research)
    text = text_of(await bot.say("plan", user=STRANGER))  # a member of one e-area only
    assert "E-förvaltningsplan Forskning 2026" in text
    replies = await bot.say("plan", user=ADELE)  # area owner everywhere
    assert "Vilket e-områdes plan?" in text_of(replies)
    choices = [a["data"] for a in replies[-1].card["actions"]]
    assert {"verb": "plan.show", "area": "ekonomi", "year": 2026} in choices


async def test_plan_refused_for_staff(bot):
    bot.services.clock = lambda: NOW
    text = text_of(await bot.say("plan", user=STRANGER))
    assert "you have no role in one" in text
    text = text_of(await bot.say("plan research", user=STRANGER))
    assert "Only the coordinators and the steering group of Research can see its plan. Ask Alex Wilber." in text
    text = text_of(await bot.say("plan forskning 2031", user=PATTI))
    assert "Bara koordinatorerna" in text or "har ingen plan för 2031" in text


async def test_plan_in_english_for_an_english_client(bot):
    bot.services.clock = lambda: NOW
    replies = await bot.say("plan education", user=ALEX, locale="en-US")
    await bot.say("language english", user=ALEX)
    replies = await bot.say("plan education", user=ALEX)
    text = text_of(replies)
    assert "0 of 2,500,000 SEK used, 2,500,000 left" in text and "Goals" in text
    assert json.dumps(replies[-1].card).count("plan.show") == 1


async def test_new_need_in_a_channel_continues_in_the_private_chat(bot):
    bot.services.clock = lambda: NOW
    replies = await bot.say("nytt behov", user=ISAIAH, kind="channel")
    assert any("fortsatt i vår privata chatt" in r.all_text() or "privat" in r.all_text() for r in replies
               if r.conversation_id.startswith("19:")), [r.all_text() for r in replies]
    forms = [r for r in replies if r.cards and "Registrera ett behov" in r.all_text()]
    assert forms and not forms[0].conversation_id.startswith("19:")
    replies = await bot.click({"verb": "need.start"}, user=ISAIAH, kind="channel")
    assert [r for r in replies if r.cards and "Registrera ett behov" in r.all_text()
            and not r.conversation_id.startswith("19:")]
