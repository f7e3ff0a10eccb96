"""Commissions driven as people live them: a lead writes one through the guided form, managers
answer on the cards that reached their 1:1 chats. Every step is a real activity over HTTP."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from storage import commission_queries as queries
from tests.support.botkit import ADELE, ALEX, ISAIAH, MEGAN, PATTI, BotHarness, User
from tests.support.cards import buttons, text, verb_of
from tests.support.transcript import Transcript

EVERYONE = (ALEX, MEGAN, ADELE, ISAIAH, PATTI)

WORDS = {
    "sv": {"new": "nytt uppdrag", "next": "Nästa", "recommend": "Föreslå organisationsform", "send": "Skicka för godkännande",
           "save": "Spara utkast", "approve": "Godkänn", "decline": "Godkänn inte", "close": "Avsluta med slutrapport",
           "report": "Avsluta uppdraget", "ack": "Kvittera rapporten", "sent": "Skickat för godkännande till",
           "show": "uppdrag"},
    "en": {"new": "new commission", "next": "Next", "recommend": "Recommend a form", "send": "Send for approval",
           "save": "Save draft", "approve": "Approve", "decline": "Decline", "close": "Close with final report",
           "report": "Close the commission", "ack": "Acknowledge the report", "sent": "Sent for approval to",
           "show": "commission"},
}


def speaking(user: User, lang: str) -> User:
    return replace(user, locale="en-US" if lang == "en" else "sv-SE")


async def meet(bot: BotHarness, *users: User) -> None:
    """Each person writes to Styra once (the welcome is behind them; Styra knows their chat)."""
    for user in users or EVERYONE:
        await bot.say("hjälp" if user.locale.startswith("sv") else "help", user=user)
    bot.connector.clear()


def document_inputs(*, lead: User, manager: User, participants=(), managers=(), **extra: Any) -> dict[str, Any]:
    values = {"purpose": "En gemensam rutin för lånedatorer", "expected_result": "En beslutad rutin",
              "start": "2026-09-01", "end": "2026-12-15", "lead": lead.aad_id, "responsible_manager": manager.aad_id,
              "participants": ",".join(p.aad_id for p in participants), "managers": ",".join(m.aad_id for m in managers),
              "cadence": "monthly"}
    values.update(extra)
    return values


async def write(bot: BotHarness, lead: User, *, lang: str = "sv", title: str = "Gemensam rutin för lånedatorer",
                kind: str = "coordination", length: str = "short", answers: tuple[str, str, str] = ("several_units", "uncertain", "medium"),
                form: str | None = None, document: dict[str, Any], send: bool = True) -> tuple[int, Transcript]:
    """The lead writes a commission through the three steps (and sends it); its id."""
    w = WORDS[lang]
    convo = Transcript(bot, lead)
    await convo.say(w["new"])
    await convo.click(convo.expect_card(verb="commission.purpose"), w["next"],
                      inputs={"title": title, "need": "Alla enheter gör på sitt eget sätt", "kind": kind,
                              "length": length, "unit": "IT-avdelningen"})
    stakeholders, predictability, investment = answers
    await convo.click(convo.expect_card(verb="commission.organisation"), w["recommend"],
                      inputs={"stakeholders": stakeholders, "predictability": predictability, "investment": investment})
    step2 = convo.expect_card(verb="commission.organisation")
    await convo.click(step2, w["next"], inputs={"form": form} if form else {})
    step3 = convo.expect_card(verb="commission.submit")
    await convo.click(step3, w["send"] if send else w["save"], inputs=document)
    if send:
        convo.expect_text(w["sent"])
    commission_id = (await bot.query(lambda s: [c.id for c in queries.listing(s, mine=lead.aad_id) if c.title == title]))[0]
    return commission_id, convo


def latest_card(bot: BotHarness, user: User, *, verb: str | None = None, containing: str | None = None) -> dict:
    """The newest card in the user's 1:1 chat (updates in place included) with this verb/text."""
    for sent in reversed(bot.connector.sent):
        if sent.conversation_id != user.personal_conversation:
            continue
        for card in sent.cards:
            if (verb is None or verb in [verb_of(b) for b in buttons(card)]) and (containing is None or containing in text(card)):
                return card
    raise AssertionError(f"no card with verb {verb!r} / text {containing!r} for {user.name}")


def cards_to(bot: BotHarness, user: User) -> list[dict]:
    return [card for sent in bot.connector.sent if sent.conversation_id == user.personal_conversation for card in sent.cards]


async def answer(bot: BotHarness, user: User, commission_id: int, version: int, answer: str, comment: str = ""):
    """A manager presses Approve or Decline (Action.Execute) on the approval card; (status, card)."""
    data = {"verb": "commission.answer", "commission_id": commission_id, "version": version, "answer": answer,
            "comment": comment}
    status, body = await bot.invoke(data, user=user, kind="personal")
    # Its follow-ups are sent before the next step, so a later answer holds only its own replies.
    await bot.services.outbox.drain()
    return status, body.get("value") or {}


def commission(bot: BotHarness, commission_id: int):
    return bot.query(queries.get, commission_id)
