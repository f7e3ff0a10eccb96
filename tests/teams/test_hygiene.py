"""Text hygiene at the boundary: control characters go, Unicode is NFC, over-long input gets a
clear answer, and SQLite and PostgreSQL end up storing exactly the same."""

from __future__ import annotations

import unicodedata

from sqlmodel import select

from bot.text import MAX_MESSAGE_CHARS, MAX_NAME_CHARS, scrub_json
from storage import org
from storage.models import ConversationRef
from tests.support.botkit import STRANGER, User

# "Åsa Öberg" typed with combining marks, a NUL, a bell and a C1 control thrown in.
DIRTY_NAME = "A\u030asa\u0000 O\u0308berg\u0007\u0085"
CLEAN_NAME = "Åsa Öberg"


def _user(name: str) -> User:
    return User("77777777-0000-0000-0000-000000000077", name, "user-id-77", "en-US")


async def test_a_name_with_nul_and_combining_marks_is_stored_clean_and_composed(any_bot):
    await any_bot.say("help", user=_user(DIRTY_NAME))
    person = await any_bot.query(org.person, "77777777-0000-0000-0000-000000000077")
    assert person.name == CLEAN_NAME
    assert unicodedata.is_normalized("NFC", person.name)


async def test_a_message_with_nul_is_understood(any_bot):
    user = _user("Ann Berg")
    await any_bot.say("help", user=user)
    any_bot.connector.clear()
    replies = await any_bot.say("he\u0000lp\u0007", user=user)
    assert any("What can I help you with?" in r.all_text() for r in replies)


async def test_an_over_long_display_name_is_cut_to_what_storage_holds(any_bot):
    await any_bot.say("help", user=_user("Å" * 250))
    person = await any_bot.query(org.person, "77777777-0000-0000-0000-000000000077")
    assert person.name == "Å" * MAX_NAME_CHARS


async def test_an_over_long_channel_name_is_cut_too(any_bot):
    body = any_bot.activity(STRANGER, kind="channel", text="help")
    body["channelData"]["channel"]["name"] = "Styrgrupp\u0000 " + "x" * 300
    await any_bot.send(body)
    refs = await any_bot.query(
        lambda s: list(s.exec(select(ConversationRef.name).where(ConversationRef.kind == "channel"))))
    assert refs and all(len(name) == MAX_NAME_CHARS and name.startswith("Styrgrupp x") for name in refs)


async def test_an_over_long_message_gets_a_clear_answer(any_bot):
    user = _user("Ann Berg")
    await any_bot.say("help", user=user)
    any_bot.connector.clear()
    replies = await any_bot.say("a" * (MAX_MESSAGE_CHARS + 1), user=user)
    assert [r.text for r in replies] == [
        f"That message is too long for me ({MAX_MESSAGE_CHARS + 1} characters; at most {MAX_MESSAGE_CHARS}). "
        "Please shorten it and send it again."
    ]


async def test_a_message_at_the_limit_is_read(any_bot):
    user = _user("Ann Berg")
    await any_bot.say("help", user=user)
    any_bot.connector.clear()
    replies = await any_bot.say("a" * MAX_MESSAGE_CHARS, user=user)
    assert replies and "too long" not in replies[0].all_text()


def test_scrub_json_cleans_every_string_and_key_and_keeps_the_shape():
    dirty = {"ty\u0000pe": "message", "value": {"title": "Behov\u0000 e\u0301tt", "n": 3, "ok": True,
                                                  "list": ["a\u0007", None, 1.5, ["x\u0000"]],
                                                  "text": "rad 1\r\nrad 2\tslut"}}
    assert scrub_json(dirty) == {"type": "message", "value": {"title": "Behov étt", "n": 3, "ok": True,
                                                              "list": ["a", None, 1.5, ["x"]],
                                                              "text": "rad 1\nrad 2\tslut"}}
