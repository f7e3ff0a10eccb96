"""The proactive API: post a card to a linked channel, update it in place later."""

from sqlmodel import select

from storage import org
from storage.models import ChannelPurpose, ConversationRef, SentCard
from tests.support.botkit import CHANNEL_ID


def _card(text):
    return {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": text}]}


async def test_send_to_a_linked_channel_and_update_the_card_later(bot):
    await bot.say("koppla utbildning", kind="channel")
    outbound = bot.services.outbound
    bot.connector.clear()

    result = await outbound.send_to_linked(ChannelPurpose.steering, "utbildning", _card("first"), subject="test:1")
    assert result.outcome.value == "sent"
    posted = bot.connector.sent[-1]
    assert posted.method == "POST" and posted.conversation_id == CHANNEL_ID
    assert posted.card["body"][0]["text"] == "first"

    results = await outbound.update_card("test:1", _card("second"))
    assert [r.outcome.value for r in results] == ["sent"]
    updated = bot.connector.sent[-1]
    assert updated.method == "PUT" and updated.activity_id == posted.activity_id
    assert updated.card["body"][0]["text"] == "second"
    rows = await bot.query(lambda s: s.exec(select(SentCard)).all())
    assert [(r.subject, r.activity_id) for r in rows] == [("test:1", posted.activity_id)]


async def test_nothing_linked_means_nothing_sent(bot):
    assert await bot.services.outbound.send_to_linked(ChannelPurpose.steering, "ekonomi", _card("x")) is None
    assert bot.connector.sent == []


async def test_a_removed_bot_is_recorded_as_a_permanent_failure(bot):
    await bot.say("koppla utbildning", kind="channel")
    bot.connector.fail_next(403)
    result = await bot.services.outbound.send_to_linked(ChannelPurpose.steering, "utbildning", _card("x"))
    assert result.outcome.value == "permanent_failure"
    ref = await bot.query(lambda s: org.conversation(s, CHANNEL_ID))
    assert ref.failed_at is not None and "403" in ref.failure


async def test_send_personal_opens_a_chat_when_needed(bot):
    await bot.install_in_team()
    bot.connector.clear()
    # Megan has never chatted with Styra, but Teams knows her id (demo data).
    result = await bot.services.outbound.send_personal("00000000-0000-0000-0000-0000000000021", _card("hi"))
    assert result.outcome.value == "sent"
    assert [s.method for s in bot.connector.sent] == ["CREATE", "POST"]
    refs = await bot.query(lambda s: s.exec(select(ConversationRef).where(ConversationRef.kind == "personal")).all())
    assert any(r.aad_id == "00000000-0000-0000-0000-0000000000021" for r in refs)


async def test_an_admin_sees_unreachable_conversations_from_the_shell(bot, db_url, monkeypatch, capsys):
    from bot.cli.main import main

    await bot.say("koppla utbildning", kind="channel")
    assert main_status(main, db_url, monkeypatch, capsys)[0] == 0
    bot.connector.fail_next(403)
    await bot.services.outbound.send_to_linked(ChannelPurpose.steering, "utbildning", _card("x"))
    code, out = main_status(main, db_url, monkeypatch, capsys)
    assert code == 1
    assert "utbildning" in out and "403" in out and CHANNEL_ID in out


def main_status(main, db_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    code = main(["delivery", "status"])
    return code, capsys.readouterr().out
