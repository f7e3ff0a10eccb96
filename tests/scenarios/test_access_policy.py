"""Who may see and do what, tried the way an insider would: crafted card payloads through the
real HTTP route (issue "Who may see and do what"). Each test failed before the access policy."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from storage.models import BasisStatus, Decision, Need, NeedAffected, NeedEvent, NeedStatus
from tests.scenarios.test_needs_register import GOOD, fixed_clock, register
from tests.support.botkit import ADELE, ALEX, ISAIAH, MEGAN, STRANGER
from tests.support.cards import buttons, text, verbs
from tests.support.decision_kit import card_of, link_channels, make_basis
from tests.support.transcript import Transcript

UNIFORM_EN = "I cannot show that: it does not exist, or you do not have access to it. Nothing was changed."
UNIFORM_SV = "Det kan jag inte visa: det finns inte, eller så har du inte behörighet till det. Inget har ändrats."
NOW = datetime(2026, 11, 21, 13, 5, tzinfo=UTC)


def shown(replies) -> str:
    """The answer itself (a first message to someone new is preceded by the welcome card)."""
    return replies[-1].all_text()


async def affected_rows(bot):
    return await bot.query(lambda s: [(a.need_id, a.aad_id) for a in s.exec(select(NeedAffected))])


async def events(bot):
    return await bot.query(lambda s: len(list(s.exec(select(NeedEvent)))))


# --- need.join ---------------------------------------------------------------------------------


async def test_a_stranger_cannot_join_any_need_by_its_number_nor_read_it_afterwards(bot):
    fixed_clock(bot)
    await register(bot, ISAIAH, description="Hemlig bakgrund om kursanmälan.")
    [need] = await bot.query(lambda s: list(s.exec(select(Need))))
    before = await events(bot)
    replies = await bot.click({"verb": "need.join", "need_id": need.id}, user=STRANGER)
    assert shown(replies) == UNIFORM_EN
    assert await affected_rows(bot) == [] and await events(bot) == before
    # ... the same answer as for a need that does not exist
    missing = await bot.click({"verb": "need.join", "need_id": need.id + 1000}, user=STRANGER)
    assert shown(missing) == UNIFORM_EN
    # and need.show still tells the stranger nothing
    for reply in (await bot.click({"verb": "need.show", "need_id": need.id}, user=STRANGER),
                  await bot.click({"verb": "need.show", "need_id": need.id + 1000}, user=STRANGER)):
        assert shown(reply) == UNIFORM_EN
    status, body = await bot.invoke({"verb": "need.join", "need_id": need.id}, user=STRANGER, kind="personal")
    assert status == 200 and "Hemlig" not in text(card_of(body)) and UNIFORM_EN in text(card_of(body))
    assert await affected_rows(bot) == []


async def test_joining_works_for_the_need_offered_as_similar_and_for_nothing_else(bot):
    fixed_clock(bot)
    await register(bot, ISAIAH)
    await register(bot, ISAIAH, title="Bokning av grupprum i biblioteket", description="Grupprum bokas på papper.")
    first, second = await bot.query(lambda s: list(s.exec(select(Need).order_by(Need.id))))
    convo = Transcript(bot, MEGAN)
    await convo.say("nytt behov")
    form = convo.expect_card(verb="need.submit")
    await convo.click(form, "Skicka", inputs={**GOOD, "title": "Fristående kurser: samlad digital kursanmalan"})
    similar = convo.expect_card(verb="need.join")
    offered = {b["data"]["need_id"] for b in buttons(similar) if b.get("data", {}).get("verb") == "need.join"}
    assert offered == {first.id}
    # the need that was not offered: Megan (chair of another e-area) cannot join it by its id
    replies = await bot.click({"verb": "need.join", "need_id": second.id}, user=MEGAN)
    assert shown(replies) == UNIFORM_SV and await affected_rows(bot) == []
    # the offered one: joined
    await convo.click(similar, "Samma behov – lägg till mig som berörd")
    assert await affected_rows(bot) == [(first.id, MEGAN.aad_id)]


async def test_a_need_offered_earlier_cannot_be_joined_once_it_is_closed(bot):
    fixed_clock(bot)
    await register(bot, ISAIAH)
    convo = Transcript(bot, MEGAN)
    await convo.say("nytt behov")
    await convo.click(convo.expect_card(verb="need.submit"), "Skicka",
                      inputs={**GOOD, "title": "Fristående kurser: samlad digital kursanmalan"})
    similar = convo.expect_card(verb="need.join")

    def decline(session):
        need = session.exec(select(Need)).one()
        need.status = NeedStatus.declined

    await bot.query(decline)
    await convo.click(similar, "Samma behov – lägg till mig som berörd")
    convo.expect_text("Behovet är avslutat, så du kan inte längre ange att du berörs av det. Inget har ändrats.")
    assert await affected_rows(bot) == []


# --- decision bases ----------------------------------------------------------------------------


async def test_a_stranger_reads_no_decision_basis_by_id_whatever_the_verb(bot):
    bot.services.clock = lambda: NOW
    await bot.query(link_channels, bot.connector.url)
    ids = [await bot.query(make_basis), await bot.query(lambda s: make_basis(s, status=BasisStatus.anchoring)),
           await bot.query(lambda s: make_basis(s, status=BasisStatus.decided))]
    for basis_id in (*ids, 999):
        for verb in ("decision.view", "decision.approve", "decision.reject", "decision.escalate", "basis.view",
                     "anchor.agree"):
            status, body = await bot.invoke({"verb": verb, "basis_id": basis_id}, user=STRANGER, kind="personal")
            shown_text = text(card_of(body))
            assert status == 200 and UNIFORM_EN in shown_text, (verb, basis_id, shown_text[:200])
            assert "Bokningssystem" not in shown_text and "Leverantören" not in shown_text
            assert verbs(card_of(body)) == []
    assert await bot.query(lambda s: list(s.exec(select(Decision)))) == []


async def test_the_people_who_may_read_a_basis_still_do(bot):
    bot.services.clock = lambda: NOW
    anchoring = await bot.query(lambda s: make_basis(s, status=BasisStatus.anchoring))
    ready = await bot.query(make_basis)
    # area owners and coordinators read it while it is anchored; a steering-group member does not
    for user, basis_id, readable in ((ADELE, anchoring, True), (ALEX, anchoring, True), (ISAIAH, anchoring, False),
                                     (ISAIAH, ready, True), (MEGAN, ready, False)):  # Megan raised it: not yet
        replies = await bot.click({"verb": "basis.view", "basis_id": basis_id}, user=user)
        assert ("Leverantören är liten." in shown(replies)) is readable, (user.name, basis_id)
        assert (UNIFORM_SV in shown(replies) or UNIFORM_EN in shown(replies)) is not readable


async def test_a_basis_decided_is_read_by_the_person_who_raised_the_need_but_a_stranger_is_not(bot):
    decided = await bot.query(lambda s: make_basis(s, status=BasisStatus.decided))
    status, body = await bot.invoke({"verb": "decision.view", "basis_id": decided}, user=MEGAN, kind="personal")
    assert status == 200 and "Leverantören är liten." in text(card_of(body))
    status, body = await bot.invoke({"verb": "decision.view", "basis_id": decided}, user=STRANGER, kind="personal")
    assert UNIFORM_EN in text(card_of(body))
