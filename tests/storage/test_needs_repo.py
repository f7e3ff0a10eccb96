"""The need repository's keyed create and the lookups the needs dialogs use (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from storage import needs as repo
from storage import org, plans
from storage.demo import load_demo
from storage.models import ConversationRef, LinkedChannel, PlanStatus, Role

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
FIELDS = dict(e_area_id=1, year=2026, title="Bokning av labbsalar", description="", source="staff",
              raised_by="someone", raised_by_name="Någon", on_behalf_of="", benefit="", effort_hours=None,
              cost_sek=None, wished_date=None, at=NOW)


def _made(session, key: str) -> tuple[str, bool]:
    need, created = repo.create_once(session, request_key=key, **FIELDS)
    return need.number, created


def _one_waits_for_the_other(db, work, *args):
    """Run `work` in a transaction held open, then again in a second one that has to wait for the
    first's locks; release the first and return both results."""
    started, release = threading.Event(), threading.Event()

    def first():
        with db.transaction() as session:
            result = work(session, *args)
            started.set()
            release.wait(10)
            return result

    with ThreadPoolExecutor(2) as pool:
        one = pool.submit(first)
        assert started.wait(10)
        two = pool.submit(db.call, work, *args)
        time.sleep(0.3)  # the second is now waiting on the first's locks
        release.set()
        return one.result(10), two.result(10)


def test_the_same_form_key_gives_the_same_need(any_db):
    any_db.call(load_demo)
    assert any_db.call(_made, "form-a") == ("B-2026-0001", True)
    assert any_db.call(_made, "form-a") == ("B-2026-0001", False)
    assert any_db.call(_made, "form-b") == ("B-2026-0002", True)


def test_a_form_key_saved_by_a_concurrent_transaction_answers_with_that_need(any_db):
    """The second transaction waits for the first, then finds its need: no error, no second need,
    and the number it had drawn is given back."""
    any_db.call(load_demo)
    assert _one_waits_for_the_other(any_db, _made, "form-a") == (("B-2026-0001", True), ("B-2026-0001", False))
    assert any_db.call(lambda s: [n.number for n, _area in repo.of_area(s, None)]) == ["B-2026-0001"]
    assert any_db.call(_made, "form-b") == ("B-2026-0002", True)



def test_the_first_numbers_of_a_new_series_drawn_at_once_are_1_and_2(any_db):
    """The series' row is created by whichever draw comes first (one INSERT … ON CONFLICT DO
    UPDATE); the other waits for it and takes the next number, no error, no gap."""
    from storage.counters import give_back, next_number

    assert _one_waits_for_the_other(any_db, next_number, "T", 2031) == ("T-2031-0001", "T-2031-0002")
    assert any_db.call(lambda s: (give_back(s, next_number(s, "T", 2031)), next_number(s, "T", 2031))[1]) == "T-2031-0003"


def test_goal_titles_per_need_in_plan_order(any_db):
    any_db.call(load_demo)

    def setup(session):
        goals = [g for _area, g in plans.goals_of_year(session, 2026) if g.plan_id == 1][:2]
        need, _ = repo.create_once(session, request_key="k", **{**FIELDS, "goal_ids": [g.id for g in reversed(goals)]})
        return need.id, [g.title for g in sorted(goals, key=lambda g: (g.position, g.id))]

    need_id, titles = any_db.call(setup)
    assert any_db.call(repo.goal_titles, [need_id]) == {need_id: titles}
    assert any_db.call(repo.goal_titles, []) == {}


def test_contacts_carry_name_and_language(any_db):
    any_db.call(load_demo)
    any_db.call(org.set_locale, "00000000-0000-0000-0000-0000000000020", "en")
    [alex] = any_db.call(org.contacts, "utbildning", Role.coordinator)
    assert (alex.name, alex.language) == ("Alex Wilber", "en")
    assert any_db.call(org.contacts, "utbildning", Role.portfolio_chair) == []


def test_plan_lookups_for_the_form(any_db):
    any_db.call(load_demo)
    by_area = any_db.call(plans.goal_ids_by_area, 2026)
    assert by_area["utbildning"] and by_area["utbildning"].isdisjoint(by_area.get("forskning", set()))
    assert any_db.call(plans.status_of, 1, 2026) in (PlanStatus.draft, PlanStatus.decided)
    assert any_db.call(plans.status_of, 1, 1999) is None
    assert any_db.call(org.e_area_slugs) == {"utbildning", "forskning", "ekonomi"}


def test_unreachable_conversations_with_their_links(any_db):
    any_db.call(load_demo)

    def setup(session):
        for cid in ("19:a", "19:b"):
            session.add(ConversationRef(conversation_id=cid, kind="channel", service_url="https://x/"))
        session.flush()
        session.add(LinkedChannel(purpose="steering", scope="utbildning", e_area_id=1, conversation_id="19:a",
                                  linked_by="admin"))
        org.mark_conversation_failed(session, "19:a", "403 removed")

    any_db.call(setup)
    rows = any_db.call(org.failed_conversations)
    assert [(ref.conversation_id, links) for ref, links in rows] == [("19:a", ["utbildning"])]
