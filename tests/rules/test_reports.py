"""Status-report rules (DOMAIN.md §5) as tables: periods, colours, deviations, deadlines, life."""

import datetime as dt

import pytest

from bot.rules import reports as r
from bot.rules.reports import (
    Colour,
    DeviationFacts,
    DeviationKind,
    Handling,
    Period,
    Punctuality,
    ReportAct,
    ReportStatus,
    Trend,
)
from bot.rules.routing import Frame

D = dt.date
UTC = dt.UTC
TZ = "Europe/Stockholm"

# --- periods -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("month", "quarter"), [
    (1, 1), (2, 1), (3, 1), (4, 2), (6, 2), (7, 3), (9, 3), (10, 4), (12, 4),
])
def test_period_of_month(month, quarter):
    assert r.period_of_month(2026, month) == Period(2026, quarter)


@pytest.mark.parametrize(("occurrence", "period"), [
    ("2026-03", "2026-Q1"), ("2026-06", "2026-Q2"), ("2026-09", "2026-Q3"), ("2026-12", "2026-Q4"),
])
def test_the_report_months_cover_their_quarters(occurrence, period):
    found = r.period_of_occurrence(occurrence)
    assert str(found) == period
    assert found.report_month == int(occurrence[5:])


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-Q2", Period(2026, 2)), ("2026-q2", Period(2026, 2)), ("2026 Q2", Period(2026, 2)),
    ("Q3 2026", Period(2026, 3)), ("2026-K4", Period(2026, 4)), (" 2027Q1 ", Period(2027, 1)),
])
def test_parse_period(text, expected):
    assert r.parse_period(text) == expected


@pytest.mark.parametrize("text", ["2026-Q5", "2026-Q0", "Q2", "2026", "juni", "", "1999-Q1", "2026-06"])
def test_parse_period_refuses(text):
    with pytest.raises(ValueError, match="2026-Q2"):
        r.parse_period(text)


@pytest.mark.parametrize(("period", "start", "end"), [
    (Period(2026, 1), D(2026, 1, 1), D(2026, 3, 31)),
    (Period(2026, 2), D(2026, 4, 1), D(2026, 6, 30)),
    (Period(2026, 3), D(2026, 7, 1), D(2026, 9, 30)),
    (Period(2026, 4), D(2026, 10, 1), D(2026, 12, 31)),
])
def test_period_bounds(period, start, end):
    assert (period.start, period.end) == (start, end)


def test_previous_period_crosses_the_year():
    assert Period(2026, 1).previous() == Period(2025, 4)
    assert Period(2026, 3).previous() == Period(2026, 2)


@pytest.mark.parametrize(("instant", "period"), [
    # 22:30 UTC on 31 March is already 1 April in Stockholm (summer time): Q2 has begun.
    (dt.datetime(2026, 3, 31, 22, 30, tzinfo=UTC), "2026-Q2"),
    (dt.datetime(2026, 3, 31, 21, 30, tzinfo=UTC), "2026-Q1"),
    # New Year's night: 23:30 UTC on 31 December is 00:30 on 1 January in Stockholm.
    (dt.datetime(2025, 12, 31, 23, 30, tzinfo=UTC), "2026-Q1"),
    (dt.datetime(2026, 6, 15, 9, 0, tzinfo=UTC), "2026-Q2"),
])
def test_current_period_in_local_time(instant, period):
    assert str(r.current_period(instant, TZ)) == period


def test_current_period_follows_the_configured_zone():
    instant = dt.datetime(2026, 3, 31, 22, 30, tzinfo=UTC)
    assert str(r.current_period(instant, "America/New_York")) == "2026-Q1"


def test_naive_instant_is_refused():
    with pytest.raises(ValueError):
        r.current_period(dt.datetime(2026, 6, 1), TZ)


@pytest.mark.parametrize(("period", "today", "error"), [
    (Period(2026, 2), D(2026, 6, 10), None),
    (Period(2026, 2), D(2026, 4, 1), None),  # the first day counts
    (Period(2026, 1), D(2026, 6, 10), None),  # a late report for an earlier quarter
    (Period(2026, 3), D(2026, 6, 30), r.E_PERIOD_NOT_STARTED),
    (Period(2027, 1), D(2026, 12, 31), r.E_PERIOD_NOT_STARTED),
])
def test_check_period(period, today, error):
    assert r.check_period(period, today) == error


@pytest.mark.parametrize(("quarter", "extras"), [
    (1, ()),
    (2, ("security_review", "agreements_and_service_levels", "needs_next_year")),
    (3, ("annual_commission", "time_estimates", "draft_plan")),
    (4, ("completed_plan",)),
])
def test_quarter_extras(quarter, extras):
    assert r.extras_for(Period(2026, quarter)) == extras


# --- colours and trends --------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "colour"), [
    ("green", Colour.green), ("Grön", Colour.green), ("gul", Colour.yellow), ("YELLOW", Colour.yellow),
    (" röd ", Colour.red), ("red", Colour.red), ("", None), (None, None),
])
def test_parse_colour(raw, colour):
    assert r.parse_colour(raw) is colour


