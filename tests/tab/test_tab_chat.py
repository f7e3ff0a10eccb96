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
    sent = await bot.say("portfölj", kind="channel")
    assert sent and not _open_buttons(sent)
