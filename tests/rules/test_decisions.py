"""The decision rule as tables: every basis state, decision already taken, level and outcome."""

from __future__ import annotations

import itertools

import pytest

from bot.rules.decisions import (
    Basis,
    Effect,
    Level,
    Outcome,
    State,
    awaiting_portfolio,
    decide,
    goes_to_portfolio,
    outcomes,
    state,
)

S, P = Level.steering, Level.portfolio
A, R, D, B, E = Outcome.approved, Outcome.rejected, Outcome.deferred, Outcome.sent_back, Outcome.escalated

# What an open basis leads to: (level, outcome, escalate flag) -> (need status, basis status,
# plan changed, goes on to portfolio management); None: that level may not choose it.
EFFECTS = {
    (S, A, False): ("approved", Basis.decided, True, False),
    (S, A, True): (None, None, False, True),
    (S, R, False): ("declined", Basis.decided, False, False),
    (S, R, True): ("declined", Basis.decided, False, False),
    (S, D, False): ("inventory", Basis.decided, False, False),
    (S, D, True): ("inventory", Basis.decided, False, False),
    (S, B, False): ("under_assessment", Basis.sent_back, False, False),
    (S, B, True): ("under_assessment", Basis.sent_back, False, False),
    (S, E, False): (None, None, False, True),
    (S, E, True): (None, None, False, True),
    (P, A, False): ("approved", Basis.decided, True, False),
    (P, A, True): ("approved", Basis.decided, True, False),
    (P, R, False): ("declined", Basis.decided, False, False),
    (P, R, True): ("declined", Basis.decided, False, False),
    (P, D, False): ("inventory", Basis.decided, False, False),
    (P, D, True): ("inventory", Basis.decided, False, False),
    (P, B, False): ("under_assessment", Basis.sent_back, False, False),
    (P, B, True): ("under_assessment", Basis.sent_back, False, False),
    (P, E, False): None,
    (P, E, True): None,
}


@pytest.mark.parametrize(("level", "outcome", "escalate"), sorted(EFFECTS, key=str))
def test_what_each_outcome_leads_to_on_an_open_basis(level, outcome, escalate):
    decided = {S: E} if level is P else {}
    verdict = decide(Basis.ready, escalate, decided, level, outcome)
    expected = EFFECTS[(level, outcome, escalate)]
    if expected is None:
        assert verdict.state is State.stale and verdict.effect is None
        return
    need, basis, plan, onward = expected
    assert verdict.state is State.open
    assert verdict.effect == Effect(need, basis, plan, onward)


# Where a basis stands for each level: (basis status, the steering group's decision or None,
# portfolio management decided?) -> (state for the steering group, state for portfolio
# management without / with the escalate flag).
OPEN, X, Z = State.open, State.decided, State.stale
STATES = {
    (Basis.ready, None, False): (OPEN, Z, Z),
    (Basis.ready, A, False): (X, Z, OPEN),  # approved, and the flag takes it on
    (Basis.ready, R, False): (X, Z, Z),
    (Basis.ready, D, False): (X, Z, Z),
    (Basis.ready, B, False): (X, Z, Z),
    (Basis.ready, E, False): (X, OPEN, OPEN),
}
for _status in (Basis.anchoring, Basis.decided, Basis.sent_back, Basis.superseded):
    STATES[(_status, None, False)] = (Z, Z, Z)
    for _outcome in Outcome:
        STATES[(_status, _outcome, False)] = (X, Z, Z)  # the steering group has decided: that stays
for _status in Basis:
    for _outcome in Outcome:
        STATES[(_status, _outcome, True)] = (X, X, X)  # both levels have decided


def _decided(steering, portfolio):
    found = {S: steering} if steering is not None else {}
    if portfolio:
        found[P] = A
    return found


@pytest.mark.parametrize(("status", "steering", "portfolio"), sorted(STATES, key=str))
def test_where_a_basis_stands_for_each_level(status, steering, portfolio):
    decided = _decided(steering, portfolio)
    for_steering, plain, flagged = STATES[(status, steering, portfolio)]
    assert state(status, False, decided, S) is for_steering
    assert state(status, True, decided, S) is for_steering
    assert state(status, False, decided, P) is plain
    assert state(status, True, decided, P) is flagged


def test_every_state_outcome_and_level_gets_a_verdict_consistent_with_the_tables():
    """The whole product: a verdict carries an effect exactly when the basis is open for that
    level and the level may choose the outcome, and then the effect is the one in EFFECTS."""
    seen = 0
    for status, steering, portfolio, escalate, level, outcome in itertools.product(
            Basis, [None, *Outcome], [False, True], [False, True], Level, Outcome):
        if portfolio and steering is None:
            continue  # portfolio management decides only after the steering group
        decided = _decided(steering, portfolio)
        verdict = decide(status, escalate, decided, level, outcome)
        where = state(status, escalate, decided, level)
        if where is not State.open:
            assert verdict.state is where and verdict.effect is None
        elif EFFECTS[(level, outcome, escalate)] is None:
            assert verdict.state is State.stale and verdict.effect is None
        else:
            assert verdict.state is State.open
            assert verdict.effect == Effect(*EFFECTS[(level, outcome, escalate)])
        seen += 1
    assert seen == 5 * (1 + 5 * 2) * 2 * 2 * 5


def test_the_choices_each_level_has():
    assert outcomes(S) == (A, R, D, B, E)
    assert outcomes(P) == (A, R, D, B)


@pytest.mark.parametrize(("outcome", "escalate", "onward"), [
    (A, False, False), (A, True, True), (E, False, True), (E, True, True),
    (R, True, False), (D, True, False), (B, True, False),
])
def test_what_the_steering_group_hands_on(outcome, escalate, onward):
    assert goes_to_portfolio(outcome, escalate) is onward


@pytest.mark.parametrize(("status", "decided", "waiting"), [
    (Basis.ready, {S: E}, True),
    (Basis.ready, {S: A}, True),
    (Basis.ready, {}, False),
    (Basis.ready, {S: E, P: A}, False),
    (Basis.decided, {S: A}, False),
    (Basis.sent_back, {S: E, P: B}, False),
])
def test_the_steering_card_says_it_waits_for_portfolio_management(status, decided, waiting):
    assert awaiting_portfolio(status, decided) is waiting
