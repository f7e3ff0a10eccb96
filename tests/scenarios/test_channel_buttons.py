"""A personal button pressed in a shared channel answers in the presser's 1:1 chat."""

from tests.support.assessment_factory import make_need
from tests.support.botkit import ALEX, CHANNEL_ID


async def test_assess_pressed_in_the_steering_channel_opens_the_form_in_the_personal_chat(bot):
    need = await bot.query(lambda s: make_need(s))
    replies = await bot.click({"verb": "assess.open", "need_id": need.id}, user=ALEX, kind="channel")
    in_channel = [r for r in replies if r.conversation_id.startswith(CHANNEL_ID)]
    personal = [r for r in replies if r.conversation_id == ALEX.personal_conversation]
    assert "privata chatt" in "\n".join(r.all_text() for r in in_channel)
    assert not any(r.cards for r in in_channel), "the form must not be posted in the shared thread"
    assert "Bedöm behov" in "\n".join(r.all_text() for r in personal)


async def test_register_from_the_welcome_card_in_a_team_continues_in_the_personal_chat(bot):
    replies = await bot.click({"verb": "need.start"}, user=ALEX, kind="channel")
    personal = [r for r in replies if r.conversation_id == ALEX.personal_conversation and r.method == "POST"]
    assert any(r.cards for r in personal), "the need form arrives in the 1:1 chat"
