"""Lists a page at a time: the first page with a "Show more" button, the next page from it
(Action.Execute answered with the card), and who may ask for it (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from storage import org
from storage.models import Decision, DecisionBasis, DecisionOutcome, Need, NeedAffected, NeedStatus
from tests.support.botkit import ADELE, ALEX, ISAIAH, MEGAN, STRANGER
from tests.support.cards import buttons, text
from tests.support.decision_kit import card_of

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _need(i: int, area_id: int, raiser, status=NeedStatus.registered) -> dict:
    return dict(number=f"B-2026-{i:04d}", e_area_id=area_id, title=f"Behov nummer {i}", description="",
                source="staff", raised_by=raiser.aad_id, raised_by_name=raiser.name, on_behalf_of="", benefit="",
                status=status, created_at=NOW - timedelta(days=100 - i), updated_at=NOW)


async def start(bot, *, needs: int = 30) -> dict[str, int]:
    """The demo, and `needs` needs in utbildning raised by Isaiah (every fifth one done), plus
    two of Adele's that Isaiah joined; Megan raised one."""
    bot.services.clock = lambda: NOW
    await bot.say("hej", user=ISAIAH)

    def seed(session):
        areas = {a.slug: a.id for a in org.e_areas(session)}
        rows = [_need(i, areas["utbildning"], ISAIAH, NeedStatus.done if i % 5 == 0 else NeedStatus.registered)
                for i in range(1, needs + 1)]
        rows += [_need(needs + 1, areas["ekonomi"], ADELE), _need(needs + 2, areas["utbildning"], ADELE),
                 _need(needs + 3, areas["forskning"], MEGAN)]
        session.execute(insert(Need), rows)
        ids = {n.number: n.id for n in session.query(Need)}
        session.execute(insert(NeedAffected), [
            dict(need_id=ids[f"B-2026-{needs + 1:04d}"], aad_id=ISAIAH.aad_id, name=ISAIAH.name, added_at=NOW),
            dict(need_id=ids[f"B-2026-{needs + 2:04d}"], aad_id=ISAIAH.aad_id, name=ISAIAH.name, added_at=NOW)])
        return areas

    return await bot.query(seed)


def more_button(card: dict) -> dict:
    found = [b for b in buttons(card) if b.get("type") == "Action.Execute"
             and (b.get("data") or {}).get("verb", "").endswith("more")]
    assert len(found) == 1, buttons(card)
    return found[0]


def numbers(card: dict) -> list[str]:
    return [line.strip("*") for line in text(card).splitlines() if line.startswith("**B-2026-")]


async def test_my_needs_first_page_then_the_next_from_the_button(any_bot):
    bot = any_bot
    await start(bot)
    card = (await bot.say("mina behov", user=ISAIAH))[-1].card
    first = numbers(card)
    # newest first: the two joined needs, then Isaiah's own from number 30 down
    assert first[:3] == ["B-2026-0032", "B-2026-0031", "B-2026-0030"] and len(first) == 25
    button = more_button(card)
    assert button["title"] == "Visa fler" and button["data"]["verb"] == "need.mine_more"
    status, body = await bot.invoke(button["data"], user=ISAIAH, kind="personal")
    second = numbers(card_of(body))
    assert status == 200 and second == [f"B-2026-{i:04d}" for i in range(7, 0, -1)]
    assert not [b for b in buttons(card_of(body)) if b.get("type") == "Action.Execute"]  # the last page
    # the button names no person: whoever presses it gets their own needs, never Isaiah's
    status, body = await bot.invoke(button["data"], user=MEGAN, kind="personal")
    assert status == 200 and numbers(card_of(body)) == [] and "Inga fler behov" in text(card_of(body))


async def test_an_e_areas_needs_page_by_page_with_the_count(any_bot):
    bot = any_bot
    await start(bot, needs=60)  # 48 open of Isaiah's, and Adele's: 49 open in utbildning
    card = (await bot.say("behov utbildning", user=ALEX))[-1].card
    assert numbers(card)[:2] == ["B-2026-0001", "B-2026-0002"] and len(numbers(card)) == 25
    assert "Visar 25 av 49." in text(card)
    button = more_button(card)
    assert button["data"] == {"verb": "need.area_more", "rest": "utbildning", "after_id": button["data"]["after_id"]}
    status, body = await bot.invoke(button["data"], user=ALEX, kind="personal")
    page = card_of(body)
    assert "Visar 26–49 av 49." in text(page) and len(numbers(page)) == 24
    assert numbers(page)[-1] == "B-2026-0062" and "B-2026-0030" not in numbers(page)  # done needs are not open
    whole = numbers(card) + numbers(page)
    assert len(set(whole)) == 49  # nothing twice, nothing left out


