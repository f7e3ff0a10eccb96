"""The similar-need index built in the background at start-up: turns are answered while it builds
(the form without the similar check, `sök` from the titles in the database), its reads take no
write lock, and once built it finds what was stored before and what is added after (SQLite and
PostgreSQL)."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, insert
from sqlmodel import select

from bot import similar_build
from bot.similar import SimilarIndex
from storage import needs as repo
from storage.db import Database
from storage.demo import load_demo
from storage.models import Need, NeedStatus
from tests.scenarios.test_similar_and_search import find_card, submit_data, text_of
from tests.support.botkit import ISAIAH, MEGAN, BotHarness

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
WORDS = ("grupprum", "tentamen", "fakturor", "avtal", "lokaler", "betyg", "schemat", "licenser")


def seed(session, count: int = 1200) -> None:
    load_demo(session)
    session.execute(insert(Need), [dict(
        number=f"B-2025-{i:05d}", e_area_id=1 + i % 3, title=f"Hantering av {WORDS[i % len(WORDS)]} {i}",
        description="", source="staff", raised_by="someone", raised_by_name="", on_behalf_of="", benefit="",
        status=NeedStatus.registered, created_at=NOW - timedelta(days=1), updated_at=NOW) for i in range(1, count)])
    session.execute(insert(Need), [dict(
        number="B-2025-09999", e_area_id=1, title="Bokningssystem för labbsalar", description="", source="staff",
        raised_by="someone", raised_by_name="", on_behalf_of="", benefit="", status=NeedStatus.registered,
        created_at=NOW - timedelta(days=1), updated_at=NOW)])


@pytest.fixture
def gate(monkeypatch):
    """Holds the build after its first chunk until released."""
    read, release = threading.Event(), threading.Event()
    real = repo.index_chunk

    def held(engine, after_id, limit):
        if after_id:
            read.set()
            assert release.wait(30)
        return real(engine, after_id, limit)

    monkeypatch.setattr(repo, "index_chunk", held)
    return read, release


def test_lookups_while_building_then_from_the_index_and_incrementally(any_db, gate):
    any_db.call(seed)
    read, release = gate
    index = SimilarIndex()
    begins: list[str] = []
    event.listen(any_db.engine, "begin", lambda conn: begins.append(threading.current_thread().name))
    build = similar_build.start_build(index, any_db.engine)
    assert read.wait(30) and index.building
    # meanwhile: no similar check, and `sök` finds titles in the database
    assert any_db.call(lambda s: index.search(s, 1, "Bokningssystem för labbsalar", "")) == []
    found = any_db.call(lambda s: [n.title for n, _ in index.find(s, [1, 2, 3], "labbsalar")])
    assert found == ["Bokningssystem för labbsalar"]
    release.set()
    assert build.done.wait(60) and not index.building and build.read == 1200
    assert "styra-similar-build" not in begins  # its reads never opened a unit of work (no write lock)
    hits = any_db.call(lambda s: [n.title for n, _ in index.search(s, 1, "Bokning av labbsal", "")])
    assert hits == ["Bokningssystem för labbsalar"]
    # a need stored after the build is found by the next lookup (read incrementally)
    any_db.call(lambda s: repo.create(s, e_area_id=2, year=2026, title="Digital signering av avtal med leverantörer",
                                      description="", source="staff", raised_by="x", raised_by_name="",
                                      on_behalf_of="", benefit="", effort_hours=None, cost_sek=None,
                                      wished_date=None, at=NOW))
    hits = any_db.call(lambda s: [n.title for n, _ in index.search(s, 2, "E-signering av avtal", "")])
    assert hits == ["Digital signering av avtal med leverantörer"]


async def test_turns_are_answered_while_the_index_builds(any_db_url, connector, gate, monkeypatch):
    database = Database.from_url(any_db_url)
    database.call(seed)
    database.dispose()
    read, release = gate
    monkeypatch.setattr("app.START_WAIT", 0)
    bot = await BotHarness.start(any_db_url, connector=connector)
    try:
        bot.services.clock = lambda: NOW
        assert read.wait(30) and bot.services.similar.building
        assert "Styra" in text_of(await bot.say("hjälp", user=MEGAN))
        form = find_card(await bot.say("nytt behov", user=ISAIAH), "need.submit")
        replies = await bot.click(submit_data(form, title="Bokningssystem för labbsalar i kemi"), user=ISAIAH)
        assert "B-2026-0001 är registrerat" in text_of(replies)  # saved without the similar check
        release.set()
        for _ in range(600):
            if not bot.services.similar.building:
                break
            await asyncio.sleep(0.05)
        assert not bot.services.similar.building
        form = find_card(await bot.say("nytt behov", user=MEGAN), "need.submit")
        replies = await bot.click(submit_data(form, title="Bokning av labbsalar"), user=MEGAN)
        find_card(replies, "need.join")
        titles = await bot.query(lambda s: list(s.exec(select(Need.title).where(Need.number.like("B-2026-%")))))
        assert titles == ["Bokningssystem för labbsalar i kemi"]  # Megan's is offered, not saved
    finally:
        release.set()
        await bot.close(connector_too=False)


def test_the_index_holds_the_newest_needs_up_to_its_bound(any_db):
    any_db.call(seed)  # 1,200 needs; the last one, "Bokningssystem för labbsalar", is the newest
    index = SimilarIndex(max_needs=100)
    build = similar_build.start_build(index, any_db.engine)
    assert build.done.wait(60) and index.size() == 100 and build.read == 100
    newest = any_db.call(lambda s: [n.title for n, _ in index.search(s, 1, "Bokning av labbsal", "")])
    assert newest == ["Bokningssystem för labbsalar"]
    ids = any_db.call(lambda s: list(s.exec(select(Need.id).order_by(Need.id))))
    held = set().union(*(index.area(a).entries for a in (1, 2, 3)))
    assert held == set(ids[-100:])  # the oldest are left out by the bound
    index.put(1, 5000, "Digital signering av avtal", "")
    assert index.size() == 100
    assert any_db.call(lambda s: [n for n, _ in index.search(s, 1, "E-signering av avtal", "")]) == []  # 5000 is no need
    assert 5000 in index.area(1).entries
