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


async def test_a_dialog_from_an_older_release_is_dropped_not_an_error_loop(db_url, connector):
    import json

    from sqlmodel import select

    from storage.models import BotStateRow

    first = await BotHarness.start(db_url, connector=connector)
    await first.say("hej")
    await first.say("språk")

    def rename_dialog(session):
        row = session.exec(select(BotStateRow).where(BotStateRow.key.startswith("pending/"))).one()
        row.data = json.dumps({"question": "a_question_that_was_removed"})

    await first.query(rename_dialog)
    replies = await first.say("English")
    text = "\n".join(r.all_text() for r in replies)
    assert "Förlåt" not in text  # no apology: the stale dialog was dropped
    assert "Det förstod jag inte" in text  # and the message was handled as a fresh one
    await first.close(connector_too=False)
