"""Dialogs survive a restart: state lives in the database, not in the process."""

from tests.support.botkit import BotHarness


async def test_a_dialog_continues_after_the_app_is_torn_down_and_started_again(db_url, connector):
    first = await BotHarness.start(db_url, connector=connector)
    await first.say("hej")
    replies = await first.say("språk")
    assert "Vilket språk" in "\n".join(r.all_text() for r in replies)
    await first.close(connector_too=False)

    second = await BotHarness.start(db_url, connector=connector)
    try:
        replies = await second.say("English")
        assert "I will speak English" in "\n".join(r.all_text() for r in replies)
    finally:
        await second.close(connector_too=False)
