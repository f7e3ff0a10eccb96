"""The decision card posted in the steering channel @mentions those who must decide (the chair and
the deputy chair): `<at>name</at>` in the card and a mention entity in `msteams.entities`, the
way Teams notifies people named in an Adaptive Card. The decided card mentions nobody."""

from datetime import UTC, datetime

from tests.support.botkit import ALEX, CHANNEL_ID, MEGAN
from tests.support.decision_kit import grant_deputy, link_channels, make_basis, post_basis

NOW = datetime(2026, 11, 21, 13, 5, tzinfo=UTC)


async def test_the_posted_basis_mentions_the_chair_and_the_deputy_and_the_decided_card_nobody(any_bot):
    bot = any_bot
    bot.services.clock = lambda: NOW
    await bot.query(link_channels, bot.connector.url)
    await bot.query(grant_deputy, MEGAN)
    basis_id = await bot.query(make_basis)
    await post_basis(bot, basis_id)
    [posted] = [s for s in bot.connector.sent if s.method == "POST" and s.conversation_id == CHANNEL_ID]
    card = posted.card
    assert card["msteams"]["entities"] == [
        {"type": "mention", "text": "<at>Alex Wilber</at>", "mentioned": {"id": ALEX.teams_id, "name": "Alex Wilber"}},
        {"type": "mention", "text": "<at>Megan Bowen</at>", "mentioned": {"id": MEGAN.teams_id, "name": "Megan Bowen"}},
    ]
    assert "Att besluta: <at>Alex Wilber</at>, <at>Megan Bowen</at>" in posted.all_text()

    status, _ = await bot.invoke({"verb": "decision.approve", "basis_id": basis_id, "level": "steering",
                                  "comment": ""}, user=ALEX)
    assert status == 200
    await bot.services.outbox.drain()
    [update] = [s for s in bot.connector.sent if s.method == "PUT" and s.activity_id == posted.activity_id]
    assert "entities" not in update.card.get("msteams", {}) and "<at>" not in update.all_text()
