"""The whole governance process end to end, as people do it in Teams: a need is registered, the
coordinators assess it, a decision basis is written and anchored, and the steering group's chair
decides in the channel card. Only what a user can do: messages, and clicks on buttons taken from
the cards the bot actually sent, with the inputs a person would type merged in."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from storage import assessments as repo
from storage import bases
from storage.models import BasisStatus, Decision, LinkedChannel, Need, NeedEvent, NeedStatus, Plan
from tests.support.botkit import ADELE, ALEX, CHANNEL_ID, ISAIAH, STRANGER
from tests.support.cards import buttons, inputs, press, texts, verbs
from tests.support.connector import Sent

# These scenarios follow the notice sent for each new need (an organisation's STYRA_NEED_NOTICES
# or an e-area's `aviseringar … varje`); the daily digest has its own (test_need_notices.py).
pytestmark = pytest.mark.settings(STYRA_NEED_NOTICES="each")


NOW = datetime(2026, 11, 21, 13, 5, tzinfo=UTC)  # 14:05 in Stockholm
PORTFOLIO_CHANNEL = "19:portfolio@thread.tacv2"


# --- reading what the bot sent ------------------------------------------------------------------


def text_of(items) -> str:
    return "\n".join(s.all_text() if isinstance(s, Sent) else "\n".join(texts(s)) for s in items)


def card_with(sent: list[Sent], verb: str) -> dict:
    """The newest card among these messages that has a button with this verb."""
    for message in reversed(sent):
        for card in message.cards:
            if verb in verbs(card):
                return card
    raise AssertionError(f"no card with {verb!r} in {[s.all_text()[:100] for s in sent]}")


def card_of(body: dict) -> dict:
    assert body.get("statusCode") == 200, body
    return body["value"]


def to(bot, conversation: str, since: int = 0) -> list[Sent]:
    return [s for s in bot.connector.sent[since:] if s.conversation_id.split(";")[0] == conversation]


# --- doing what people do -----------------------------------------------------------------------


async def say_in_channel(bot, text: str, user=ALEX, channel: str = CHANNEL_ID, name: str = "Styrgrupp Utbildning"):
    body = bot.activity(user, kind="channel", text=text)
    body["conversation"]["id"] = f"{channel};messageid={body['id']}"
    body["channelData"]["channel"] = {"id": channel, "name": name}
    return await bot.send(body)


async def link_channels(bot) -> None:
    replies = await say_in_channel(bot, "koppla utbildning")
    assert "styrgruppskanal för Utbildning" in text_of(replies)
    replies = await say_in_channel(bot, "koppla portfölj", channel=PORTFOLIO_CHANNEL, name="Portföljledning")
    assert "portföljledningens kanal" in text_of(replies).casefold() or "portfölj" in text_of(replies)
    links = await bot.query(lambda s: {(link.purpose.value, link.scope, link.conversation_id)
                                       for link in s.exec(select(LinkedChannel))})
    assert links == {("steering", "utbildning", CHANNEL_ID), ("portfolio", "portfolio", PORTFOLIO_CHANNEL)}


async def register(bot, user, first_words: str, **typed) -> tuple[Need, list[Sent]]:
    """Free text opens the form with the title filled in; the person fills the rest and sends it."""
    form = card_with(await bot.say(first_words, user=user), "need.submit")
    before = len(bot.connector.sent)
    replies = await bot.click(press(form, "need.submit", **typed), user=user)
    await bot.services.outbox.drain()
    need = await bot.query(lambda s: s.exec(select(Need).order_by(Need.id.desc())).first())
    return need, replies + [s for s in bot.connector.sent[before:] if s not in replies]


async def open_assessment_from_notice(bot, need: Need, user=ALEX) -> dict:
    """The coordinator presses "Assess" on the notice the bot posted in the steering channel."""
    notices = [card for s in to(bot, CHANNEL_ID) for card in s.cards
               if {"verb": "assess.open", "need_id": need.id} in [b.get("data") for b in buttons(card)]]
    assert len(notices) == 1, "one notice per need in the steering channel"
    data = press(notices[0], "assess.open")
    assert data == {"verb": "assess.open", "need_id": need.id}
    return card_with(await bot.click(data, user=user, kind="channel"), "assess.review")


async def assess(bot, need: Need, answers: dict, *, expect: str, user=ALEX) -> list[Sent]:
    form = await open_assessment_from_notice(bot, need, user)
    reviewed = await bot.click(press(form, "assess.review", **answers), user=user, kind="channel")
    review = card_with(reviewed, "assess.confirm")
    assert expect in text_of(reviewed), text_of(reviewed)
    assert "Inget sparas förrän du bekräftar." in text_of(reviewed)
    return await bot.click(press(review, "assess.confirm"), user=user, kind="channel")


async def plan_2026(bot) -> Plan:
    from storage import org

    def load(session):
        area = org.e_area_by_slug(session, "utbildning")
        return session.exec(select(Plan).where(Plan.e_area_id == area.id, Plan.year == 2026)).one()

    return await bot.query(load)


async def need_now(bot, need_id: int) -> Need:
    return await bot.query(lambda s: s.get(Need, need_id))


async def history_kinds(bot, need_id: int) -> list[str]:
    return await bot.query(lambda s: [e.kind for e in s.exec(
        select(NeedEvent).where(NeedEvent.need_id == need_id).order_by(NeedEvent.id))])


def personal(bot, user, since: int = 0) -> list[Sent]:
    return [s for s in bot.connector.sent[since:] if s.conversation_id == user.personal_conversation]


URGENT = {"serves": "yes", "hours": "5000", "cost": "3000000", "urgent": "true", "portfolio": "false",
          "if_not": "inventory", "business_goals": "Fler studenter kan examineras på distans."}
BASIS = {"business_goals": "Fler studenter kan examineras på distans.", "risk": "Leverantören hinner inte till vårterminen.",
         "likelihood": "2", "impact": "4", "resources": "Tre utvecklare i ett halvår.",
         "dependencies": "Inga andra e-områden.", "proposal": "Utöka ramen med 1 000 timmar och 500 000 kr.",
         "frame_hours": "1000", "frame_sek": "500000"}
EXAM = {"description": "Distansstudenter behöver kunna skriva salstentor hemifrån.", "e_area": "utbildning",
        "source": "staff", "on_behalf_of": "Studentexpeditionen", "benefit": "Färre resor för studenterna",
        "hours": "5000", "cost": "3000000", "wished_date": "2027-03-01"}


async def to_the_steering_group(bot) -> tuple[Need, int]:
    """Register, assess as urgent beyond the frame, write the basis, anchor it: the card is posted."""
    bot.services.clock = lambda: NOW
    await link_channels(bot)
    need, replies = await register(bot, ISAIAH, "Vi behöver digital tentamen för distansstudenter", **EXAM)
    assert "Behov B-2026-0001 är registrerat" in text_of(replies)
    assert "Är det något av de här?" not in text_of(replies)
    assert need.title == "Digital tentamen för distansstudenter" and need.raised_by == ISAIAH.aad_id

    notice = to(bot, CHANNEL_ID)
    assert "Nytt behov i Utbildning: B-2026-0001" in text_of(notice)

    replies = await assess(bot, need, URGENT, expect="Beslutsunderlag för styrgruppen")
    form = card_with(replies, "basis.submit")
    assert inputs(form)["hours"]["value"] == 5000 and inputs(form)["cost"]["value"] == 3_000_000
    assert (await need_now(bot, need.id)).status == NeedStatus.awaiting_decision

    before = len(bot.connector.sent)
    replies = await bot.click(press(form, "basis.submit", **BASIS), user=ALEX, kind="channel")
    assert "skickat till de e-områdesansvariga: Adele Vance" in text_of(replies)
    await bot.services.outbox.drain()
    request = card_with(personal(bot, ADELE, before), "anchor.agree")
    assert "Digital tentamen för distansstudenter" in text_of([request])

    before = len(bot.connector.sent)
    replies = await bot.click(press(request, "anchor.agree"), user=ADELE)
    assert "klart för styrgruppen" in text_of(replies)
    basis = await bot.query(lambda s: bases.latest_basis(s, need.id))
    assert basis.status == BasisStatus.ready
    await bot.services.outbox.drain()
    posted = [s for s in to(bot, CHANNEL_ID, before) if s.method == "POST"]
    assert len(posted) == 1 and "Beslutsunderlag för styrgruppen" in text_of(posted)
    return need, basis.id


# --- 1. Swedish, the happy path to approval -------------------------------------------------------


async def test_a_need_goes_all_the_way_to_approval_in_swedish(any_bot):
    bot = any_bot
    plan_before = await plan_2026(bot)
    need, basis_id = await to_the_steering_group(bot)
    posted = [s for s in to(bot, CHANNEL_ID) if s.method == "POST" and s.cards and s.card.get("refresh")][-1]
    card = posted.card
    # everyone sees the read-only card; the chair's client refreshes it into the one with buttons
    assert verbs(card) == [] and inputs(card) == {}
    assert ALEX.teams_id in card["refresh"]["userIds"]
    refresh = card["refresh"]["action"]["data"]
    assert refresh == {"verb": "decision.view", "basis_id": basis_id, "level": "steering"}

    status, body = await bot.invoke(refresh, user=ALEX)
    chair = card_of(body)
    assert status == 200 and "decision.approve" in verbs(chair) and set(inputs(chair)) == {"comment", "registry_number"}
    assert "Godkänn" in text_of([chair])

    status, body = await bot.invoke(press(chair, "decision.approve", comment="Bra underlag, kör.",
                                          registry_number="UTB 2026/77"), user=ALEX)
    shown = text_of([card_of(body)])
    assert status == 200 and "Styrgruppen: Godkänt" in shown and "UTB 2026/77" in shown
    assert verbs(card_of(body)) == []
    await bot.services.outbox.drain()

    updated = [s for s in to(bot, CHANNEL_ID) if s.method == "PUT"]
    assert len(updated) == 1 and updated[0].activity_id == posted.activity_id
    assert "Styrgruppen: Godkänt" in updated[0].all_text() and "Bra underlag, kör." in updated[0].all_text()

    plan = await plan_2026(bot)
    assert (plan.frame_hours, plan.frame_sek) == (plan_before.frame_hours + 1000, plan_before.frame_sek + 500_000)
    assert (plan.committed_hours, plan.committed_sek) == (plan_before.committed_hours + 5000,
                                                          plan_before.committed_sek + 3_000_000)
    assert (await need_now(bot, need.id)).status == NeedStatus.approved
    [decision] = await bot.query(lambda s: list(s.exec(select(Decision))))
    assert (decision.outcome.value, decision.registry_number, decision.decided_by) == ("approved", "UTB 2026/77", ALEX.aad_id)

    told = text_of(personal(bot, ISAIAH))
    assert "Ditt behov har bedömts" in told
    assert "Styrgruppen har fattat beslut om behov B-2026-0001: Godkänt." in told

    shown = text_of(await bot.say("behov B-2026-0001", user=ISAIAH))
    assert "Godkänt" in shown
    for line in ("Isaiah Langer registrerade behovet", "Alex Wilber bedömde behovet",
                 "Alex Wilber skrev beslutsunderlag version 1", "Adele Vance ställde sig bakom beslutsunderlaget",
                 "Alex Wilber registrerade ett beslut"):
        assert line in shown, shown
    history = shown[shown.index("Historik"):]
    order = [history.index(s) for s in ("registrerade behovet", "bedömde behovet", "skrev beslutsunderlag",
                                         "ställde sig bakom", "registrerade ett beslut")]
    assert order == sorted(order), history
    assert "basis" not in history and "plan changed" not in history
    assert await history_kinds(bot, need.id) == ["registered", "assessed", "basis_created", "basis_agreed",
                                                 "basis_ready", "decided", "plan_changed", "status_changed"]


# --- 2. An English raiser, within the plan --------------------------------------------------------


async def test_an_english_speaker_without_roles_gets_their_need_handled_within_the_plan(bot):
    bot.services.clock = lambda: NOW
    await link_channels(bot)
    replies = await bot.say("roles", user=STRANGER)
    assert "Coordinator" not in text_of(replies)
    plan_before = await plan_2026(bot)
    need, replies = await register(bot, STRANGER, "We need a booking page for the exam halls",
                                   description="Exam halls are booked by e-mail today.", e_area="utbildning",
                                   source="staff", benefit="Fewer e-mails", hours="40", cost="20000")
    assert "Need B-2026-0001 is registered" in text_of(replies)
    assert need.title == "A booking page for the exam halls"

    before = len(bot.connector.sent)
    replies = await assess(bot, need, {"serves": "yes", "hours": "40", "cost": "20000", "urgent": "false"},
                           expect="Hanteras inom planen")
    assert "Bedömningen är sparad" in text_of(replies)
    plan = await plan_2026(bot)
    assert (plan.committed_hours, plan.committed_sek) == (plan_before.committed_hours + 40, plan_before.committed_sek + 20_000)
    assert (await need_now(bot, need.id)).status == NeedStatus.within_plan
    await bot.services.outbox.drain()
    told = text_of(personal(bot, STRANGER, before))
    assert "Your need has been assessed" in told, told
    assert "Ditt behov" not in told


# --- 3. Declined with a reason; the needs inventory -------------------------------------------------


async def test_declined_with_a_reason_and_the_inventory_reaches_the_export(bot, db_url, tmp_path, monkeypatch):
    bot.services.clock = lambda: NOW
    await link_channels(bot)
    declined, _ = await register(bot, ISAIAH, "Vi behöver en egen chattapp för kursen",
                                 description="Kursen vill ha en egen chatt.", e_area="utbildning", source="staff")
    later, _ = await register(bot, ISAIAH, "Vi behöver en gemensam kalender för labbsalar",
                              description="Labbsalarna bokas i tre olika kalendrar.", e_area="utbildning",
                              source="staff", hours="200")

    before = len(bot.connector.sent)
    refused = await bot.click(press(await open_assessment_from_notice(bot, declined), "assess.review",
                                    serves="no", if_not="declined", reason=""), user=ALEX, kind="channel")
    assert "Skriv varför behovet avslås" in text_of(refused)
    await assess(bot, declined, {"serves": "no", "if_not": "declined", "reason": "Teams räcker för kursens chatt."},
                 expect="Avsl")  # "Avslås" / "Avslaget": the outcome, in Swedish
    assert (await need_now(bot, declined.id)).status == NeedStatus.declined
    await bot.services.outbox.drain()
    told = text_of(personal(bot, ISAIAH, before))
    assert "Ditt behov har avslagits." in told and "Teams räcker för kursens chatt." in told

    form = await open_assessment_from_notice(bot, later)
    reviewed = await bot.click(press(form, "assess.review", serves="no", if_not="inventory"), user=ALEX, kind="channel")
    assert "Behovsinventering inför nästa period" in text_of(reviewed)
    await bot.click(press(card_with(reviewed, "assess.confirm"), "assess.confirm"), user=ALEX, kind="channel")
    assert (await need_now(bot, later.id)).status == NeedStatus.inventory

    from bot.cli.main import main

    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("STYRA_ENV", "development")
    out = tmp_path / "inventering.csv"
    assert main(["needs", "export", "--e-area", "utbildning", "--status", "inventory", "--out", str(out)]) == 0
    rows = list(csv.reader(out.open(encoding="utf-8-sig"), delimiter=";"))
    assert [r[:4] for r in rows[1:]] == [["B-2026-0002", "Utbildning", "I behovsinventeringen",
                                          "En gemensam kalender för labbsalar"]]


# --- 4. Sent back by the chair, assessed again ----------------------------------------------------


async def test_the_chair_sends_the_basis_back_and_the_need_is_assessed_again(bot):
    need, basis_id = await to_the_steering_group(bot)
    posted = [s for s in to(bot, CHANNEL_ID) if s.method == "POST" and s.cards and s.card.get("refresh")][-1]
    _, body = await bot.invoke(posted.card["refresh"]["action"]["data"], user=ALEX)
    before = len(bot.connector.sent)
    status, body = await bot.invoke(press(card_of(body), "decision.send_back",
                                          comment="Beskriv risken med leverantören bättre."), user=ALEX)
    assert status == 200 and "Återremitterat till koordinatorerna" in text_of([card_of(body)])
    await bot.services.outbox.drain()
    told = text_of(personal(bot, ALEX, before))
    assert "Beskriv risken med leverantören bättre." in told
    assert (await need_now(bot, need.id)).status == NeedStatus.under_assessment

    plan_before = await plan_2026(bot)
    replies = await assess(bot, need, {**URGENT, "hours": "300", "cost": "200000", "urgent": "false"},
                           expect="Hanteras inom planen")
    assert "Bedömningen är sparad" in text_of(replies)
    assert (await need_now(bot, need.id)).status == NeedStatus.within_plan
    assert (await plan_2026(bot)).committed_hours == plan_before.committed_hours + 300
    rows = await bot.query(lambda s: repo.assessments_of(s, need.id))
    assert [r.outcome for r in rows] == ["decision_basis", "within_plan"]
    assert (await bot.query(lambda s: bases.latest_basis(s, need.id))).status == BasisStatus.superseded
    shown = text_of(await bot.say("behov B-2026-0001", user=ALEX))
    assert shown.count("Alex Wilber bedömde behovet") == 2


# --- 5. Refusals and replays ---------------------------------------------------------------------


async def test_a_member_cannot_decide_and_a_replayed_approval_changes_nothing(bot):
    need, basis_id = await to_the_steering_group(bot)
    posted = [s for s in to(bot, CHANNEL_ID) if s.method == "POST" and s.cards and s.card.get("refresh")][-1]
    refresh = posted.card["refresh"]["action"]["data"]
    assert ISAIAH.teams_id not in posted.card["refresh"]["userIds"]
    _, body = await bot.invoke(refresh, user=ALEX)
    approve = press(card_of(body), "decision.approve", comment="Ja.", registry_number="UTB 2026/78")

    status, body = await bot.invoke(approve, user=ISAIAH)
    assert status == 200
    assert ("Bara styrgruppens ordförande eller vice ordförande kan besluta om det här underlaget. "
            "Fråga Alex Wilber.") in text_of([card_of(body)])
    assert await bot.query(lambda s: list(s.exec(select(Decision)))) == []
    assert (await need_now(bot, need.id)).status == NeedStatus.awaiting_decision

    plan_before = await plan_2026(bot)
    first = await bot.invoke(approve, user=ALEX, activity_id="approve-1")
    again = await bot.invoke(approve, user=ALEX, activity_id="approve-1")
    assert first[0] == again[0] == 200
    replayed = text_of([card_of(again[1])])
    assert "Redan beslutat av Alex Wilber" in replayed and "2026-11-21 14:05" in replayed
    await bot.services.outbox.drain()
    assert len(await bot.query(lambda s: list(s.exec(select(Decision))))) == 1
    plan = await plan_2026(bot)
    assert plan.committed_hours == plan_before.committed_hours + 5000
    assert plan.frame_hours == plan_before.frame_hours + 1000
    assert (await history_kinds(bot, need.id)).count("decided") == 1
    assert len([s for s in to(bot, CHANNEL_ID) if s.method == "PUT"]) == 1
