"""The status-report repository on SQLite and PostgreSQL: drafts, concurrent saves, submit,
review, reopen, carrying forward, deviations to decision bases, the roll-up, outcome figures."""

import asyncio
import dataclasses
import datetime as dt

from bot.rules.report_content import DeviationEntry, ReportContent, RiskEntry
from bot.rules.reports import Colour, DeviationKind, Handling, Period
from storage import org
from storage import report_views as views
from storage import reports as repo
from storage.demo import load_demo
from storage.models import Need, NeedStatus
from storage.report_tables import StatusReport
from tests.support.assessment_factory import make_need

NOW = dt.datetime(2026, 6, 2, 8, 0, tzinfo=dt.UTC)
Q2 = Period(2026, 2)
ALEX, MEGAN = "00000000-0000-0000-0000-0000000000020", "00000000-0000-0000-0000-0000000000021"


def _area(session, slug="utbildning"):
    return org.e_area_by_slug(session, slug)


def _open(session, slug="utbildning", period=Q2, now=NOW, extras=None):
    return repo.open_draft(session, _area(session, slug), period, actor=ALEX, now=now, extras=extras)


def _filled(content: ReportContent, colour=Colour.green) -> ReportContent:
    goals = tuple(dataclasses.replace(g, colour=colour, comment="Enligt plan", forecast="Klart i december")
                  for g in content.goals)
    return dataclasses.replace(content, goals=goals, outcome_sek=1_000_000, outcome_hours=1_500)


async def _draft(db, **kw):
    await db.run(load_demo)
    return await db.run(_open, **kw)


async def test_a_draft_is_prefilled_from_the_plan_and_opened_once(any_db):
    await any_db.run(load_demo)
    first, second = await asyncio.gather(any_db.run(_open), any_db.run(_open))
    assert first.id == second.id and first.version == 1 and first.status == "draft"
    content = await any_db.run(repo.content_of, first)
    assert [g.title for g in content.goals] == [
        "Samlad digital kursanmälan", "Digital examination i större skala", "Enhetliga kursrum"]
    assert all(g.colour is None and g.trend is None for g in content.goals)
    assert (first.frame_sek, first.frame_hours) == (2_500_000, 4_000)
    assert await any_db.run(lambda s: s.query(StatusReport).count()) == 1


async def test_two_coordinators_saving_at_once_one_wins_the_other_learns_who(any_db):
    report = await _draft(any_db)
    content = await any_db.run(repo.content_of, report)

    def save(session, who, name, colour):
        return repo.save(session, report.id, seen_revision=report.revision, content=_filled(content, colour),
                         own_area="utbildning", actor=who, actor_name=name, now=NOW)

    results = await asyncio.gather(any_db.run(save, ALEX, "Alex Wilber", Colour.green),
                                   any_db.run(save, MEGAN, "Megan Bowen", Colour.red))
    saved = [r for r in results if isinstance(r, repo.Saved)]
    stale = [r for r in results if isinstance(r, repo.Stale)]
    assert len(saved) == 1 and len(stale) == 1, results
    winner = "Alex Wilber" if saved[0].report.updated_by == ALEX else "Megan Bowen"
    assert stale[0].changed_by == winner
    assert stale[0].report.revision == report.revision + 1
    stored = await any_db.run(lambda s: repo.content_of(s, repo.get(s, report.id)))
    expected = Colour.green if winner == "Alex Wilber" else Colour.red
    assert {g.colour for g in stored.goals} == {expected}


async def test_a_stale_save_changes_nothing(any_db):
    report = await _draft(any_db)
    content = await any_db.run(repo.content_of, report)
    first = await any_db.run(lambda s: repo.save(s, report.id, seen_revision=1, content=_filled(content),
                                                 own_area="utbildning", actor=ALEX, actor_name="Alex Wilber", now=NOW))
    assert isinstance(first, repo.Saved) and first.report.revision == 2
    again = await any_db.run(lambda s: repo.save(s, report.id, seen_revision=1, content=_filled(content, Colour.red),
                                                 own_area="utbildning", actor=MEGAN, actor_name="Megan Bowen", now=NOW))
    assert isinstance(again, repo.Stale) and again.changed_by == "Alex Wilber"
    stored = await any_db.run(lambda s: repo.content_of(s, repo.get(s, report.id)))
    assert {g.colour for g in stored.goals} == {Colour.green}


