"""Say, click, expect: the conversation core through the real HTTP route."""

import logging
import re
from dataclasses import replace

from sqlmodel import select

from storage.models import ConversationRef, LinkedChannel, Person, ProcessedActivity, RoleAssignment
from tests.support.botkit import ALEX, CHANNEL_ID, ISAIAH, STRANGER


def texts(replies):
    return "\n".join(r.all_text() for r in replies)


async def test_first_contact_gets_the_welcome_card_in_swedish(bot):
    replies = await bot.say("hej")
    assert "Hej Alex, jag heter Styra!" in texts(replies)
    # the welcome comes once, not on every message
    again = await bot.say("hej igen")
    assert "jag heter Styra" not in texts(again)


async def test_install_in_personal_chat_welcomes_in_english_for_an_english_client(bot):
    replies = await bot.install_personal(STRANGER)
    assert len(replies) == 1
    card = replies[0].card
    assert card["version"] == "1.5"
    assert "Hi Sam, I am Styra!" in replies[0].all_text()


async def test_help_in_swedish_shows_the_help_card(bot):
    await bot.say("hej")
    replies = await bot.say("hjälp")
    assert "Vad kan jag hjälpa till med?" in texts(replies)
    assert "mina behov" in texts(replies)


async def test_help_in_english_for_an_english_client(bot):
    replies = await bot.say("help", user=STRANGER)
    assert "What can I help you with?" in texts(replies)


async def test_pressing_a_help_topic_button_answers_that_topic(bot):
    await bot.say("hjälp")
    replies = await bot.click({"verb": "help.topic", "topic": "wheel"})
    assert "Årshjulet innehåller årets styrningsaktiviteter" in texts(replies)


async def test_action_execute_invoke_gets_200_and_a_card_through_the_real_route(bot):
    status, body = await bot.invoke({"verb": "help.topic", "topic": "needs"})
    assert status == 200
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert body["value"]["version"] == "1.5"
    assert "Alla kan registrera ett behov" in str(body["value"])


async def test_invoke_with_an_unknown_verb_gets_a_refusal_card_not_an_error(bot):
    status, body = await bot.invoke({"verb": "no.such.verb", "id": 3})
    assert status == 200
    assert "inaktuellt eller skadat" in str(body["value"])


async def test_unknown_text_gets_a_suggestion(bot):
    await bot.say("hej")
    replies = await bot.say("hjälpp")
    assert "Menade du" in texts(replies) and "**hjälp**" in texts(replies)


async def test_nonsense_gets_a_helpful_pointer(bot):
    await bot.say("hej")
    replies = await bot.say("xyzzy qwerty")
    assert "Det förstod jag inte" in texts(replies)


async def test_language_choice_overrides_the_client_locale(bot):
    await bot.say("hej")
    replies = await bot.say("språk engelska")
    assert "I will speak English" in texts(replies)
    replies = await bot.say("hjälp")  # the client still says sv-SE
    assert "What can I help you with?" in texts(replies)
    replies = await bot.say("language swedish")
    assert "Jag pratar svenska" in texts(replies)
    person = await bot.query(lambda s: s.get(Person, ALEX.aad_id))
    assert person.locale == "sv"


async def test_language_dialog_and_cancel_in_the_middle(bot):
    await bot.say("hej")
    replies = await bot.say("språk")
    assert "Vilket språk vill du att jag använder?" in texts(replies)
    # help works in the middle of the dialog, and the dialog is still waiting afterwards
    assert "Vad kan jag hjälpa till med?" in texts(await bot.say("hjälp"))
    replies = await bot.say("avbryt")
    assert "Avbrutet" in texts(replies)
    # the dialog is gone: "English" is now just unknown text
    replies = await bot.say("English")
    assert "I will speak English" not in texts(replies)
    assert "Det finns inget att avbryta" in texts(await bot.say("avbryt"))


async def test_language_dialog_completes(bot):
    await bot.say("hej")
    await bot.say("språk")
    replies = await bot.say("English")
    assert "I will speak English" in texts(replies)


async def test_same_activity_id_is_processed_once(bot):
    await bot.say("hej")
    body = bot.activity(text="hjälp", activity_id="dup-1")
    first = await bot.send(body)
    second = await bot.send(body)
    assert len(first) == 1 and second == []
    keys = await bot.query(lambda s: s.exec(select(ProcessedActivity.key)).all())
    assert sum("dup-1" in k for k in keys) == 1