@pytest.mark.parametrize("raw", ["blue", "orange", "grönt", "1", "green;red"])
def test_parse_colour_refuses_other_colours(raw):
    with pytest.raises(ValueError, match="green, yellow or red"):
        r.parse_colour(raw)


@pytest.mark.parametrize(("current", "previous", "expected"), [
    (Colour.green, None, Trend.new),
    (Colour.green, Colour.green, Trend.same),
    (Colour.green, Colour.yellow, Trend.better),
    (Colour.yellow, Colour.red, Trend.better),
    (Colour.red, Colour.green, Trend.worse),
    (Colour.yellow, Colour.green, Trend.worse),
    (None, Colour.green, None),
])
def test_trend(current, previous, expected):
    assert r.trend(current, previous) is expected


@pytest.mark.parametrize(("colours", "expected"), [
    ([], None), ([None], None), ([Colour.green], Colour.green),
    ([Colour.green, Colour.yellow, Colour.green], Colour.yellow),
    ([Colour.yellow, None, Colour.red, Colour.green], Colour.red),
])
def test_worst(colours, expected):
    assert r.worst(colours) is expected


def test_counts():
    assert r.counts([Colour.red, Colour.green, None, Colour.red]) == {
        Colour.green: 1, Colour.yellow: 0, Colour.red: 2}


def test_every_colour_has_a_meaning():
    assert set(r.MEANING) == set(Colour)


# --- deviations ----------------------------------------------------------------------------------

ROOM = Frame(frame_hours=1000, frame_sek=1_000_000, committed_hours=800, committed_sek=900_000)  # 200 h, 100 000 kr left


def F(kind=DeviationKind.delay, hours=0, sek=0, goals=False, portfolio=False, areas=()):
    return DeviationFacts(kind=kind, extra_hours=hours, extra_sek=sek, changes_goals=goals,
                          whole_portfolio=portfolio, other_areas=areas, own_area="utbildning")


DEVIATIONS = [
    # id, facts, handling, needs basis, escalate, reasons that must be there
    ("delay absorbed in the plan -> coordinators", F(), Handling.coordinators, False, False, {r.R_WITHIN_PLAN}),
    ("resource conflict inside the frame -> coordinators",
     F(DeviationKind.resource_conflict, hours=200, sek=100_000), Handling.coordinators, False, False, {r.R_WITHIN_PLAN}),
    ("within plan, other e-area named -> coordinators",
     F(areas=("forskning",)), Handling.coordinators, False, False, {r.R_OTHER_AREAS_CHECK}),
    ("own e-area is not another e-area", F(areas=("utbildning",)), Handling.coordinators, False, False, {r.R_WITHIN_PLAN}),
    ("cost beyond the frame -> steering group",
     F(DeviationKind.cost, sek=100_001), Handling.steering_group, True, False, {r.R_NO_ROOM_SEK, r.R_STEERING}),
    ("hours beyond the frame -> steering group",
     F(DeviationKind.resource_conflict, hours=201), Handling.steering_group, True, False, {r.R_NO_ROOM_HOURS}),
    ("reprioritisation that changes a goal -> steering group",
     F(DeviationKind.reprioritisation, goals=True), Handling.steering_group, True, False, {r.R_CHANGES_GOALS}),
    ("delay moving a goal's end -> steering group", F(goals=True), Handling.steering_group, True, False, {r.R_STEERING}),
    ("outside the plan touching other e-areas -> steering group, portfolio informed",
     F(goals=True, areas=("ekonomi",)), Handling.steering_group, True, True, {r.R_OTHER_AREAS}),
    ("whole portfolio, even inside the frame -> escalated",
     F(DeviationKind.other, portfolio=True), Handling.portfolio, True, True, {r.R_WHOLE_PORTFOLIO}),
    ("whole portfolio and no money -> escalated",
     F(DeviationKind.cost, sek=5_000_000, portfolio=True), Handling.portfolio, True, True,
     {r.R_NO_ROOM_SEK, r.R_WHOLE_PORTFOLIO}),
]


@pytest.mark.parametrize(("facts", "handling", "basis", "escalate", "reasons"),
                         [c[1:] for c in DEVIATIONS], ids=[c[0] for c in DEVIATIONS])
def test_route_deviation(facts, handling, basis, escalate, reasons):
    routed = r.route_deviation(facts, ROOM)
    assert routed.handling is handling
    assert routed.needs_basis is basis
    assert routed.escalate is escalate
    assert reasons <= set(routed.reasons), routed.reasons


def test_other_areas_named_sorted_without_own():
    routed = r.route_deviation(F(goals=True, areas=("forskning", "utbildning", "ekonomi", "forskning")), ROOM)
    assert routed.other_areas == ("ekonomi", "forskning")


