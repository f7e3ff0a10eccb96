"""Two coordinators assessing at once can never overspend the plan's frame (SQLite and PostgreSQL)."""

import asyncio

from bot.rules.routing import Answers, Outcome
from storage import assessments as repo
from storage.demo import load_demo
from tests.support.assessment_factory import make_need, plan_of, set_frame


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
