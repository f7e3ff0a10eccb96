"""Every list reads through an index in its own order, on SQLite and PostgreSQL: the statements a
list's repository function issues are captured and explained (EXPLAIN QUERY PLAN on SQLite;
EXPLAIN with sequential scans priced out on PostgreSQL, whose planner would scan a small table)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, insert

from storage import decisions, need_changes, need_pages, needs, outbox, reminders
from storage.demo import load_demo
from storage.models import Need, NeedAffected, NeedStatus

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
OPEN = [NeedStatus.registered, NeedStatus.under_assessment, NeedStatus.awaiting_decision]


def _seed(session) -> None:
    load_demo(session)
    rows = [dict(number=f"B-2026-{i:05d}", e_area_id=1 + i % 3, title=f"Behov {i}", description="", source="staff",
                 raised_by=f"user-{i % 50}", raised_by_name="", on_behalf_of="", benefit="",
                 status=NeedStatus.registered if i % 4 else NeedStatus.done,
                 created_at=NOW + timedelta(minutes=i), updated_at=NOW) for i in range(1, 601)]
    session.execute(insert(Need), rows)
    session.execute(insert(NeedAffected), [dict(need_id=i, aad_id=f"user-{i % 7}", name="", added_at=NOW)
                                           for i in range(1, 601, 5)])


@contextmanager
def captured(db):
    """The SELECTs run meanwhile, with their parameters."""
    seen: list[tuple[str, object]] = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", grab)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", grab)


def plan_of(db, statement: str, parameters) -> str:
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if db.is_sqlite:
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN " + statement, parameters)
        return "\n".join(str(row[0]) for row in cursor.fetchall())
    finally:
        raw.rollback()
        raw.close()


def plans(db, work, table: str, where: str = "") -> list[str]:
    """The plans of the captured statements that read `table` (by its name in FROM or JOIN) and
    hold `where` (a column the list filters on)."""
    with captured(db) as seen:
        db.call(work)
    found = [plan_of(db, s, p) for s, p in seen
             if (f"FROM {table}" in s or f"JOIN {table}" in s) and where in s]
    assert found, f"no statement read {table}"
    return found


def assert_uses(db, plan: str, index: str) -> None:
    assert index in plan, plan
    if db.is_sqlite:  # a bare "SCAN need" reads every row; "SCAN … USING INDEX" reads in the index's order
        assert not any(line.strip().startswith("SCAN") and "INDEX" not in line for line in plan.splitlines()), plan
        assert "TEMP B-TREE" not in plan, plan  # no sort of the whole match: the index gives the order


@pytest.fixture
def seeded(any_db):
    any_db.call(_seed)
    return any_db


def test_an_e_areas_needs_page_by_status_and_date(seeded):
    def work(session):
        first = need_pages.page_of_area(session, 1, OPEN, limit=26)
        need_pages.page_of_area(session, 1, OPEN, after_id=first[-1][0].id, limit=26)
        need_pages.count_of_area(session, 1, OPEN, first[-1][0].id)

    found = plans(seeded, work, "need", "need.e_area_id = ")
    assert len(found) == 2 * len(OPEN) + 1, found  # one range per status and page, and the count
    for plan in found:
        assert_uses(seeded, plan, "ix_need_area_status_created")


def test_needs_to_assess_by_e_area_status_and_date(seeded):
    """`att bedöma` over two e-areas: one range per e-area and status, never a sort of them all."""
    def work(session):
        first = need_changes.to_assess(session, [1, 2], 26)
        assert len(first) == 26
        need_changes.to_assess(session, [1, 2], 26, first[-1][0].id)
        need_changes.count_to_assess(session, [1, 2], first[-1][0].id)

    found = plans(seeded, work, "need", "need.e_area_id = ")
    assert len(found) == 2 * 4 + 2, found  # a range per e-area and status and page, a count per e-area
    for plan in found:
        assert_uses(seeded, plan, "ix_need_area_status_created")


def test_a_persons_needs_raised_and_joined(seeded):
    def work(session):
        first = need_pages.page_of_person(session, "user-3", limit=26)
        assert len(first) == 26
        need_pages.page_of_person(session, "user-3", before_id=first[-1][0].id, limit=26)

    found = plans(seeded, work, "need", "aad_id = ") + plans(seeded, work, "need", "raised_by = ")
    raised = [p for p in found if "ix_need_raiser_created" in p]
    joined = [p for p in found if "ix_need_affected_person" in p]
    assert len(raised) == 2 and len(joined) == 2, found
    for plan in raised:
        assert_uses(seeded, plan, "ix_need_raiser_created")


def test_an_e_areas_decisions_newest_first(seeded):
    found = plans(seeded, lambda s: decisions.of_area(s, 1, limit=26), "decision")
    assert_uses(seeded, found[0], "ix_decision_area_decided")


def test_outbox_and_reminders_are_read_by_due_time(seeded):
    due = plans(seeded, lambda s: outbox.claim(s, "i1", NOW, timedelta(seconds=20)), "outbox")
    assert any("ix_outbox_due" in plan for plan in due), due
    found = plans(seeded, lambda s: reminders.claim(s, "i1", NOW, timedelta(seconds=20)), "reminder_occurrence")
    assert "ix_occurrence_status_send" in found[0], found[0]


def test_the_similar_index_reads_what_is_new_by_the_id_range(seeded):
    found = plans(seeded, lambda s: needs.index_rows(s, 1, 590), "need", "need.id > ")
    primary = "INTEGER PRIMARY KEY" if seeded.is_sqlite else "need_pkey"
    assert primary in found[0] and "ix_need_area" not in found[0], found[0]


def test_sqlite_pages_are_the_list_in_order(db):
    """The merged per-status ranges give the same rows as one query over the whole list."""
    db.call(_seed)

    def pages(session):
        whole = [n.id for n, _ in needs.of_area(session, 2, OPEN)]
        paged, after = [], None
        while True:
            page = need_pages.page_of_area(session, 2, OPEN, after_id=after, limit=25)
            paged += [n.id for n, _ in page]
            if len(page) < 25:
                return whole, paged
            after = page[-1][0].id

    whole, paged = db.call(pages)
    assert len(whole) > 100 and paged == whole
    assert db.call(lambda s: need_pages.count_of_area(s, 2, OPEN, whole[49])) == (len(whole), 50)
    assert db.call(lambda s: need_pages.count_of_area(s, 2, OPEN)) == (len(whole), 0)
