"""Two coordinators assessing at once can never overspend the plan's frame (SQLite and PostgreSQL)."""

import asyncio
import threading
from datetime import UTC, datetime

from bot.rules.routing import Answers, Outcome
from storage import assessments as repo
from storage import decisions as store
from storage.demo import load_demo
from tests.support.assessment_factory import make_need, plan_of, set_frame
from tests.support.decision_kit import make_basis


def _setup(session):
    load_demo(session)
    set_frame(session, "utbildning", hours=100, sek=100_000)
    first, second = make_need(session), make_need(session, title="Nytt bokningssystem för labb")
    return first.id, second.id, plan_of(session).id


def _within(hours, sek):
    return Answers(serves_goals=True, hours=hours, cost_sek=sek, own_area="utbildning")


async def test_two_concurrent_assessments_exactly_one_commits(any_db):
    first, second, plan_id = await any_db.run(_setup)

    def assess(session, need_id, key):
        return repo.assess(session, need_id=need_id, plan_id=plan_id, answers=_within(60, 60_000),
                           expected=Outcome.within_plan, after=0, request_key=key, actor="coord")

    results = await asyncio.gather(any_db.run(assess, first, "form-a"), any_db.run(assess, second, "form-b"))
    stored = [r for r in results if isinstance(r, repo.Stored)]
    full = [r for r in results if isinstance(r, repo.FrameFull)]
    assert len(stored) == 1 and len(full) == 1, results
    # The loser is told the new figures: 40 hours and 40 000 kr left.
    assert (full[0].frame.left_hours, full[0].frame.left_sek) == (40, 40_000)
    plan = await any_db.run(lambda s: plan_of(s))
    assert (plan.committed_hours, plan.committed_sek) == (60, 60_000)
    counts = await any_db.run(lambda s: [len(repo.assessments_of(s, n)) for n in (first, second)])
    assert sorted(counts) == [0, 1]


async def test_many_concurrent_frame_commits_never_overspend(any_db):
    _first, _second, plan_id = await any_db.run(_setup)
    results = await asyncio.gather(*(any_db.run(repo.commit_frame, plan_id, 30, 10_000) for _ in range(6)))
    assert results.count(True) == 3
    plan = await any_db.run(lambda s: plan_of(s))
    assert (plan.committed_hours, plan.committed_sek) == (90, 30_000)


async def test_same_form_twice_concurrently_commits_once(any_db):
    first, _second, plan_id = await any_db.run(_setup)

    def assess(session):
        return repo.assess(session, need_id=first, plan_id=plan_id, answers=_within(10, 1_000),
                           expected=Outcome.within_plan, after=0, request_key="same-form", actor="coord")

    async def attempt():
        try:
            return await any_db.run(assess)
        except Exception as exc:  # the unique request key refused the second insert
            return exc

    results = await asyncio.gather(attempt(), attempt())
    assert sum(isinstance(r, repo.Stored) for r in results) == 1, results
    plan = await any_db.run(lambda s: plan_of(s))
    assert (plan.committed_hours, plan.committed_sek) == (10, 1_000)



async def test_an_approval_never_overwrites_a_commitment_made_while_it_ran(any_db):
    """The approval reads the plan (for the chair's figures), an assessment commits to the same plan
    meanwhile, then the approval writes: its change is added to the row as it is then. (PostgreSQL
    interleaves them; SQLite serialises writers, so there the assessment simply goes first.)"""
    first, _second, plan_id = await any_db.run(_setup)
    basis_id = await any_db.run(lambda s: make_basis(s, hours=120, cost_sek=50_000, frame_change_hours=100,
                                                     frame_change_sek=0))
    read, committed = threading.Event(), threading.Event()

    def approve(session):
        found = store.load(session, basis_id, lock=True, year=2026)
        read.set()
        committed.wait(10)
        store.record_decision(session, found, level="steering", outcome="approved", need_status="approved",
                              basis_status="decided", change_plan=True, to_portfolio=False, actor="chair",
                              actor_name="Chair", comment="", registry_number="", snapshot="{}", year=2026,
                              now=datetime(2026, 5, 1, tzinfo=UTC))
        return found.frame, found.plan_change

    def assess(session):
        return repo.assess(session, need_id=first, plan_id=plan_id, answers=_within(30, 10_000),
                           expected=Outcome.within_plan, after=0, request_key="form-x", actor="coordinator")

    async def assess_after_the_read():
        if not any_db.is_sqlite:
            await asyncio.get_running_loop().run_in_executor(None, read.wait, 10)
        try:
            return await any_db.run(assess)
        finally:
            committed.set()

    if any_db.is_sqlite:
        routed = await assess_after_the_read()
        (seen, change) = await any_db.run(approve)
    else:
        (seen, change), routed = await asyncio.gather(any_db.run(approve), assess_after_the_read())
        assert seen.committed_hours == 0  # read before the assessment committed
    assert isinstance(routed, repo.Stored)
    before, after = change
    assert (before.committed_hours, after.committed_hours) == (30, 150)
    plan = await any_db.run(lambda s: plan_of(s))
    assert (plan.frame_hours, plan.committed_hours, plan.committed_sek) == (200, 150, 60_000)
