"""Finding commissions again: lists (mine, active, by kind, by unit), one commission as its people
see it and as everyone else does (DOMAIN.md §8), the registry number, the intranet register as
.xlsx; a need that becomes a commission and a network's idea that does, both linked; the lead
reminded to report at the chosen cadence."""

from __future__ import annotations

from datetime import UTC, datetime

from openpyxl import load_workbook

from bot.cli.main import main
from dialogs.commissions.reminders import remind
from storage import commission_queries as queries
from storage import needs as needs_repo
from storage import org
from storage.models import NeedStatus
from tests.scenarios.commission_kit import (
    answer,
    document_inputs,
    latest_card,
    meet,
    speaking,
    write,
)
from tests.support.botkit import ADELE, ALEX, ISAIAH, MEGAN, PATTI, STRANGER
from tests.support.cards import text, verbs
from tests.support.transcript import Transcript


async def _decided(bot, lead, *, title, kind, answers, lang="sv", **extra) -> int:
    doc = document_inputs(lead=lead, manager=MEGAN, participants=(ADELE,), **extra)
    cid, _ = await write(bot, lead, lang=lang, title=title, kind=kind, answers=answers, document=doc)
    await answer(bot, MEGAN, cid, 1, "approved")
    return cid


async def test_lists_detail_visibility_registry_number_and_the_register(bot, tmp_path, monkeypatch):
    await meet(bot)
    network = await _decided(bot, ALEX, title="Nätverk för e-lärande", kind="network", answers=("few", "predictable", "small"))
    await _decided(bot, PATTI, title="Kartlägg e-arkiv", kind="investigation", answers=("several_units", "predictable", "medium"))
    await write(bot, MEGAN, title="Utkast som ingen annan ser", send=False,
                document=document_inputs(lead=MEGAN, manager=PATTI))
    adele = Transcript(bot, ADELE)
    await adele.say("uppdrag aktiva")
    shown = adele.expect_card(containing="Uppdrag · aktiva")
    assert "Nätverk för e-lärande" in text(shown) and "Kartlägg e-arkiv" in text(shown)
    assert "Utkast som ingen annan ser" not in text(shown)
    await adele.say("uppdrag utredning")
    only = text(adele.expect_card(containing="utredningar"))
    assert "Kartlägg e-arkiv" in only and "Nätverk för e-lärande" not in only
    await adele.say("uppdrag enhet IT-avdelningen")
    assert "Kartlägg e-arkiv" in adele.text
    await adele.say("uppdrag konstigt")
    adele.expect_text("lägg till vad som ska visas")
    megan = Transcript(bot, MEGAN)
    await megan.say("mina uppdrag")
    mine = text(megan.expect_card(containing="Mina uppdrag"))
    assert "Utkast som ingen annan ser" in mine and "Nätverk för e-lärande" in mine  # she approved it

    # Someone not involved sees the announced facts, not the document, approvals or history.
    stranger = Transcript(bot, speaking(STRANGER, "en"))
    await stranger.say("commission U-2026-0001")
    public = text(stranger.expect_card(containing="U-2026-0001"))
    assert "Nätverk för e-lärande" in public and "Alex Wilber" in public
    assert "History" not in public and "Approvals" not in public and "shown to the people involved" in public
    # The lead sees everything, and notes the registry number.
    lead = Transcript(bot, ALEX)
    await lead.say("uppdrag U-2026-0001")
    full = lead.expect_card(containing="Historik")
    assert "Megan Bowen godkände version 1" in text(full) and "Beslutat som U-2026-0001 (version 1)" in text(full)
    await lead.click(full, "Spara diarienummer", inputs={"registry_number": "MIUN 2026/123"})
    lead.expect_text("Diarienumret är sparat: MIUN 2026/123.")
    assert (await bot.query(queries.get, network)).registry_number == "MIUN 2026/123"
    # A participant may not note it.
    await bot.click({"verb": "commission.register", "commission_id": network, "registry_number": "X"}, user=ADELE)
    assert (await bot.query(queries.get, network)).registry_number == "MIUN 2026/123"

    monkeypatch.setenv("DATABASE_URL", bot.services.settings.database_url)
    out = tmp_path / "uppdrag.xlsx"
    assert main(["commissions", "export", "--out", str(out), "--lang", "sv"]) == 0
    rows = [[c.value for c in row] for row in load_workbook(out).active.iter_rows(min_row=2)]
    assert [(r[0], r[1] or "", r[2]) for r in rows] == [("U-2026-0001", "MIUN 2026/123", "Nätverk för e-lärande"),
                                                        ("U-2026-0002", "", "Kartlägg e-arkiv")]


def _need(session, status: NeedStatus) -> int:
    area = org.e_area_by_slug(session, "utbildning")
    need = needs_repo.create(session, e_area_id=area.id, year=2026, title="Bokning av labbsalar",
                             description="Labbsalar bokas i tre olika system", source="staff", raised_by=ISAIAH.aad_id,
                             raised_by_name=ISAIAH.name, on_behalf_of="", benefit="Färre dubbelbokningar",
                             effort_hours=120, cost_sek=80_000, wished_date=None)
    needs_repo.set_status(session, need, status, ALEX.aad_id, ALEX.name)
    return need.id


