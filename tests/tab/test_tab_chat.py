"""`portfölj` in a 1:1 chat ends with "Öppna portföljvyn": a link for the speaker that opens the
portfolio page (and only in their own chat: a channel's copy would let anyone in it in)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.support.botkit import ALEX


def _open_buttons(sent) -> list[dict]:
    return [a for s in sent for card in s.cards for a in card.get("actions", []) if a.get("type") == "Action.OpenUrl"
            and "/tab/portfolio" in a.get("url", "")]


async def test_the_roll_up_in_a_personal_chat_offers_the_portfolio_view(bot):
    sent = await bot.say("portfölj")
    buttons = _open_buttons(sent)
    assert [b["title"] for b in buttons] == ["Öppna portföljvyn"]
    url = urlsplit(buttons[0]["url"])
    assert url.path == "/tab/portfolio"
    page = await bot.client.get(url.path, params={"s": parse_qs(url.query)["s"][0]})
    html = await page.text()
    assert page.status == 200 and "Utbildning" in html and f"Inloggad som {ALEX.name}" in html


async def test_the_roll_up_in_a_channel_carries_no_personal_link(bot):
    from tests.support.botkit import CHANNEL_ID

    sent = await bot.say("portfölj", kind="channel")
    in_channel = [s for s in sent if s.conversation_id.startswith(CHANNEL_ID)]
    # The roll-up answers in the asker's 1:1 chat; what the channel sees carries no link.
    assert sent and not _open_buttons(in_channel)


async def test_a_coordinator_without_the_roll_up_still_gets_the_view_of_their_own_e_area(bot):
    from tests.support.botkit import User
    from tests.support.portfolio_seed import COORDINATOR_ONLY

    def coordinator(session):
        from storage import org
        from storage.models import Role

        org.grant(session, org.e_area_by_slug(session, "ekonomi"), COORDINATOR_ONLY[0], Role.coordinator, by="test")

    await bot.query(coordinator)
    cora = User(COORDINATOR_ONLY[0], COORDINATOR_ONLY[1], "user-id-31")
    sent = await bot.say("portfölj", user=cora)
    texts = " ".join(str(card) for s in sent for card in s.cards)
    assert "Portföljens samlade status är till för portföljkontoret" in texts
    assert "Portföljvyn visar dig de e-områden där du har en roll." in texts
    url = urlsplit(_open_buttons(sent)[0]["url"])
    page = await bot.client.get(url.path, params={"s": parse_qs(url.query)["s"][0]})
    html = await page.text()
    assert "Ekonomi och personal" in html and "Utbildning" not in html


async def test_someone_without_roles_gets_the_answer_without_a_link(bot):
    from tests.support.botkit import STRANGER

    sent = await bot.say("portfolio", user=STRANGER)
    assert sent and not _open_buttons(sent)
    assert "The portfolio roll-up is for the portfolio office" in " ".join(s.text for s in sent)
