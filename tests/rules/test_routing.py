"""Every path of DOMAIN.md §2, as a table."""

import pytest

from bot.rules import routing as r
from bot.rules.routing import Answers, Frame, Outcome, route

ROOM = Frame(frame_hours=1000, frame_sek=1_000_000, committed_hours=400, committed_sek=500_000)  # 600 h, 500 000 kr left


def A(serves=True, hours=100, cost=100_000, urgent=False, areas=(), portfolio=False, decline=False):
    return Answers(serves_goals=serves, hours=hours, cost_sek=cost, urgent=urgent, affects_areas=areas,
                   whole_portfolio=portfolio, decline=decline, own_area="utbildning")


CASES = [
    # id, answers, outcome, escalate, reasons that must be there
    ("not serving -> inventory", A(serves=False), Outcome.inventory, False, {r.R_NOT_SERVING, r.R_INVENTORY_NEXT_PERIOD}),
    ("not serving, declined", A(serves=False, decline=True), Outcome.declined, False, {r.R_NOT_SERVING, r.R_DECLINED_BY_COORDINATOR}),
    ("not serving, urgent still inventory", A(serves=False, urgent=True, hours=9999), Outcome.inventory, False, {r.R_NOT_SERVING}),
    ("room -> within plan", A(), Outcome.within_plan, False, {r.R_FITS_FRAME}),
    ("exactly the frame left -> within plan", A(hours=600, cost=500_000), Outcome.within_plan, False, {r.R_FITS_FRAME}),
    ("room, other e-area -> within plan, named", A(areas=("forskning",)), Outcome.within_plan, False, {r.R_OTHER_AREAS_CHECK}),
    ("own area listed is not another area", A(areas=("utbildning",)), Outcome.within_plan, False, {r.R_FITS_FRAME}),
    ("no hours left, urgent -> decision basis", A(hours=601, urgent=True), Outcome.decision_basis, False, {r.R_NO_ROOM_HOURS, r.R_URGENT}),
    ("no money left, urgent -> decision basis", A(cost=500_001, urgent=True), Outcome.decision_basis, False, {r.R_NO_ROOM_SEK, r.R_URGENT}),
    ("no room, not urgent -> inventory", A(hours=601), Outcome.inventory, False, {r.R_NO_ROOM_HOURS, r.R_NOT_URGENT}),
    ("no money, not urgent -> inventory", A(cost=900_000), Outcome.inventory, False, {r.R_NO_ROOM_SEK, r.R_NOT_URGENT}),
    ("urgent, no room, other e-area -> escalated basis", A(hours=700, urgent=True, areas=("forskning",)), Outcome.decision_basis, True, {r.R_OTHER_AREAS_ESCALATE}),
    ("urgent, no room, whole portfolio -> escalated basis", A(hours=700, urgent=True, portfolio=True), Outcome.decision_basis, True, {r.R_WHOLE_PORTFOLIO}),
    ("room but whole portfolio -> escalated basis", A(portfolio=True), Outcome.decision_basis, True, {r.R_WHOLE_PORTFOLIO}),
    ("no room, not urgent, other area -> inventory, named", A(hours=601, areas=("ekonomi",)), Outcome.inventory, False, {r.R_OTHER_AREAS_CHECK}),
]


# A need affecting the whole portfolio reaches portfolio management whatever the frame or urgency
# (DOMAIN.md §2, last paragraph): one row per combination of room, urgency and other e-areas.
ROOM_KINDS = {"room": {}, "no hours": {"hours": 601}, "no money": {"cost": 500_001},
              "neither": {"hours": 601, "cost": 500_001}}
PORTFOLIO_CASES = [
    (f"whole portfolio, {room}, {'urgent' if urgent else 'not urgent'}{', other area' if areas else ''}",
     A(portfolio=True, urgent=urgent, areas=areas, **kw))
    for room, kw in ROOM_KINDS.items() for urgent in (False, True) for areas in ((), ("forskning",))
] + [  # not serving this e-area's goals does not keep it from portfolio management, nor lets it be declined
    (f"whole portfolio, not serving the goals{', declined' if decline else ''}, {room}",
     A(serves=False, portfolio=True, decline=decline, **kw))
    for room, kw in ROOM_KINDS.items() for decline in (False, True)
]