async def test_an_exception_becomes_a_localised_apology_with_an_incident_id(bot, caplog, monkeypatch):
    await bot.say("hej")

    async def explode(turn, match):
        raise RuntimeError("boom")

    registry = bot.services.registry
    exploding = tuple(replace(c, run=explode) if c.name == "roles" else c for c in registry.commands)
    monkeypatch.setattr(registry, "commands", exploding)
    caplog.set_level(logging.ERROR, logger="styra.dispatch")
    replies = await bot.say("roller", activity_id="will-fail")
    text = texts(replies)
    assert "Förlåt, något gick fel hos mig" in text
    incident = re.search(r"Incident-id: ([0-9A-F]{8})", text).group(1)
    assert any(incident in r.getMessage() and r.exc_info for r in caplog.records)
    assert "boom" not in text and "Traceback" not in text
    # the claim was released, so Teams' retry of the same activity is processed again
    keys = await bot.query(lambda s: s.exec(select(ProcessedActivity.key)).all())
    assert not any("will-fail" in k for k in keys)


async def test_installing_in_a_team_remembers_its_channels(bot):
    replies = await bot.install_in_team()
    assert "koppla den här kanalen" in texts(replies)
    refs = await bot.query(lambda s: s.exec(select(ConversationRef).where(ConversationRef.kind == "channel")).all())
    assert {r.conversation_id for r in refs} >= {CHANNEL_ID}


async def test_an_admin_links_a_channel_to_an_e_area(bot):
    replies = await bot.say("koppla utbildning", kind="channel")
    assert "styrgruppskanal för Utbildning" in texts(replies)
    links = await bot.query(lambda s: s.exec(select(LinkedChannel)).all())
    assert [(link.scope, link.conversation_id) for link in links] == [("utbildning", CHANNEL_ID)]


async def test_a_non_admin_cannot_link_and_an_unknown_area_is_named(bot):
    replies = await bot.say("koppla utbildning", user=ISAIAH, kind="channel")
    assert "Bara en administratör" in texts(replies)
    replies = await bot.say("koppla astronomi", kind="channel")
    assert "Kända e-områden" in texts(replies) and "Utbildning" in texts(replies)
    assert await bot.query(lambda s: s.exec(select(LinkedChannel)).all()) == []


async def test_a_guided_command_in_a_channel_continues_in_the_personal_chat(bot):
    replies = await bot.say("språk", kind="channel")
    assert any(r.method == "CREATE" for r in replies)
    in_channel = [r for r in replies if r.conversation_id.startswith(CHANNEL_ID)]
    personal = [r for r in replies if r.conversation_id == ALEX.personal_conversation]
    assert "privata chatt" in texts(in_channel)
    assert "Vilket språk" in texts(personal)
    # the answer in the 1:1 chat continues that dialog
    assert "I will speak English" in texts(await bot.say("English"))


async def test_admin_grants_and_revokes_a_role_by_command(bot):
    await bot.say("hej", user=STRANGER)
    replies = await bot.say("roll ge koordinator forskning Sam Stranger")
    assert "Sam Stranger är nu e-koordinator i Forskning" in texts(replies)
    assert "har redan den rollen" in texts(await bot.say("roll ge koordinator forskning Sam Stranger"))
    held = await bot.query(lambda s: s.exec(select(RoleAssignment).where(RoleAssignment.aad_id == STRANGER.aad_id)).all())
    assert [(r.scope, r.role.value) for r in held] == [("forskning", "coordinator")]
    replies = await bot.say("roll ta bort koordinator forskning Sam Stranger")
    assert "inte längre" in texts(replies)
    replies = await bot.say("roll ge koordinator forskning Sam Stranger", user=ISAIAH)
    assert "Bara en administratör" in texts(replies)