async def test_submit_is_idempotent_and_freezes_a_snapshot(any_db):
    report = await _draft(any_db)
    content = await any_db.run(repo.content_of, report)
    await any_db.run(lambda s: repo.save(s, report.id, seen_revision=1, content=_filled(content),
                                         own_area="utbildning", actor=ALEX, actor_name="Alex Wilber", now=NOW))

    def submit(session, key):
        return repo.submit(session, report.id, seen_revision=2, key=key, actor=ALEX, actor_name="Alex Wilber", now=NOW)

    results = await asyncio.gather(any_db.run(submit, "k1"), any_db.run(submit, "k1"))
    assert sorted(type(r).__name__ for r in results) == ["Duplicate", "Saved"]
    other = await any_db.run(submit, "k2")
    assert isinstance(other, repo.NotDraft) and other.report.status == "submitted"
    stored = await any_db.run(repo.get, report.id)
    assert stored.status == "submitted" and stored.submitted_by == ALEX
    assert '"comment": "Enligt plan"' in stored.snapshot and '"period": "2026-Q2"' in stored.snapshot
    # A frozen version cannot be saved.
    late = await any_db.run(lambda s: repo.save(s, report.id, seen_revision=2, content=content,
                                                own_area="utbildning", actor=MEGAN, actor_name="Megan Bowen", now=NOW))
    assert isinstance(late, repo.NotDraft)


async def test_review_once_and_reopen_as_a_new_version(any_db):
    report = await _draft(any_db)
    content = await any_db.run(repo.content_of, report)
    await any_db.run(lambda s: repo.save(s, report.id, seen_revision=1, content=_filled(content),
                                         own_area="utbildning", actor=ALEX, actor_name="Alex Wilber", now=NOW))
    await any_db.run(lambda s: repo.submit(s, report.id, seen_revision=2, key="k", actor=ALEX, actor_name="A", now=NOW))
    early = await any_db.run(lambda s: repo.review(s, report.id, actor=ALEX, actor_name="Alex Wilber",
                                                   comment="Bra", now=NOW))
    assert isinstance(early, repo.Saved) and early.report.status == "reviewed"
    twice = await any_db.run(lambda s: repo.review(s, report.id, actor=ALEX, actor_name="Alex Wilber",
                                                   comment="Igen", now=NOW))
    assert isinstance(twice, repo.NotDraft) and twice.report.review_comment == "Bra"

    opened = await asyncio.gather(*(any_db.run(lambda s: repo.reopen(s, report.id, actor=MEGAN, actor_name="Megan",
                                                                     now=NOW)) for _ in range(2)))
    assert {r.report.id for r in opened} == {opened[0].report.id}
    fresh = opened[0].report
    assert (fresh.version, fresh.status, fresh.revision) == (2, "draft", 1)
    copied = await any_db.run(repo.content_of, fresh)
    assert {g.comment for g in copied.goals} == {"Enligt plan"}
    old = await any_db.run(repo.get, report.id)
    assert old.status == "reviewed" and old.review_comment == "Bra"
    versions = await any_db.run(lambda s: repo.versions(s, report.e_area_id, "2026-Q2"))
    assert [v.version for v in versions] == [1, 2]


async def test_next_period_carries_colours_open_deviations_and_risks(any_db):
    report = await _draft(any_db)
    content = await any_db.run(repo.content_of, report)
    open_dev = DeviationEntry("ref-open", DeviationKind.delay, "Leverantören är sen", cause="Upphandling")
    closed_dev = DeviationEntry("ref-closed", DeviationKind.cost, "Dyrare licens", closed=True)
    risk = RiskEntry("Nyckelperson slutar", 3, 4, "Dokumentera")
    filled = dataclasses.replace(_filled(content, Colour.yellow), deviations=(open_dev, closed_dev), risks=(risk,))
    await any_db.run(lambda s: repo.save(s, report.id, seen_revision=1, content=filled, own_area="utbildning",
                                         actor=ALEX, actor_name="Alex Wilber", now=NOW))
    await any_db.run(lambda s: repo.submit(s, report.id, seen_revision=2, key="q2", actor=ALEX, actor_name="A", now=NOW))
    later = dt.datetime(2026, 9, 1, 8, tzinfo=dt.UTC)
    q3 = await any_db.run(_open, "utbildning", Period(2026, 3), later)
    carried = await any_db.run(repo.content_of, q3)
    assert {(g.colour, g.previous) for g in carried.goals} == {(Colour.yellow, Colour.yellow)}
    assert {g.comment for g in carried.goals} == {""}
    assert [d.ref for d in carried.deviations] == ["ref-open"]
    assert carried.risks == (risk,)
    assert carried.outcome_sek is None