@pytest.mark.parametrize("answers", [c[1] for c in PORTFOLIO_CASES], ids=[c[0] for c in PORTFOLIO_CASES])
def test_whole_portfolio_always_reaches_portfolio_management(answers):
    result = route(answers, ROOM)
    assert result.outcome is Outcome.decision_basis
    assert result.escalate is True
    assert r.R_WHOLE_PORTFOLIO in result.reasons
    assert r.R_NOT_URGENT not in result.reasons and r.R_INVENTORY_NEXT_PERIOD not in result.reasons
    assert (r.R_URGENT in result.reasons) is answers.urgent
    assert (r.R_NOT_SERVING in result.reasons) is (not answers.serves_goals)
    assert r.R_DECLINED_BY_COORDINATOR not in result.reasons
    assert result.after == ROOM  # nothing committed before the decision


@pytest.mark.parametrize(("answers", "outcome", "escalate", "reasons"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_route(answers, outcome, escalate, reasons):
    result = route(answers, ROOM)
    assert result.outcome is outcome
    assert result.escalate is escalate
    assert reasons <= set(result.reasons), result.reasons


def test_within_plan_commits_the_frame_and_others_leave_it():
    assert route(A(hours=100, cost=50_000), ROOM).after == Frame(1000, 1_000_000, 500, 550_000)
    for answers in (A(serves=False), A(hours=700, urgent=True), A(hours=700)):
        assert route(answers, ROOM).after == ROOM


def test_other_areas_are_named_sorted_without_own():
    result = route(A(areas=("forskning", "utbildning", "ekonomi", "forskning")), ROOM)
    assert result.other_areas == ("ekonomi", "forskning")


def test_released_frame_makes_room_for_a_reassessment():
    full = Frame(100, 1000, 100, 1000)
    assert route(A(hours=60, cost=500), full).outcome is Outcome.inventory
    assert route(A(hours=60, cost=500), full.released(60, 500)).outcome is Outcome.within_plan


FRAME = Frame(frame_hours=1000, frame_sek=1_000_000)

VALIDATION = [
    ("fine", {"serves": "yes", "hours": "120", "cost": "50 000"}, {}),
    ("zero is fine", {"serves": "yes", "hours": "0", "cost": 0}, {}),
    ("missing when needed", {"serves": "yes"}, {"hours": r.E_HOURS_MISSING, "cost": r.E_COST_MISSING}),
    ("missing is fine when not serving", {"serves": "no"}, {}),
    ("negative", {"serves": "yes", "hours": "-5", "cost": "-1"}, {"hours": r.E_HOURS_NEGATIVE, "cost": r.E_COST_NEGATIVE}),
    ("negative also when not serving", {"serves": "no", "hours": "-5"}, {"hours": r.E_HOURS_NEGATIVE}),
    ("absurd", {"serves": "yes", "hours": "100001", "cost": "100000001"}, {"hours": r.E_HOURS_ABSURD, "cost": r.E_COST_ABSURD}),
    ("100x exactly is allowed", {"serves": "yes", "hours": "100000", "cost": "100000000"}, {}),
    ("text", {"serves": "yes", "hours": "many", "cost": "1.5"}, {"hours": r.E_NOT_A_NUMBER, "cost": r.E_NOT_A_NUMBER}),
    ("serves not answered", {"hours": "1", "cost": "1"}, {"serves": r.E_SERVES_MISSING}),
    ("decline without reason", {"serves": "no", "if_not": "declined", "reason": "  "}, {"reason": r.E_DECLINE_REASON}),
    ("decline with reason", {"serves": "no", "if_not": "declined", "reason": "Finns redan"}, {}),
]


@pytest.mark.parametrize(("raw", "errors"), [c[1:] for c in VALIDATION], ids=[c[0] for c in VALIDATION])
def test_validate(raw, errors):
    assert r.validate(raw, FRAME) == errors


def test_absurd_on_an_empty_frame_uses_one_as_the_floor():
    assert r.validate_amounts("101", "100", Frame(0, 0), needed=True) == {"hours": r.E_HOURS_ABSURD}


@pytest.mark.parametrize(("raw", "value"), [("1 200", 1200), (" 7 ", 7), (12, 12), (12.0, 12), ("3.0", 3), ("", None), (None, None), ("-4", -4)])
def test_parse_amount(raw, value):
    assert r.parse_amount(raw) == value


def test_rule_module_is_pure():
    import ast
    import pathlib

    tree = ast.parse(pathlib.Path(r.__file__).read_text())
    imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {m.split(".")[0] for m in imported} & {"botbuilder", "sqlmodel", "sqlalchemy", "aiohttp"}