async def test_a_role_is_granted_to_the_person_mentioned_in_the_channel(bot):
    from tests.support.botkit import BOT_ID, MEGAN

    await bot.say("hej", user=MEGAN)
    body = bot.activity(ALEX, kind="channel", text="roll ge koordinator forskning <at>Megan</at>")
    body["entities"] += [{"type": "mention", "text": "<at>Styra</at>", "mentioned": ["not", "an", "account"]},
                         {"type": "mention", "text": "<at>Megan</at>",
                          "mentioned": {"id": MEGAN.teams_id, "name": "Megan", "aadObjectId": MEGAN.aad_id}}]
    assert body["entities"][0]["mentioned"]["id"] == BOT_ID
    replies = await bot.send(body)
    assert "Megan Bowen är nu e-koordinator i Forskning" in texts(replies)
    held = await bot.query(lambda s: s.exec(select(RoleAssignment).where(RoleAssignment.aad_id == MEGAN.aad_id,
                                                                         RoleAssignment.role == "coordinator")).all())
    assert sorted(r.scope for r in held) == ["ekonomi", "forskning"]  # ekonomi was hers already


async def test_control_characters_never_reach_the_database(bot):
    body = bot.activity(text="hj\u0000älp")
    body["from"]["name"] = "Alex\u0000 Wil\u0007ber"
    await bot.send(body)
    person = await bot.query(lambda s: s.get(Person, ALEX.aad_id))
    assert person.name == "Alex Wilber"


async def test_roles_lists_who_holds_what(bot):
    await bot.say("hej")
    text = texts(await bot.say("roller"))
    assert "Utbildning – e-koordinator: Alex Wilber" in text
    assert "Portfölj – ordförande i portföljledningen: Patti Fernandez" in text


async def test_a_database_failure_at_the_start_of_a_turn_is_an_apology_not_a_500(bot, monkeypatch):
    await bot.say("hej")

    async def broken(work, *args, **kwargs):
        raise OSError("database unreachable")

    monkeypatch.setattr(bot.services.db, "run", broken)
    response = await bot.post(bot.activity(text="hjälp"))
    assert response.status in (200, 201)
    assert "Förlåt, något gick fel hos mig" in bot.connector.sent[-1].text


async def test_a_reply_is_addressed_like_the_sdk_would_and_carries_no_nulls(bot):
    body = bot.activity(text="hjälp", activity_id="incoming-42")
    replies = await bot.send(body)
    reply = replies[-1].activity
    assert reply["replyToId"] == "incoming-42"
    assert reply["from"]["id"] == "28:styra-bot" and reply["recipient"]["id"] == ALEX.teams_id
    assert reply["conversation"]["id"] == ALEX.personal_conversation

    def nulls(node, path=""):
        if node is None:
            return [path]
        if isinstance(node, dict):
            return [p for k, v in node.items() for p in nulls(v, f"{path}.{k}")]
        if isinstance(node, list):
            return [p for i, v in enumerate(node) for p in nulls(v, f"{path}[{i}]")]
        return []

    assert nulls(reply) == []  # the real Bot Connector refuses explicit nulls ("Invalid input")


# --- two first messages at once in a brand-new chat --------------------------------------


def _newcomer(n: int, run: int, lang: str = "sv-SE"):
    from tests.support.botkit import User

    return User(f"77777777-0000-0000-{run:04d}-{n:012d}", f"Ny Person {run}-{n}", f"user-new-{run}-{n}", lang)


async def test_two_first_messages_at_once_in_a_new_chat_are_both_answered(any_bot):
    """The person, the conversation and the welcome are written by both turns at once; neither
    may fail on the other's insert, and each message gets its own answer."""
    import asyncio

    bot = any_bot
    for run in range(30):
        user = _newcomer(1, run)
        await asyncio.gather(bot.say("hjälp", user=user), bot.say("mina behov", user=user))
        got = [s for s in bot.connector.sent if s.conversation_id == user.personal_conversation]
        text = texts(got)
        assert "Förlåt, något gick fel" not in text and "Incident" not in text, text
        assert "Vad kan jag hjälpa till med?" in text, text  # the help card
        assert "Du har inte registrerat några behov" in text, text  # my needs, empty
        assert "jag heter Styra" in text  # welcomed (once or, at the race, twice)


async def test_first_messages_of_two_new_people_at_once_are_both_answered(any_bot):
    import asyncio

    bot = any_bot
    for run in range(30):
        first, second = _newcomer(2, run), _newcomer(3, run, "en-US")
        await asyncio.gather(bot.say("hjälp", user=first), bot.say("help", user=second))
        for user, answer in ((first, "Vad kan jag hjälpa till med?"), (second, "What can I help you with?")):
            text = texts([s for s in bot.connector.sent if s.conversation_id == user.personal_conversation])
            assert answer in text and "Incident" not in text, text