async def test_a_need_handled_within_the_plan_becomes_a_commission_linked_both_ways(bot):
    await meet(bot)
    registered = await bot.query(_need, NeedStatus.registered)
    need_id = await bot.query(_need, NeedStatus.within_plan)
    coordinator = Transcript(bot, ALEX)
    await coordinator.say("behov B-2026-0001")
    assert "commission.from_need" not in verbs(coordinator.expect_card(containing="B-2026-0001"))
    await coordinator.say("behov B-2026-0002")
    detail = coordinator.expect_card(verb="commission.from_need")
    await coordinator.click(detail, "Gör det till ett uppdrag")
    form = coordinator.expect_card(verb="commission.purpose")
    assert "Uppdraget utgår från B-2026-0002" in text(form) and "Labbsalar bokas i tre olika system" in text(form)
    await coordinator.click(form, "Nästa", inputs={"kind": "coordination", "length": "short"})
    await coordinator.click(coordinator.expect_card(verb="commission.organisation"), "Föreslå organisationsform",
                            inputs={"stakeholders": "several_units", "predictability": "predictable", "investment": "small"})
    await coordinator.click(coordinator.expect_card(verb="commission.organisation"), "Nästa")
    step3 = coordinator.expect_card(verb="commission.submit")
    assert "Färre dubbelbokningar" in text(step3)  # the need's benefit is the purpose to start from
    await coordinator.click(step3, "Skicka för godkännande",
                            inputs=document_inputs(lead=ALEX, manager=MEGAN, participants=(ISAIAH,)))
    [c] = await bot.query(lambda s: queries.of_need(s, need_id))
    assert c.origin_need_id == need_id and c.title == "Bokning av labbsalar"
    await answer(bot, MEGAN, c.id, 1, "approved")
    await bot.services.outbox.drain()  # the approval's card updates land before the next question
    # Both ways: the need names its commission, the commission its need.
    await coordinator.say("behov B-2026-0002")
    need_card = text(coordinator.expect_card(containing="B-2026-0002"))
    assert "U-2026-0001" in need_card and "Alex Wilber startade ett uppdrag utifrån behovet" in need_card
    await coordinator.say("uppdrag U-2026-0001")
    assert "Utgår från" in coordinator.text and "B-2026-0002" in coordinator.text
    # The raiser may too; someone else may not.
    assert registered
    await bot.click({"verb": "commission.from_need", "need_id": need_id}, user=PATTI)
    assert "Bara den som tog upp behovet" in bot.connector.sent[-1].all_text()


async def test_a_network_idea_spawns_a_commission_linked_to_its_origin(bot):
    adele = speaking(ADELE, "en")
    await meet(bot, ALEX, MEGAN, adele, ISAIAH, PATTI)
    origin = await _decided(bot, ALEX, title="Network for e-learning", kind="network", answers=("few", "predictable", "small"))
    participant = Transcript(bot, adele)
    await participant.say("commission U-2026-0001")
    await participant.click(participant.expect_card(verb="commission.idea"), "Idea → new commission")
    form = participant.expect_card(verb="commission.purpose")
    assert "It starts from U-2026-0001" in text(form) and "An idea from the network U-2026-0001" in text(form)
    await participant.click(form, "Next", inputs={"title": "Shared quiz bank", "kind": "coordination", "length": "short"})
    await participant.click(participant.expect_card(verb="commission.organisation"), "Recommend a form",
                            inputs={"stakeholders": "several_units", "predictability": "uncertain", "investment": "medium"})
    await participant.click(participant.expect_card(verb="commission.organisation"), "Next")
    await participant.click(participant.expect_card(verb="commission.submit"), "Send for approval",
                            inputs=document_inputs(lead=adele, manager=PATTI, participants=(ISAIAH,)))
    [spawned] = await bot.query(queries.spawned, origin)
    assert spawned.title == "Shared quiz bank" and spawned.created_by == ADELE.aad_id
    await answer(bot, PATTI, spawned.id, 1, "approved")
    await participant.say("commission U-2026-0001")
    assert "Commissions started from its ideas: U-2026-0002" in participant.text
    await participant.say("commission U-2026-0002")
    assert "Comes from" in participant.text and "U-2026-0001" in participant.text
    # An idea needs a running network: a coordination commission offers none.
    assert "commission.idea" not in verbs(participant.expect_card(containing="U-2026-0002"))


async def test_the_lead_is_reminded_once_per_period_on_working_days(bot):
    start = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
    bot.services.clock = lambda: start
    await meet(bot)
    cid = await _decided(bot, ALEX, title="Nätverk för e-lärande", kind="network", answers=("few", "predictable", "small"),
                         cadence="monthly", end="2027-06-30")
    await bot.services.outbox.drain()
    assert await remind(bot.services, now=datetime(2026, 9, 20, 8, 0, tzinfo=UTC)) == 0  # decided this month
    monday = datetime(2026, 10, 5, 8, 0, tzinfo=UTC)  # 10:00 in Stockholm
    assert await remind(bot.services, now=monday) == 1
    assert await remind(bot.services, now=monday) == 0  # again: the same period, nothing new
    assert await remind(bot.services, now=datetime(2026, 11, 7, 9, 0, tzinfo=UTC)) == 0  # a Saturday
    assert await remind(bot.services, now=datetime(2026, 11, 2, 19, 0, tzinfo=UTC)) == 0  # the evening
    november = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    assert await remind(bot.services, now=november) == 1
    bot.services.clock = lambda: november
    await bot.services.outbox.drain()
    card = latest_card(bot, ALEX, containing="Dags för statusrapport")
    assert "U-2026-0001" in text(card) and "Megan Bowen" in text(card) and "varje månad" in text(card)
    reminders = [s for s in bot.connector.sent if "Dags för statusrapport" in s.all_text()]
    assert len(reminders) == 2 and all(s.conversation_id == ALEX.personal_conversation for s in reminders)
    assert (await bot.query(queries.get, cid)).cadence == "monthly"
