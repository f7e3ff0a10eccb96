"""One language per reader: e-area names in the reader's language, plurals by count, command
suggestions in the reader's language; through the real HTTP route."""

from __future__ import annotations

from bot.i18n import area_name, translator
from cards.common import hours
from dialogs import admin
from dialogs import help as help_capability
from storage.models import EArea
from tests.scenarios.test_needs_register import GOOD, fixed_clock, register
from tests.support.botkit import ISAIAH, MEGAN, STRANGER
from tests.support.transcript import Transcript


def shown(replies) -> str:
    return "\n".join(r.all_text() for r in replies)


def test_area_name_is_the_one_chooser():
    area = EArea(slug="utbildning", name="Utbildning", name_en="Education")
    bare = EArea(slug="it", name="IT-stöd")
    assert area_name(area, "en") == "Education" and area_name(area, "sv") == "Utbildning"
    assert area_name(area, translator("en")) == "Education" and area_name(area, "en-US") == "Education"
    assert area_name(bare, "en") == "IT-stöd"  # no English name: the Swedish one, never empty
    assert area_name(("Forskning", None), "en") == "Forskning" and area_name(("Forskning", "Research"), "en") == "Research"


def test_one_hour_is_singular_in_both_languages():
    assert hours(translator("sv"), 1) == "1 timme" and hours(translator("sv"), 2) == "2 timmar"
    assert hours(translator("en"), 1) == "1 hour" and hours(translator("en"), 0) == "0 hours"
    assert hours(translator("sv"), -1, signed=True) == "-1 timme"


async def test_an_english_admin_reads_roles_and_role_changes_with_english_area_names(bot):
    replies = await bot.say("role add coordinator education Megan Bowen", locale="en-US")
    assert "Megan Bowen is now coordinator in Education." in shown(replies)
    listing = shown(await bot.say("roles", locale="en-US"))
    assert "Education – coordinator: Megan Bowen" in listing
    assert "Utbildning" not in listing and "Forskning" not in listing
    # the same in Swedish: the Swedish names
    listing = shown(await bot.say("roller"))
    assert "Utbildning – e-koordinator: Megan Bowen" in listing and "Education" not in listing


async def test_an_english_reader_is_refused_with_the_english_area_name(bot):
    replies = await bot.say("decisions education", user=STRANGER)
    assert "Only people with a role in Education can see its decisions." in shown(replies)


async def test_english_help_and_hints_give_english_examples(bot):
    help_text = shown(await bot.say("help", user=STRANGER))
    assert "**@Styra help**" in help_text and "hjälp" not in help_text and "nytt behov" not in help_text
    hint = shown(await bot.say("link", kind="channel", locale="en-US"))
    assert "**@Styra link education**" in hint and "utbildning" not in hint
    hint = shown(await bot.say("koppla", kind="channel"))
    assert "**@Styra koppla utbildning**" in hint


async def test_suggestions_are_in_the_readers_language(bot):
    english = shown(await bot.say("helpp", user=STRANGER))
    assert "Did you mean" in english and "**help**" in english
    assert "**hjälp**" not in english
    await bot.say("hej")
    swedish = shown(await bot.say("hjälpp"))
    assert "Menade du" in swedish and "**hjälp**" in swedish and "**help**" not in swedish


def test_every_command_gives_its_examples_in_pairs_swedish_then_english():
    from app import CAPABILITIES

    for cap in CAPABILITIES:
        for command in cap.commands:
            assert len(command.examples) % 2 == 0, command.name
    assert [c.examples_in("en") for c in help_capability.cap.commands] == [("help",)]
    assert ("roller",) in [c.examples_in("sv") for c in admin.cap.commands]


async def test_one_person_affected_is_one_person_not_one_people(bot):
    fixed_clock(bot)
    await register(bot, ISAIAH)
    convo = Transcript(bot, MEGAN)
    await convo.say("nytt behov")
    form = convo.expect_card(verb="need.submit")
    await convo.click(form, "Skicka", inputs={**GOOD, "title": "Fristående kurser: samlad digital kursanmalan"})
    similar = convo.expect_card(verb="need.join")
    replies = await convo.click(similar, "Samma behov – lägg till mig som berörd")
    text = shown(replies)
    assert "Koordinatorerna ser att 1 person berörs" in text
    assert "1 personer" not in text

