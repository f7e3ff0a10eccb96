"""Following a need up over the HTTP route: the raiser edits until it is assessed and withdraws
it; the coordinators edit at any time, with history; `att bedöma` lists the needs waiting, oldest
first; the decision-basis form reopens from the need's card. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from storage import needs as repo
from storage import org
from storage.models import Assessment, BasisStatus, DecisionBasis, Need, NeedStatus
from storage.need_tables import NeedChange
from tests.support.botkit import ADELE, ALEX, ISAIAH, MEGAN, STRANGER
from tests.support.cards import button, inputs, press, text, verbs
from tests.support.decision_kit import card_of

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)


def _create(session, title: str, slug: str = "utbildning", who=ISAIAH, *, days_ago: int = 0, hours: int | None = 40):
    area = org.e_area_by_slug(session, slug)
    return repo.create(session, e_area_id=area.id, year=2026, title=title, description="Studenter bokar i tre system.",
                       source="staff", raised_by=who.aad_id, raised_by_name=who.name, on_behalf_of="",
                       benefit="", effort_hours=hours, cost_sek=None, wished_date=None,
                       at=NOW - timedelta(days=days_ago)).id


def _assessed(session, need_id: int, outcome: str = "within_plan", status: NeedStatus = NeedStatus.within_plan) -> int:
    row = Assessment(need_id=need_id, assessor=ALEX.aad_id, outcome=outcome)
    session.add(row)
    session.get(Need, need_id).status = status
    session.flush()
    return row.id


async def _start(bot, title: str = "Bokning av grupprum", **kw) -> int:
    bot.services.clock = lambda: NOW
    await bot.say("hej", user=ISAIAH)  # loads the demo organisation
    return await bot.query(lambda s: _create(s, title, **kw))


async def _need_card(bot, need_id: int, user) -> dict:
    replies = await bot.click({"verb": "need.show", "need_id": need_id}, user=user)
    return replies[-1].card


async def _edit_form(bot, need_id: int, user) -> dict:
    replies = await bot.click({"verb": "need.edit", "need_id": need_id}, user=user)
    return replies[-1].card


async def _save(bot, form: dict, user, **typed) -> dict:
    status, body = await bot.invoke(press(form, "need.update", **typed), user=user, kind="personal")
    assert status == 200
    return card_of(body)


def _changes(session, need_id: int) -> list[NeedChange]:
    return list(session.exec(select(NeedChange).where(NeedChange.need_id == need_id).order_by(NeedChange.id)))


async def test_the_raiser_edits_before_assessment_once_per_form_with_history(any_bot):
    bot = any_bot
    need_id = await _start(bot)
    card = await _need_card(bot, need_id, ISAIAH)
    assert {"need.edit", "need.withdraw"} <= set(verbs(card))
    form = await _edit_form(bot, need_id, ISAIAH)
    assert "Ändra B-2026-0001" in text(form)
    assert inputs(form)["title"]["value"] == "Bokning av grupprum" and inputs(form)["hours"]["value"] == "40"
    assert inputs(form)["e_area"]["value"] == "utbildning"

    bot.services.clock = lambda: LATER
    shown = await _save(bot, form, ISAIAH, title="Bokning av grupprum och labbsalar", hours="60")
    assert "Ändrad 12 mar av Isaiah Langer: titel, uppskattning" in text(shown)
    assert "Isaiah Langer ändrade behovet: titel, uppskattning" in text(shown)
    assert "“Bokning av grupprum” → “Bokning av grupprum och labbsalar”" in text(shown)
    again = await _save(bot, form, ISAIAH, title="Bokning av grupprum och labbsalar", hours="60")  # a double click
    assert "Ändrad 12 mar" in text(again)

    need = await bot.query(lambda s: s.get(Need, need_id))
    assert (need.title, need.effort_hours) == ("Bokning av grupprum och labbsalar", 60)
    rows = await bot.query(lambda s: _changes(s, need_id))
    assert len(rows) == 1 and rows[0].actor == ISAIAH.aad_id and rows[0].kind == "edited"
    assert json.loads(rows[0].changes) == {"title": ["Bokning av grupprum", "Bokning av grupprum och labbsalar"],
                                           "hours": ["40", "60"]}


async def test_bad_input_keeps_what_was_typed_and_saves_nothing(any_bot):
    bot = any_bot
    need_id = await _start(bot)
    form = await _edit_form(bot, need_id, ISAIAH)
    again = await _save(bot, form, ISAIAH, title="Ny titel", hours="fyrtio", wished_date="2020-01-01")
    shown = text(again)
    assert "Kontrollera de markerade fälten" in shown and "Skriv timmarna som ett heltal" in shown
    assert "Datumet har redan passerat" in shown
    assert inputs(again)["title"]["value"] == "Ny titel" and inputs(again)["hours"]["value"] == "fyrtio"
    assert (await bot.query(lambda s: s.get(Need, need_id))).title == "Bokning av grupprum"
    assert await bot.query(lambda s: _changes(s, need_id)) == []
    same = await _save(bot, form, ISAIAH)  # nothing changed
    assert "Inget skiljer sig från behovet" in text(same)
    assert await bot.query(lambda s: _changes(s, need_id)) == []


async def test_after_assessment_only_the_coordinators_edit_and_the_e_area_stays(any_bot):
    bot = any_bot
    need_id = await _start(bot)
    form = await _edit_form(bot, need_id, ISAIAH)  # opened before the assessment
    await bot.query(lambda s: _assessed(s, need_id))
    card = await _need_card(bot, need_id, ISAIAH)
    assert "need.edit" not in verbs(card) and "need.withdraw" not in verbs(card)
    refused = await bot.click({"verb": "need.edit", "need_id": need_id}, user=ISAIAH)
    assert "B-2026-0001 är bedömt, så nu kan bara koordinatorerna för Utbildning ändra det: Alex Wilber." in refused[-1].all_text()
    status, body = await bot.invoke(press(form, "need.update", title="Sent ändrad"), user=ISAIAH, kind="personal")
    assert "bara koordinatorerna för Utbildning" in text(card_of(body))
    assert (await bot.query(lambda s: s.get(Need, need_id))).title == "Bokning av grupprum"

    coordinator = await _edit_form(bot, need_id, ALEX)
    moved = await _save(bot, coordinator, ALEX, e_area="forskning")
    assert "E-området kan inte ändras när behovet är bedömt" in text(moved)
    bot.services.clock = lambda: LATER
    shown = await _save(bot, coordinator, ALEX, title="Grupprumsbokning", cost="150 000", source="user_group")
    assert "Ändrad 12 mar av Alex Wilber: titel, källa, uppskattning" in text(shown)
    assert "källa: “Medarbetare” → “Användargrupp”" in text(shown)
    rows = await bot.query(lambda s: _changes(s, need_id))
    assert [json.loads(r.changes) for r in rows] == [{"title": ["Bokning av grupprum", "Grupprumsbokning"],
                                                      "source": ["staff", "user_group"], "cost": ["", "150000"]}]
    assert rows[0].actor_name == "Alex Wilber"
    status, body = await bot.invoke({"verb": "need.show", "need_id": need_id}, user=ALEX, kind="personal",
                                    locale="en-US")
    assert "Changed 12 Mar by Alex Wilber: title, source, estimate" in text(card_of(body))


async def test_who_may_not_edit_is_told_or_sees_nothing(any_bot):
    bot = any_bot
    need_id = await _start(bot)
    chair_card = await _need_card(bot, need_id, ADELE)  # area owner: sees it, may not change it
    assert "need.edit" not in verbs(chair_card)
    told = await bot.click({"verb": "need.edit", "need_id": need_id}, user=ADELE)
    assert "Bara den som registrerade B-2026-0001 (tills det är bedömt) och koordinatorerna för Utbildning" in told[-1].all_text()
    hidden = await bot.click({"verb": "need.edit", "need_id": need_id}, user=STRANGER)
    assert "Grupprum" not in hidden[-1].all_text() and "B-2026-0001" not in hidden[-1].all_text()


async def test_the_raiser_withdraws_after_a_confirm_and_the_need_is_kept_but_not_open(any_bot):
    bot = any_bot
    need_id = await _start(bot)
    card = await _need_card(bot, need_id, ISAIAH)
    confirm = (await bot.click(button(card, "need.withdraw")["data"], user=ISAIAH))[-1].card
    assert "Dra tillbaka B-2026-0001?" in text(confirm) and "Det går inte att ångra" in text(confirm)
    assert (await bot.query(lambda s: s.get(Need, need_id))).status == NeedStatus.registered  # not yet
    for _ in range(2):  # a double click withdraws once
        status, body = await bot.invoke(button(confirm, "need.withdraw_confirm")["data"], user=ISAIAH, kind="personal")
        shown = text(card_of(body))
        assert "Tillbakadraget" in shown and "Isaiah Langer drog tillbaka behovet" in shown
    assert (await bot.query(lambda s: s.get(Need, need_id))).status == NeedStatus.withdrawn
    rows = await bot.query(lambda s: _changes(s, need_id))
    assert [(r.kind, json.loads(r.changes)) for r in rows] == [("withdrawn", {"status": ["registered", "withdrawn"]})]
    assert "need.withdraw" not in verbs(card_of(body))
    open_list = "\n".join(r.all_text() for r in await bot.say("behov utbildning", user=ALEX))
    assert "Bokning av grupprum" not in open_list
    assert "Bokning av grupprum" in "\n".join(r.all_text() for r in await bot.say("behov utbildning tillbakadragna", user=ALEX))
    assert "Bokning av grupprum" not in "\n".join(r.all_text() for r in await bot.say("att bedöma", user=ALEX))
    late = await bot.click({"verb": "assess.open", "need_id": need_id}, user=ALEX)  # the coordinators' old notice
    assert "Behovet har dragits tillbaka av den som registrerade det, så det finns inget att bedöma." in late[-1].all_text()


async def test_only_the_raiser_withdraws_and_only_before_assessment(any_bot):
    bot = any_bot
    need_id = await _start(bot)
    refused = await bot.click({"verb": "need.withdraw", "need_id": need_id}, user=ALEX)
    assert "Bara den som registrerade B-2026-0001 kan dra tillbaka det" in refused[-1].all_text()
    await bot.query(lambda s: _assessed(s, need_id))
    refused = await bot.click({"verb": "need.withdraw_confirm", "need_id": need_id}, user=ISAIAH)
    assert "B-2026-0001 är bedömt och kan inte längre dras tillbaka. Fråga koordinatorerna för Utbildning: Alex Wilber." in refused[-1].all_text()
    assert (await bot.query(lambda s: s.get(Need, need_id))).status == NeedStatus.within_plan


async def test_to_assess_lists_the_coordinators_waiting_needs_oldest_first(any_bot):
    bot = any_bot
    bot.services.clock = lambda: NOW
    await bot.say("hej", user=ISAIAH)

    def seed(session):
        newest = _create(session, "Nyast i utbildning", days_ago=1)
        oldest = _create(session, "Äldst i forskning", "forskning", STRANGER, days_ago=9)
        middle = _create(session, "Mitten i utbildning", days_ago=4)
        done = _create(session, "Redan bedömt", days_ago=20)
        _assessed(session, done)
        _create(session, "Ekonomins behov", "ekonomi", days_ago=30)
        return newest, oldest, middle

    newest, oldest, middle = await bot.query(seed)
    replies = await bot.say("att bedöma", user=ALEX)
    card = replies[-1].card
    shown = text(card)
    assert "Behov att bedöma" in shown and "Väntar på bedömning i Forskning, Utbildning, äldst först." in shown
    order = [shown.index(title) for title in ("Äldst i forskning", "Mitten i utbildning", "Nyast i utbildning")]
    assert order == sorted(order)
    assert "Redan bedömt" not in shown and "Ekonomins behov" not in shown
    assess = [b["data"] for b in __import__("tests.support.cards", fromlist=["buttons"]).buttons(card)
              if b["data"]["verb"] == "assess.open"]
    assert assess == [{"verb": "assess.open", "need_id": i} for i in (oldest, middle, newest)]

    english = (await bot.say("to assess", user=MEGAN, locale="en-US"))[-1].card
    assert "Needs to assess" in text(english) and "Ekonomins behov" in text(english)
    refused = await bot.say("att bedöma", user=ISAIAH)
    assert "Bara koordinatorer bedömer behov, och du är inte koordinator för något e-område." in refused[-1].all_text()
    assert not refused[-1].cards


async def test_the_basis_form_reopens_from_the_need_when_a_draft_or_sent_back(any_bot):
    bot = any_bot
    need_id = await _start(bot)
    assessment_id = await bot.query(lambda s: _assessed(s, need_id, "decision_basis", NeedStatus.awaiting_decision))
    card = await _need_card(bot, need_id, ALEX)
    assert button(card, "need.basis")["title"] == "Skriv underlaget"
    assert "need.basis" not in verbs(await _need_card(bot, need_id, ADELE))
    form = (await bot.click(button(card, "need.basis")["data"], user=ALEX))[-1].card
    assert "basis.submit" in verbs(form)
    assert button(form, "basis.submit")["data"]["assessment_id"] == assessment_id

    def sent_back(session):
        basis = DecisionBasis(need_id=need_id, assessment_id=assessment_id, version=1, status=BasisStatus.sent_back,
                              proposal="Köp ett bokningssystem", risk="Låg", created_by=ALEX.aad_id)
        session.add(basis)

    await bot.query(sent_back)
    card = await _need_card(bot, need_id, ALEX)
    assert button(card, "need.basis")["title"] == "Revidera underlaget"
    form = (await bot.click(button(card, "need.basis")["data"], user=ALEX))[-1].card
    assert inputs(form)["proposal"]["value"] == "Köp ett bokningssystem"
    assert button(form, "basis.submit")["data"]["after_version"] == 1

    await bot.query(lambda s: setattr(s.exec(select(DecisionBasis)).one(), "status", BasisStatus.anchoring))
    assert "need.basis" not in verbs(await _need_card(bot, need_id, ALEX))
    late = await bot.click({"verb": "need.basis", "need_id": need_id}, user=ALEX)
    assert "Behovet väntar inte på något beslutsunderlag från dig" in late[-1].all_text()


async def test_help_tells_how_to_follow_a_need_up(bot):
    shown = "\n".join(r.all_text() for r in await bot.say("hjälp", user=ISAIAH))
    assert "att bedöma" in shown
    topic = await bot.click({"verb": "help.topic", "topic": "needs"}, user=ISAIAH)
    assert "Tills ett behov är bedömt kan du ändra det eller dra tillbaka det" in topic[-1].all_text()
    topic = await bot.click({"verb": "help.topic", "topic": "assess"}, user=STRANGER)
    assert "Write **to assess** to see the needs waiting in your e-areas" in topic[-1].all_text()


async def test_an_edit_never_overwrites_a_change_saved_after_its_form_was_opened(any_bot):
    bot = any_bot
    need_id = await _start(bot)
    raiser = await _edit_form(bot, need_id, ISAIAH)
    coordinator = await _edit_form(bot, need_id, ALEX)
    await _save(bot, coordinator, ALEX, title="Grupprumsbokning")
    stale = await _save(bot, raiser, ISAIAH, title="Min titel", hours="80")
    assert "Alex Wilber ändrade behovet efter att du öppnade formuläret, så inget sparades." in text(stale)
    assert inputs(stale)["title"]["value"] == "Min titel" and inputs(stale)["hours"]["value"] == "80"
    assert (await bot.query(lambda s: s.get(Need, need_id))).title == "Grupprumsbokning"
    shown = await _save(bot, stale, ISAIAH)  # seen now: saved
    assert "Isaiah Langer ändrade behovet: titel, uppskattning" in text(shown)
    rows = await bot.query(lambda s: _changes(s, need_id))
    assert [r.actor for r in rows] == [ALEX.aad_id, ISAIAH.aad_id]
    assert (await bot.query(lambda s: s.get(Need, need_id))).title == "Min titel"


async def test_a_withdrawn_need_is_changed_by_its_coordinators_only(any_bot):
    bot = any_bot
    need_id = await _start(bot)
    await bot.invoke({"verb": "need.withdraw_confirm", "need_id": need_id}, user=ISAIAH, kind="personal")
    refused = await bot.click({"verb": "need.edit", "need_id": need_id}, user=ISAIAH)
    assert "Du har dragit tillbaka B-2026-0001, så det kan inte längre ändras." in refused[-1].all_text()
    assert "need.edit" in verbs(await _need_card(bot, need_id, ALEX))


async def test_a_withdrawn_or_decided_need_offers_its_coordinator_no_assess_button(any_bot):
    # Found in the Agents Playground: the button was there and only answered "nothing to assess".
    bot = any_bot
    need_id = await _start(bot)
    assert "assess.open" in verbs(await _need_card(bot, need_id, ALEX))
    await bot.invoke({"verb": "need.withdraw_confirm", "need_id": need_id}, user=ISAIAH, kind="personal")
    assert "assess.open" not in verbs(await _need_card(bot, need_id, ALEX))
    declined = await bot.query(lambda s: _create(s, "Avslaget behov"))
    await bot.query(lambda s: _assessed(s, declined, "declined", NeedStatus.declined))
    assert "assess.open" not in verbs(await _need_card(bot, declined, ALEX))
    waiting = await bot.query(lambda s: _create(s, "Väntar på beslut"))
    await bot.query(lambda s: _assessed(s, waiting, "decision_basis", NeedStatus.awaiting_decision))
    assert "assess.open" in verbs(await _need_card(bot, waiting, ALEX))


async def test_two_copies_of_one_save_or_withdrawal_at_once_write_one_history_row(any_bot):
    bot = any_bot
    need_id = await _start(bot)
    form = await _edit_form(bot, need_id, ISAIAH)
    data = press(form, "need.update", title="Samtidigt sparad")
    answers = await asyncio.gather(*(bot.invoke(data, user=ISAIAH, kind="personal") for _ in range(3)))
    assert all(status == 200 and "Samtidigt sparad" in text(card_of(body)) for status, body in answers)
    confirm = {"verb": "need.withdraw_confirm", "need_id": need_id}
    answers = await asyncio.gather(*(bot.invoke(confirm, user=ISAIAH, kind="personal") for _ in range(3)))
    assert all("Tillbakadraget" in text(card_of(body)) for _status, body in answers)
    rows = await bot.query(lambda s: _changes(s, need_id))
    assert [r.kind for r in rows] == ["edited", "withdrawn"]


async def test_a_need_sent_back_for_another_assessment_waits_again(any_bot):
    bot = any_bot
    need_id = await _start(bot)
    await bot.query(lambda s: _assessed(s, need_id, "decision_basis", NeedStatus.under_assessment))
    shown = text((await bot.say("att bedöma", user=ALEX))[-1].card)
    assert "Bokning av grupprum" in shown
    assert "need.edit" not in verbs(await _need_card(bot, need_id, ISAIAH))  # assessed once: the coordinators'


@pytest.mark.settings(STYRA_NEED_NOTICES="each")
async def test_a_need_moved_before_assessment_is_told_to_the_new_e_areas_coordinators(any_bot):
    bot = any_bot
    need_id = await _start(bot)
    await bot.services.outbox.drain()
    bot.connector.clear()
    form = await _edit_form(bot, need_id, ISAIAH)
    await _save(bot, form, ISAIAH, e_area="ekonomi")
    await _save(bot, form, ISAIAH, e_area="ekonomi")  # a double click tells no one twice
    await bot.services.outbox.drain()
    told = [s for s in bot.connector.sent if s.conversation_id == MEGAN.personal_conversation and s.method != "CREATE"]
    assert len(told) == 1 and "B-2026-0001" in told[0].all_text() and "Bokning av grupprum" in told[0].all_text()