@pytest.mark.parametrize("raw", ["", None, "late", "Delay"])
def test_parse_kind_refuses(raw):
    with pytest.raises(ValueError, match="kind of deviation"):
        r.parse_kind(raw)


def test_parse_kind():
    assert r.parse_kind("resource_conflict") is DeviationKind.resource_conflict


# --- deadlines ---------------------------------------------------------------------------------


def test_area_due_counts_working_days_before_the_meeting():
    # Meeting Tuesday 16 June 2026; 5 working days back passes the weekend: Tuesday 9 June.
    assert r.area_due(D(2026, 6, 16), 5) == D(2026, 6, 9)


@pytest.mark.parametrize(("area_due", "later", "expected"), [
    (D(2026, 6, 9), 0, D(2026, 6, 9)),
    (D(2026, 6, 9), 3, D(2026, 6, 12)),
    # Staggered across midsommarafton (Friday 19 June 2026 is closed).
    (D(2026, 6, 16), 3, D(2026, 6, 22)),
    # Across Christmas: 23 Dec 2026 + 2 working days skips 24-27 Dec -> Monday 28 Dec.
    (D(2026, 12, 23), 2, D(2026, 12, 29)),
])
def test_rollup_due_is_staggered_in_working_days(area_due, later, expected):
    assert r.rollup_due(area_due, later) == expected


def test_rollup_due_refuses_negative():
    with pytest.raises(ValueError):
        r.rollup_due(D(2026, 6, 9), -1)


DUE = D(2026, 6, 9)


@pytest.mark.parametrize(("submitted", "today", "expected"), [
    (D(2026, 6, 8), D(2026, 6, 20), Punctuality.on_time),
    (D(2026, 6, 9), D(2026, 6, 20), Punctuality.on_time),  # on the due date
    (D(2026, 6, 10), D(2026, 6, 20), Punctuality.late),
    (None, D(2026, 6, 9), Punctuality.open),
    (None, D(2026, 6, 10), Punctuality.missing),
])
def test_punctuality(submitted, today, expected):
    assert r.punctuality(submitted, DUE, today) is expected


@pytest.mark.parametrize(("submitted", "today", "expected"), [
    (False, D(2026, 6, 9), False), (False, D(2026, 6, 10), True), (True, D(2026, 6, 30), False),
])
def test_should_escalate(submitted, today, expected):
    assert r.should_escalate(submitted, DUE, today) is expected


# --- the report's life --------------------------------------------------------------------------

S, A = ReportStatus, ReportAct
LIFE = [
    (S.draft, A.save, S.draft),
    (S.draft, A.submit, S.submitted),
    (S.submitted, A.review, S.reviewed),
    (S.submitted, A.reopen, S.draft),
    (S.reviewed, A.reopen, S.draft),
]
REFUSED = [
    (S.submitted, A.save, r.E_NOT_DRAFT),
    (S.reviewed, A.save, r.E_NOT_DRAFT),
    (S.submitted, A.submit, r.E_ALREADY_SUBMITTED),
    (S.reviewed, A.submit, r.E_ALREADY_SUBMITTED),
    (S.draft, A.review, r.E_NOT_SUBMITTED),
    (S.reviewed, A.review, r.E_ALREADY_REVIEWED),
    (S.draft, A.reopen, r.E_NOT_SUBMITTED),
]


@pytest.mark.parametrize(("status", "act", "after"), LIFE)
def test_life(status, act, after):
    assert r.next_status(status, act) is after


@pytest.mark.parametrize(("status", "act", "error"), REFUSED)
def test_life_refused(status, act, error):
    with pytest.raises(ValueError) as caught:
        r.next_status(status, act)
    assert str(caught.value) == error


def test_every_status_and_act_is_covered():
    assert {(s, a) for s, a, _ in LIFE} | {(s, a) for s, a, _ in REFUSED} == {(s, a) for s in S for a in A}


# --- figures and text ---------------------------------------------------------------------------


@pytest.mark.parametrize(("outcome", "frame", "pct"), [
    (0, 1000, 0), (500, 1000, 50), (1005, 2000, 50), (1010, 2000, 51), (1500, 1000, 150), (10, 0, None),
])
def test_frame_used_percent(outcome, frame, pct):
    assert r.frame_used_percent(outcome, frame) == pct


@pytest.mark.parametrize(("raw", "value"), [("1 200", 1200), ("", None), (None, None), (350, 350), ("0", 0)])
def test_parse_outcome(raw, value):
    assert r.parse_outcome(raw) == value


@pytest.mark.parametrize(("raw", "error"), [("mycket", r.E_NOT_A_NUMBER), ("12,5", r.E_NOT_A_NUMBER),
                                            ("-5", r.E_NEGATIVE)])
def test_parse_outcome_refuses(raw, error):
    with pytest.raises(ValueError) as caught:
        r.parse_outcome(raw)
    assert str(caught.value) == error


def test_check_text():
    assert r.check_text("x" * r.MAX_COMMENT) is None
    assert r.check_text("x" * 50_000) == r.E_TOO_LONG
