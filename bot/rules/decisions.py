"""Deciding on a decision basis, as a pure rule (DOMAIN.md §3, seed 000 §3.4).

The steering group decides on a basis its area owners have anchored (status `ready`): approve,
reject, defer to the needs inventory, send back to the coordinators, or escalate to portfolio
management. A basis that affects the whole portfolio goes on to portfolio management after the
steering group approves it. Portfolio management decides on what was escalated to it, with the
same outcomes except escalating (there is nothing above it). One decision per basis and level.

No I/O: the caller passes what it read and applies what comes back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    steering = "steering"
    portfolio = "portfolio"


class Outcome(StrEnum):
    approved = "approved"
    rejected = "rejected"
    deferred = "deferred"
    sent_back = "sent_back"
    escalated = "escalated"


class Basis(StrEnum):
    """The basis status (storage.models.BasisStatus values)."""

    anchoring = "anchoring"
    ready = "ready"
    decided = "decided"
    sent_back = "sent_back"
    superseded = "superseded"


class State(StrEnum):
    open = "open"  # up for decision at this level
    decided = "decided"  # this level has decided already
    stale = "stale"  # not (or no longer) for this level to decide


@dataclass(frozen=True)
class Effect:
    """What a decision leads to. `need` and `basis` are None when they stay as they are."""

    need: str | None  # the need's new status (storage.models.NeedStatus value)
    basis: Basis | None
    change_plan: bool  # the plan's frame grows by the basis' frame change and commits its cost
    to_portfolio: bool  # the basis goes on to portfolio management


@dataclass(frozen=True)
class Verdict:
    state: State
    effect: Effect | None = None  # only when state is open and the outcome is allowed


# What each outcome does when it closes the matter (the last level to decide).
_CLOSING = {
    Outcome.approved: Effect("approved", Basis.decided, change_plan=True, to_portfolio=False),
    Outcome.rejected: Effect("declined", Basis.decided, change_plan=False, to_portfolio=False),
    Outcome.deferred: Effect("inventory", Basis.decided, change_plan=False, to_portfolio=False),
    Outcome.sent_back: Effect("under_assessment", Basis.sent_back, change_plan=False, to_portfolio=False),
}
_ONWARD = Effect(None, None, change_plan=False, to_portfolio=True)


def outcomes(level: Level) -> tuple[Outcome, ...]:
    """The outcomes this level may choose, in the order the chair's card shows them."""
    if level is Level.portfolio:
        return (Outcome.approved, Outcome.rejected, Outcome.deferred, Outcome.sent_back)
    return tuple(Outcome)


def goes_to_portfolio(outcome: Outcome, escalate: bool) -> bool:
    """A steering decision that hands the basis on to portfolio management."""
    return outcome is Outcome.escalated or (outcome is Outcome.approved and escalate)


def state(basis: Basis, escalate: bool, decided: Mapping[Level, Outcome], level: Level) -> State:
    """Where the basis stands for this level, given the decisions already taken (level -> outcome)."""
    if level in decided:
        return State.decided
    if basis is not Basis.ready:
        return State.stale
    if level is Level.steering:
        return State.open
    steering = decided.get(Level.steering)
    if steering is not None and goes_to_portfolio(steering, escalate):
        return State.open
    return State.stale


def decide(basis: Basis, escalate: bool, decided: Mapping[Level, Outcome], level: Level,
           outcome: Outcome) -> Verdict:
    """May this level decide this outcome now, and what follows from it."""
    now = state(basis, escalate, decided, level)
    if now is not State.open:
        return Verdict(now)
    if outcome not in outcomes(level):
        return Verdict(State.stale)
    if level is Level.steering and goes_to_portfolio(outcome, escalate):
        return Verdict(State.open, _ONWARD)
    return Verdict(State.open, _CLOSING[outcome])


def awaiting_portfolio(basis: Basis, decided: Mapping[Level, Outcome]) -> bool:
    """The steering group has handed the basis on and portfolio management has not decided yet."""
    return basis is Basis.ready and bool(decided) and Level.portfolio not in decided