async def test_the_next_page_asks_the_e_areas_roles_again(any_bot):
    bot = any_bot
    await start(bot, needs=40)  # 33 open in utbildning, 41 in all
    button = more_button((await bot.say("behov utbildning", user=ALEX))[-1].card)
    status, body = await bot.invoke(button["data"], user=STRANGER, kind="personal")
    shown = text(card_of(body))
    assert status == 200 and "Only the coordinators and the steering group of Education can list its needs" in shown
    assert "B-2026-" not in shown
    # words changed on the card: the list they name, from the same place (after B-2026-0031)
    status, body = await bot.invoke({**button["data"], "rest": "utbildning alla"}, user=ALEX, kind="personal")
    assert status == 200 and "Visar 32–41 av 41." in text(card_of(body))


async def test_decisions_page_by_page_for_the_e_areas_roles(any_bot):
    bot = any_bot
    areas = await start(bot, needs=3)

    def decide(session):
        need = session.query(Need).filter(Need.number == "B-2026-0001").one()
        for i in range(1, 31):
            basis = DecisionBasis(need_id=need.id, version=i, created_by="test")
            session.add(basis)
            session.flush()
            session.execute(insert(Decision), [dict(
                number=f"D-2026-{i:04d}", basis_id=basis.id, e_area_id=areas["utbildning"],
                outcome=DecisionOutcome.approved, decided_by=ALEX.aad_id, decided_by_name=ALEX.name,
                decided_at=NOW + timedelta(hours=i))])

    await bot.query(decide)
    card = (await bot.say("beslut utbildning", user=ALEX))[-1].card
    shown = text(card)
    assert "D-2026-0030" in shown and "D-2026-0006" in shown and "D-2026-0005" not in shown
    button = more_button(card)
    status, body = await bot.invoke(button["data"], user=ALEX, kind="personal")
    page = text(card_of(body))
    assert status == 200 and "D-2026-0005" in page and "D-2026-0001" in page and "D-2026-0006" not in page
    status, body = await bot.invoke(button["data"], user=STRANGER, kind="personal")
    assert status == 200 and "D-2026-0005" not in text(card_of(body))


async def test_search_results_page_by_page_and_only_what_the_clicker_may_see(any_bot):
    bot = any_bot
    bot.services.clock = lambda: NOW
    await bot.say("hej", user=ISAIAH)

    def seed(session):
        area = org.e_area_by_slug(session, "utbildning").id
        session.execute(insert(Need), [{**_need(i, area, ISAIAH), "title": f"Bokning av labbsalar, del {i}"}
                                       for i in range(1, 26)])

    await bot.query(seed)
    card = (await bot.say("sök labbsalar", user=ALEX))[-1].card
    first = numbers(card)
    assert len(first) == 10
    button = more_button(card)
    assert button["data"]["verb"] == "need.search_more" and button["data"]["skip"] == 10
    status, body = await bot.invoke(button["data"], user=ALEX, kind="personal")
    second = numbers(card_of(body))
    assert status == 200 and len(second) == 10 and not set(first) & set(second)
    # a stranger pressing it sees none of utbildning's needs in full
    status, body = await bot.invoke(button["data"], user=STRANGER, kind="personal")
    assert status == 200 and numbers(card_of(body)) == []


async def test_the_needs_to_assess_page_by_page_oldest_first(any_bot):
    bot = any_bot
    await start(bot, needs=40)  # 32 of Isaiah's and one of Adele's wait in utbildning, Megan's in forskning: Alex coordinates both
    card = (await bot.say("att bedöma", user=ALEX))[-1].card
    first = numbers(card)
    assert first[:2] == ["B-2026-0001", "B-2026-0002"] and len(first) == 25 and "B-2026-0005" not in first
    assert "Visar 25 av 34." in text(card)
    button = more_button(card)
    assert button["title"] == "Visa fler" and button["data"]["verb"] == "need.to_assess_more"
    status, body = await bot.invoke(button["data"], user=ALEX, kind="personal")
    page = card_of(body)
    assert status == 200 and "Visar 26–34 av 34." in text(page) and len(numbers(page)) == 9
    assert not [b for b in buttons(page) if (b.get("data") or {}).get("verb") == "need.to_assess_more"]
    assert len(set(first + numbers(page))) == 34  # nothing twice, nothing left out
    # the button names no e-area: someone who coordinates none is told so, and sees no need
    status, body = await bot.invoke(button["data"], user=ISAIAH, kind="personal")
    assert status == 200 and "B-2026-" not in text(card_of(body))
    assert "du är inte koordinator för något e-område" in text(card_of(body))
