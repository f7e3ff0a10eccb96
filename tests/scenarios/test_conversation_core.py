"""Say, click, expect: the conversation core through the real HTTP route."""

from tests.support.botkit import ALEX, STRANGER


async def test_help_in_swedish_shows_the_help_card(bot):
    replies = await bot.say("hjälp")
    texts = [r.all_text() for r in replies]
    assert any("Vad kan jag hjälpa till med?" in t for t in texts), texts


async def test_help_in_english_for_an_english_client(bot):
    replies = await bot.say("help", user=STRANGER)
    assert any("What can I help you with?" in r.all_text() for r in replies)
