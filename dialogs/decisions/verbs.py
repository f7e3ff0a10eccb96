"""The decision card's verbs: the chair's refresh, and approve / reject / defer / send back /
escalate, each an Action.Execute answered with the card that replaces the clicked one.

A click runs ONE transaction: lock the basis, ask the rule (bot/rules/decisions.py) where it
stands for this level, check the roles, record the decision with its effects on the need and the
plan, and leave the follow-ups (card updates, the escalation's post, notices) in the outbox.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo

from pydantic import field_validator

from bot.actions import CardAction
from bot.config import Settings
from bot.registry import Capability
from bot.roles import can, who_can
from bot.rules import decisions as rules
from bot.text import clean
from bot.turn import Turn
from cards.common import escape
from cards.decision import (
    COMMENT_MAX,
    REGISTRY_MAX,
    BasisView,
    CardContext,
    DecisionView,
    chair_card,
    decided_card,
    read_only_card,
    refusal_card,
    sent_back_card,
)
from cards.system import error_card
from cards.verbs import Verb
from dialogs import notify
from dialogs.decisions import followups
from dialogs.decisions.views import (
    PORTFOLIO,
    STEERING,
    basis_view,
    deciders,
    decision_view,
    pending_note,
    refresh_ids,
    taken,
)
from storage import decisions as store
from storage.decisions import Found

cap = Capability("decisions")


class _BasisRef(CardAction):
    basis_id: int
    level: Literal["steering", "portfolio"] = STEERING


@cap.action(Verb.DECISION_VIEW)
class ViewDecision(_BasisRef):
    """The refresh of a posted card: chairs get the buttons, others the read-only view."""


class _Decide(_BasisRef):
    outcome: ClassVar[rules.Outcome]
    # Inputs of the chair card; Teams merges them into the action data.
    comment: str = ""
    registry_number: str = ""

    @field_validator("comment", mode="before")
    @classmethod
    def _comment(cls, value: Any) -> str:
        return clean(str(value or ""), multiline=True)[:COMMENT_MAX]

    @field_validator("registry_number", mode="before")
    @classmethod
    def _registry(cls, value: Any) -> str:
        return clean(str(value or ""))[:REGISTRY_MAX]


@cap.action(Verb.DECISION_APPROVE)
class Approve(_Decide):
    outcome = rules.Outcome.approved


@cap.action(Verb.DECISION_REJECT)
class Reject(_Decide):
    outcome = rules.Outcome.rejected


@cap.action(Verb.DECISION_DEFER)
class Defer(_Decide):
    outcome = rules.Outcome.deferred


@cap.action(Verb.DECISION_SEND_BACK)
class SendBack(_Decide):
    outcome = rules.Outcome.sent_back


@cap.action(Verb.DECISION_ESCALATE)
class Escalate(_Decide):
    outcome = rules.Outcome.escalated


# --- reading and deciding (each in the caller's transaction) -----------------------------------


@dataclass
class State:
    """A basis as one level sees it, read in one transaction."""

    kind: str  # open | decided | stale | refused | missing | decided_now
    view: BasisView | None = None
    decisions: list[DecisionView] = field(default_factory=list)
    refresh_ids: tuple[str, ...] = ()
    may_decide: bool = False
    refusal_names: list[str] = field(default_factory=list)


def _year(settings: Settings, now) -> int:
    return now.astimezone(ZoneInfo(settings.timezone)).year


def _read(session, settings: Settings, basis_id: int, level: str, actor: str, now,
          *, lock: bool = False) -> tuple[State, Found | None]:
    found = store.load(session, basis_id, lock=lock, year=_year(settings, now))
    if found is None:
        return State("missing"), None
    basis, area = found.basis, found.area
    state = State("open", view=basis_view(found, level, settings.default_locale), decisions=[decision_view(d) for d in found.decisions])
    where = rules.state(rules.Basis(state.view.status), basis.escalate, taken(found.decisions), rules.Level(level))
    if where is not rules.State.open:
        state.kind = where.value
        return state, found
    permission, _roles = deciders(level)
    state.may_decide = can(session, settings, actor, permission, scope=area.slug)
    if not state.may_decide:
        state.kind = "refused"
        state.refusal_names = who_can(session, permission, area.slug)
    if not lock or not state.may_decide:
        # Only cards that can still be decided carry a refresh.
        state.refresh_ids = refresh_ids(session, area.slug, level)
    return state, found


def current(session, settings: Settings, basis_id: int, level: str, actor: str, now) -> State:
    return _read(session, settings, basis_id, level, actor, now)[0]


def decide(session, settings: Settings, basis_id: int, level: str, outcome: rules.Outcome, actor: str,
           actor_name: str, comment: str, registry_number: str, now) -> State:
    """The whole decision and its follow-ups: at most one per basis and level."""
    state, found = _read(session, settings, basis_id, level, actor, now, lock=True)
    if state.kind != "open":
        return state
    verdict = rules.decide(rules.Basis(state.view.status), found.basis.escalate, taken(found.decisions),
                           rules.Level(level), outcome)
    if verdict.effect is None:
        state.kind = verdict.state.value  # e.g. nothing above portfolio management
        return state
    effect = verdict.effect
    decision = store.record_decision(
        session, found, level=level, outcome=outcome.value, need_status=effect.need,
        basis_status=effect.basis.value if effect.basis else None, change_plan=effect.change_plan,
        to_portfolio=effect.to_portfolio, actor=actor, actor_name=actor_name, comment=comment,
        registry_number=registry_number, snapshot=json.dumps(asdict(state.view), ensure_ascii=False),
        year=_year(settings, now), now=now, number_now=False)
    if decision is None:  # lost a race the lock did not cover: show the decision that won
        state.decisions = [decision_view(d) for d in store.decisions_of(session, basis_id)]
        state.kind = "decided"
        return state
    state.kind = "decided_now"
    followups.after_decision(session, settings, found, level, effect.to_portfolio, now)
    store.number_decision(session, found)  # last: the year's counter is locked until the commit
    state.decisions = [decision_view(d) for d in found.decisions]
    state.view = basis_view(found, level, settings.default_locale)
    return state


# --- the cards -----------------------------------------------------------------------------------


def card_for(turn_t, settings: Settings, state: State, *, refusal: str | None = None) -> dict:
    """The card this state shows to one person."""
    ctx = CardContext(timezone=settings.timezone, refresh_ids=state.refresh_ids)
    if state.kind in ("decided", "decided_now"):
        return decided_card(turn_t, state.view, state.decisions, ctx, already=state.kind == "decided",
                            pending_note=pending_note(turn_t, state.view, state.decisions))
    if state.kind == "stale":
        return sent_back_card(turn_t, state.view, ctx, state.decisions)
    if state.kind == "refused" and refusal is not None:
        return refusal_card(turn_t, state.view, ctx, refusal)
    if state.may_decide:
        return chair_card(turn_t, state.view, ctx)
    return read_only_card(turn_t, state.view, ctx)


def refusal_text(t, level: str, names: list[str]) -> str:
    listed = ", ".join(escape(n) for n in names)
    if level == PORTFOLIO:
        if listed:
            return t("Only the portfolio management chair can decide on this basis. Ask {names}.", names=listed)
        return t("Only the portfolio management chair can decide on this basis, and nobody holds that role yet. Ask an administrator.")
    if listed:
        return t("Only the steering group's chair or deputy chair can decide on this basis. Ask {names}.", names=listed)
    return t("Only the steering group's chair or deputy chair can decide on this basis, and nobody holds that role yet. Ask an administrator.")


async def _answer(turn: Turn, content: dict) -> dict | None:
    if turn.is_invoke:
        return content
    await turn.send_card(content)
    return None


def _missing(turn: Turn) -> dict:
    return error_card(turn.t, turn.t("This decision basis no longer exists."))


# --- the handlers --------------------------------------------------------------------------------


@cap.handles(ViewDecision)
async def on_view(turn: Turn, act: ViewDecision):
    state = await turn.db.run(current, turn.settings, act.basis_id, act.level, turn.speaker.aad_id, turn.now())
    if state.kind == "missing":
        return await _answer(turn, _missing(turn))
    return await _answer(turn, card_for(turn.t, turn.settings, state))


async def on_decide(turn: Turn, act: _Decide):
    actor_name = turn.speaker.name or turn.speaker.aad_id
    state = await turn.db.run(decide, turn.settings, act.basis_id, act.level, act.outcome,
                              turn.speaker.aad_id, actor_name, act.comment, act.registry_number, turn.now())
    if state.kind == "missing":
        return await _answer(turn, _missing(turn))
    if state.kind == "decided_now":
        notify.nudge(turn.services)
    refusal = refusal_text(turn.t, act.level, state.refusal_names) if state.kind == "refused" else None
    return await _answer(turn, card_for(turn.t, turn.settings, state, refusal=refusal))


for _cls in (Approve, Reject, Defer, SendBack, Escalate):
    cap.handles(_cls)(on_decide)