async def test_deviations_are_routed_when_saved_and_become_one_need(any_db):
    report = await _draft(any_db)
    content = await any_db.run(repo.content_of, report)
    inside = DeviationEntry("ref-in", DeviationKind.delay, "Två veckors försening")
    outside = DeviationEntry("ref-out", DeviationKind.cost, "Licensen kostar mer", cause="Ny prismodell",
                             consequences="Budgeten räcker inte", proposal="Utöka ramen", extra_sek=3_000_000)
    portfolio = DeviationEntry("ref-all", DeviationKind.other, "Nytt lärosätesgemensamt system",
                               whole_portfolio=True)
    await any_db.run(lambda s: repo.save(
        s, report.id, seen_revision=1, content=dataclasses.replace(content, deviations=(inside, outside, portfolio)),
        own_area="utbildning", actor=ALEX, actor_name="Alex Wilber", now=NOW))
    routed = await any_db.run(repo.routings_of, report.id)
    assert routed == {"ref-in": (Handling.coordinators.value, False),
                      "ref-out": (Handling.steering_group.value, False),
                      "ref-all": (Handling.portfolio.value, True)}

    def make(session):
        return views.deviation_to_need(session, repo.get(session, report.id), "ref-out", year=2026, actor=ALEX,
                                       actor_name="Alex Wilber", now=NOW)

    first = await any_db.run(make)
    again = await any_db.run(make)
    assert first.created and not again.created and first.need.id == again.need.id
    need = await any_db.run(lambda s: s.get(Need, first.need.id))
    assert need.status == NeedStatus.awaiting_decision and need.source == "deviation"
    assert need.title == "Licensen kostar mer" and "Ny prismodell" in need.description
    assert first.assessment.outcome == "decision_basis" and first.assessment.cost_sek == 3_000_000
    linked = await any_db.run(lambda s: repo.content_of(s, repo.get(s, report.id)))
    assert {d.ref: d.need_id for d in linked.deviations}["ref-out"] == need.id


async def test_since_the_last_report_counts_needs_of_the_window(any_db):
    report = await _draft(any_db)

    def add(session):
        old = make_need(session, title="Gammalt behov")
        old.created_at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
        new = make_need(session, title="Nytt behov i kvartalet")
        new.created_at = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
        make_need(session, "forskning", title="Annat e-område").created_at = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)

    await any_db.run(add)
    found = await any_db.run(lambda s: views.since(s, repo.get(s, report.id), NOW, "Europe/Stockholm"))
    assert [title for _n, title in found.registered] == ["Nytt behov i kvartalet"]
    assert found.start == dt.datetime(2026, 3, 31, 22, 0, tzinfo=dt.UTC)  # 1 April, Stockholm


async def test_rollup_shows_every_area_its_worst_colour_and_what_is_missing(any_db):
    report = await _draft(any_db)
    content = await any_db.run(repo.content_of, report)
    goals = tuple(dataclasses.replace(g, colour=c) for g, c in zip(content.goals, (Colour.green, Colour.red, Colour.yellow),
                                                                    strict=True))
    dev = DeviationEntry("r1", DeviationKind.other, "Hela portföljen", whole_portfolio=True)
    filled = dataclasses.replace(content, goals=goals, deviations=(dev,), outcome_sek=1_250_000)
    await any_db.run(lambda s: repo.save(s, report.id, seen_revision=1, content=filled, own_area="utbildning",
                                         actor=ALEX, actor_name="A", now=NOW))
    await any_db.run(lambda s: repo.submit(s, report.id, seen_revision=2, key="k", actor=ALEX, actor_name="A", now=NOW))
    await any_db.run(_open, "forskning")
    lines = {line.slug: line for line in await any_db.run(views.rollup, Q2)}
    utb = lines["utbildning"]
    assert (utb.status, utb.worst, utb.open_deviations, utb.escalations, utb.used_percent) == (
        "submitted", Colour.red, 1, 1, 50)
    assert utb.counts == {Colour.green: 1, Colour.yellow: 1, Colour.red: 1}
    assert lines["forskning"].status == "draft" and lines["ekonomi"].status == "none"
    assert not views.all_submitted(list(lines.values()))


async def test_imported_outcome_reaches_the_draft_and_moves_its_revision(any_db):
    report = await _draft(any_db)

    def imp(session):
        return views.set_outcomes(session, [(report.e_area_id, "2026-Q2", 812_000, 1_250)], source="ekonomi.csv",
                                  actor="admin", now=NOW)

    assert await any_db.run(imp) == 1
    fresh = await any_db.run(repo.get, report.id)
    assert (fresh.outcome_sek, fresh.outcome_hours, fresh.revision) == (812_000, 1_250, 2)
    # A new area's draft opened after the import starts from the figures.
    await any_db.run(lambda s: views.set_outcomes(s, [(_area(s, "ekonomi").id, "2026-Q2", 10, 20)], source="x",
                                                  actor="admin", now=NOW))
    eko = await any_db.run(_open, "ekonomi")
    assert (eko.outcome_sek, eko.outcome_hours) == (10, 20)
