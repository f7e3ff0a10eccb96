"""Similar needs offered on the form, and `sök` / `search`, through the HTTP route (Swedish and English)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import select

from storage import needs as repo
from storage import org
from storage.models import Need
from tests.support.botkit import ADELE, ISAIAH, MEGAN, PATTI, STRANGER

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def walk(node: Any):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def find_card(replies, verb: str) -> dict:
    for reply in replies:
        for card in reply.cards:
            if any((el.get("data") or {}).get("verb") == verb for el in walk(card) if el.get("type") == "Action.Submit"):
                return card
    raise AssertionError(f"no card with a {verb} button in {[r.all_text()[:120] for r in replies]}")


def submit_data(card: dict, **values: Any) -> dict:
    button = next(el for el in walk(card) if el.get("type") == "Action.Submit"
                  and (el.get("data") or {}).get("verb") == "need.submit")
    title = next((el.get("value") for el in walk(card) if el.get("id") == "title"), "")
    return {**button["data"], "title": title, "description": "", "e_area": "utbildning", "source": "staff",
            "on_behalf_of": "", "benefit": "", "hours": "", "cost": "", "wished_date": "", "goals": "", **values}


def text_of(replies) -> str:
    return "\n".join(r.all_text() for r in replies)


# --- the README example ------------------------------------------------------------------------


async def test_the_readme_example_offers_the_first_need(bot):
    bot.services.clock = lambda: NOW
    form = find_card(await bot.say("nytt behov", user=ISAIAH), "need.submit")
    first = await bot.click(submit_data(form, title="Bokningssystem för labbsalar"), user=ISAIAH)
    assert "Behov B-2026-0001 är registrerat" in text_of(first)

    form = find_card(await bot.say("Vi behöver ett bokningssystem för labb", user=MEGAN), "need.submit")
    replies = await bot.click(submit_data(form), user=MEGAN)
    find_card(replies, "need.join")
    text = text_of(replies)
    assert "Är det något av de här?" in text
    assert "B-2026-0001" in text and "Bokningssystem för labbsalar" in text
    titles = await bot.query(lambda s: [n.title for n in s.exec(select(Need))])
    assert titles == ["Bokningssystem för labbsalar"]  # nothing saved until Megan chooses


async def test_an_english_need_is_offered_the_swedish_one(bot):
    bot.services.clock = lambda: NOW
    form = find_card(await bot.say("nytt behov", user=ISAIAH), "need.submit")
    await bot.click(submit_data(form, title="Digital signering av avtal"), user=ISAIAH)
    form = find_card(await bot.say("We need e-signatures for contracts", user=STRANGER), "need.submit")
    replies = await bot.click(submit_data(form), user=STRANGER)
    find_card(replies, "need.join")
    assert "B-2026-0001" in text_of(replies) and "Digital signering av avtal" in text_of(replies)


# --- sök / search ------------------------------------------------------------------------------


def seed(session):
    areas = {a.slug: a.id for a in org.e_areas(session)}
    made = {}
    for key, title, description, slug, who in (
        ("labs", "Bokningssystem för labbsalar", "Labbsalarna bokas i dag i ett delat kalkylark.", "utbildning", ISAIAH),
        ("data", "Säker lagring av forskningsdata", "", "forskning", MEGAN),
        ("sign", "E-underskrift av kontrakt", "", "ekonomi", ADELE),
        ("meet", "Schemaläggning av möten", "", "utbildning", ISAIAH),
    ):
        made[key] = repo.create(session, e_area_id=areas[slug], year=2026, title=title, description=description,
                                source="staff", raised_by=who.aad_id, raised_by_name=who.name, on_behalf_of="",
                                benefit="", effort_hours=None, cost_sek=None, wished_date=None, at=NOW).number
    return made


async def start(bot) -> dict[str, str]:
    bot.services.clock = lambda: NOW
    await bot.say("hej", user=ISAIAH)  # loads the demo organisation
    return await bot.query(seed)


async def test_search_in_swedish_shows_the_areas_needs_in_full(bot):
    numbers = await start(bot)
    text = text_of(await bot.say("sök labb", user=ISAIAH))  # Isaiah is a member of Utbildning
    assert "Behov som matchar ”labb”" in text
    assert numbers["labs"] in text and "Bokningssystem för labbsalar" in text
    assert "Registrerat · Utbildning · 2026-03-10" in text
    assert "Schemaläggning av möten" not in text and "inte kan öppna" not in text


async def test_search_finds_other_words_for_the_same_thing(bot):
    numbers = await start(bot)
    text = text_of(await bot.say("sök digital signering av avtal", user=PATTI))  # portfolio management
    assert numbers["sign"] in text and "E-underskrift av kontrakt" in text
    assert "Registrerat · Ekonomi och personal" in text
    text = text_of(await bot.say("sök förvaring av forskningsdata", user=PATTI))
    assert numbers["data"] in text and "Registrerat · Forskning" in text


async def test_a_need_in_an_area_without_a_role_shows_only_number_and_title(bot):
    numbers = await start(bot)
    text = text_of(await bot.say("sök lagring av forskningsdata", user=ISAIAH))  # no role in Forskning
    assert "Liknande behov som du inte kan öppna" in text
    assert numbers["data"] in text and "Säker lagring av forskningsdata" in text
    assert "Forskning" not in text and "Registrerat" not in text


async def test_search_in_english_for_someone_without_a_role_then_after_joining(bot):
    numbers = await start(bot)
    text = text_of(await bot.say("search lab booking", user=STRANGER))
    assert "Needs matching “lab booking”" in text
    assert "Similar needs you cannot open" in text and numbers["labs"] in text
    assert "Bokningssystem för labbsalar" in text
    assert "Registered" not in text and "Education" not in text and "kalkylark" not in text

    def join(session):
        need = repo.by_number(session, numbers["labs"])
        repo.add_affected(session, need, STRANGER.aad_id, STRANGER.name)

    await bot.query(join)
    text = text_of(await bot.say("search lab booking", user=STRANGER))
    assert "Registered · Education · 2026-03-10 · 1 also affected" in text
    assert "Similar needs you cannot open" not in text


async def test_search_with_no_match_says_so(bot):
    await start(bot)
    assert "No needs match those words" in text_of(await bot.say("search quark detectors", user=STRANGER))
    assert "Inga behov matchar de orden" in text_of(await bot.say("sök kvarkdetektorer", user=ISAIAH))
