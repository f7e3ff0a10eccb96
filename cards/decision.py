"""Decision cards for the steering group and portfolio management (DOMAIN.md §3). Pure.

The card as posted is the read-only view everyone sees. Its `refresh` names the chairs (Teams
user ids), whose clients fetch the personal view with the decision buttons. Once decided, every
copy is replaced by the decided view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from microsoft_teams.cards import ActionSet, Container, Fact, FactSet, TextInput

from bot.i18n import Translator
from bot.rules.frames import Outlook
from cards.common import (
    card,
    effort,
    escape,
    execute,
    frame_left,
    heading,
    nonzero,
    para,
    user_text,
)
from cards.verbs import Verb

OUTCOME_VERBS = {
    "approved": Verb.DECISION_APPROVE,
    "rejected": Verb.DECISION_REJECT,
    "deferred": Verb.DECISION_DEFER,
    "sent_back": Verb.DECISION_SEND_BACK,
    "escalated": Verb.DECISION_ESCALATE,
}
COMMENT_MAX = 1000
REGISTRY_MAX = 60


@dataclass(frozen=True)
class BasisView:
    basis_id: int
    level: str  # steering | portfolio
    area_name: str
    need_number: str
    need_title: str
    need_description: str = ""
    raised_by_name: str = ""
    version: int = 1
    business_goals: str = ""
    risk: str = ""
    risk_likelihood: int = 0
    risk_impact: int = 0
    resources: str = ""
    hours: int = 0
    cost_sek: int = 0
    dependencies: str = ""
    proposal: str = ""
    frame_change_sek: int = 0
    frame_change_hours: int = 0
    escalate: bool = False  # affects the whole portfolio
    status: str = "ready"  # BasisStatus value
    anchored_by: tuple[str, ...] = ()  # the area owners who agreed
    plan_title: str = ""
    outlook: Outlook | None = None  # the plan's frame now and if this basis is approved


@dataclass(frozen=True)
class DecisionView:
    number: str
    level: str
    outcome: str  # DecisionOutcome value
    decided_by_name: str
    decided_at: datetime
    comment: str = ""
    registry_number: str = ""


@dataclass(frozen=True)
class DecisionRow:
    """One line of an e-area's decision list."""

    number: str
    decided_at: datetime
    need_number: str
    need_title: str
    level: str
    outcome: str
    decided_by_name: str


@dataclass(frozen=True)
class CardContext:
    """Where the card is shown: time zone for times, refresh target ids."""

    timezone: str = "Europe/Stockholm"
    refresh_ids: tuple[str, ...] = field(default_factory=tuple)


def local_time(when: datetime, tz: str) -> str:
    return when.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def outcome_label(t: Translator, outcome: str) -> str:
    return {
        "approved": t("Approved"),
        "rejected": t("Rejected"),
        "deferred": t("Deferred to the needs inventory"),
        "sent_back": t("Returned to the coordinators"),
        "escalated": t("Escalated to portfolio management"),
    }.get(outcome, outcome)


def _level_label(t: Translator, level: str) -> str:
    return t("Portfolio management") if level == "portfolio" else t("Steering group")


def _refresh(view: BasisView, ctx: CardContext) -> tuple[dict, list[str]] | None:
    if not ctx.refresh_ids:
        return None
    return {"verb": Verb.DECISION_VIEW, "basis_id": view.basis_id, "level": view.level}, list(ctx.refresh_ids)


def _basis_body(t: Translator, view: BasisView) -> list:
    title = (t("Decision basis for portfolio management") if view.level == "portfolio"
             else t("Decision basis for the steering group"))
    facts = [
        Fact(title=t("E-area"), value=escape(view.area_name)),
        Fact(title=t("Need"), value=f"{view.need_number} {escape(view.need_title)}"),
    ]
    if view.raised_by_name:
        facts.append(Fact(title=t("Raised by"), value=escape(view.raised_by_name)))
    facts.append(Fact(title=t("Estimate"), value=effort(t, view.hours, view.cost_sek)))
    if view.frame_change_sek or view.frame_change_hours:
        facts.append(Fact(title=t("Proposed change to the frame"),
                          value=effort(t, view.frame_change_hours, view.frame_change_sek, signed=True)))
    if view.risk_likelihood or view.risk_impact:
        facts.append(Fact(title=t("Risk (likelihood × impact)"),
                          value=f"{view.risk_likelihood} × {view.risk_impact} = {view.risk_likelihood * view.risk_impact}"))
    if view.version > 1:
        facts.append(Fact(title=t("Version"), value=str(view.version)))
    if view.anchored_by:
        facts.append(Fact(title=t("Anchored by"), value=escape(", ".join(view.anchored_by))))
    body = [heading(title, size="Medium"), FactSet(facts=facts)]
    sections = (
        (t("Description"), view.need_description),
        (t("Proposed decision"), view.proposal),
        (t("Business goals"), view.business_goals),
        (t("Risk"), view.risk),
        (t("Resources"), view.resources),
        (t("Dependencies on other e-areas"), view.dependencies),
    )
    for label, text in sections:
        if text:
            body.append(para(f"**{label}**", spacing="Medium"))
            body.append(user_text(text))
    if view.escalate and view.level == "steering":
        body.append(para(t("This affects the whole portfolio: an approval goes on to portfolio management for the final decision."),
                         is_subtle=True, size="Small"))
    return body


def frame_block(t: Translator, view: BasisView) -> list:
    """The frame left now and after an approval, and a warning when the proposal does not cover
    what the need requires (a basis still up for decision)."""
    outlook = view.outlook
    if outlook is None:
        return []
    now, after = outlook.now, outlook.after
    facts = [
        Fact(title=t("Frame"), value=effort(t, now.frame_hours, now.frame_sek)),
        Fact(title=t("Left now"), value=frame_left(t, now.left_hours, now.left_sek)),
        Fact(title=t("Left after this decision"), value=frame_left(t, after.left_hours, after.left_sek)),
    ]
    if outlook.needed_hours or outlook.needed_sek:
        facts.insert(2, Fact(title=t("Frame change needed"),
                             value=effort(t, outlook.needed_hours, outlook.needed_sek, signed=True)))
    title = t("Frame of {plan}", plan=escape(view.plan_title)) if view.plan_title else t("Frame")
    items: list = [para(f"**{title}**", spacing="Medium"), FactSet(facts=facts)]
    if not outlook.covered:
        items.append(Container(style="attention", items=[para(t(
            "The proposed change to the frame does not cover this need: approving puts the plan {amount} over its frame.",
            amount=nonzero(t, outlook.short_hours, outlook.short_sek)))]))
    return items


def read_only_card(t: Translator, view: BasisView, ctx: CardContext) -> dict:
    """The card as posted: everyone sees this; the chairs' clients refresh it to the chair view."""
    who = t("the portfolio management chair") if view.level == "portfolio" else t("the chair or deputy chair")
    body = _basis_body(t, view) + frame_block(t, view) + [
        para(t("Waiting for a decision by {who}.", who=who), is_subtle=True, size="Small"),
    ]
    return card(body, refresh=_refresh(view, ctx),
                fallback_text=t("Decision basis {need}", need=view.need_number))


def chair_card(t: Translator, view: BasisView, ctx: CardContext) -> dict:
    """The personal view of a chair: the same basis with the decision actions."""
    body = _basis_body(t, view) + frame_block(t, view) + [
        TextInput(id="comment", label=t("Comment (optional)"), is_multiline=True, max_length=COMMENT_MAX,
                  placeholder=t("Why, conditions, what the coordinators should change …")),
        TextInput(id="registry_number", label=t("Registry number (optional)"), max_length=REGISTRY_MAX,
                  placeholder=t("e.g. ABC 2026/123")),
    ]
    ids = {"basis_id": view.basis_id, "level": view.level}
    # Two rows: five buttons in one row get their titles truncated in Teams.
    decide = [
        execute(t("Approve"), {"verb": OUTCOME_VERBS["approved"], **ids}, style="positive"),
        execute(t("Reject"), {"verb": OUTCOME_VERBS["rejected"], **ids}, style="destructive"),
        execute(t("Defer"), {"verb": OUTCOME_VERBS["deferred"], **ids}),
    ]
    other = [execute(t("Send back"), {"verb": OUTCOME_VERBS["sent_back"], **ids})]
    if view.level == "steering":
        other.append(execute(t("Escalate to portfolio"), {"verb": OUTCOME_VERBS["escalated"], **ids}))
    body += [ActionSet(actions=decide, spacing="Medium"), ActionSet(actions=other, spacing="Small")]
    return card(body, refresh=_refresh(view, ctx),
                fallback_text=t("Decision basis {need}", need=view.need_number))


def _decision_block(t: Translator, decision: DecisionView, tz: str, *, already: bool) -> Container:
    label = outcome_label(t, decision.outcome)
    when = local_time(decision.decided_at, tz)
    items = [para(f"**{_level_label(t, decision.level)}: {label}**")]
    if already:
        items.append(para(t("Already decided by {name} at {when}.", name=escape(decision.decided_by_name), when=when)))
    else:
        items.append(para(t("Decided by {name} at {when}.", name=escape(decision.decided_by_name), when=when)))
    facts = [Fact(title=t("Decision"), value=decision.number)]
    if decision.registry_number:
        facts.append(Fact(title=t("Registry number"), value=escape(decision.registry_number)))
    items.append(FactSet(facts=facts))
    if decision.comment:
        items.append(user_text(decision.comment, italic=True))
    style = {"approved": "good", "rejected": "attention", "sent_back": "warning"}.get(decision.outcome, "emphasis")
    return Container(style=style, items=items)


def decided_card(t: Translator, view: BasisView, decisions: list[DecisionView], ctx: CardContext, *,
                 already: bool = False, pending_note: str | None = None) -> dict:
    """The basis with its decision(s): steering first, then portfolio management."""
    body = _basis_body(t, view)
    for index, decision in enumerate(decisions):
        body.append(_decision_block(t, decision, ctx.timezone, already=already and index == len(decisions) - 1))
    if pending_note:
        body.append(para(pending_note, is_subtle=True, size="Small"))
    return card(body, fallback_text=t("Decision basis {need}", need=view.need_number))


def sent_back_card(t: Translator, view: BasisView, ctx: CardContext, decisions: list[DecisionView]) -> dict:
    """A basis that is no longer up for decision (sent back or replaced by a newer version)."""
    if decisions:
        return decided_card(t, view, decisions, ctx,
                            pending_note=t("This version is no longer up for decision."))
    if view.level == "portfolio" and view.status == "ready":
        reason = t("This decision basis has not been escalated to portfolio management.")
    else:
        reason = t("This version is no longer up for decision: the coordinators have replaced it.")
    body = _basis_body(t, view) + [Container(style="warning", items=[para(reason)])]
    return card(body, fallback_text=t("Decision basis {need}", need=view.need_number))


def refusal_card(t: Translator, view: BasisView, ctx: CardContext, message: str) -> dict:
    """What someone who may not decide sees after clicking: the basis and why not."""
    body = _basis_body(t, view) + frame_block(t, view) + [Container(style="attention", items=[para(message)])]
    return card(body, refresh=_refresh(view, ctx),
                fallback_text=t("Decision basis {need}", need=view.need_number))


def notice_card(t: Translator, view: BasisView, decision: DecisionView, tz: str) -> dict:
    """A personal message to the coordinators and the person who raised the need."""
    label = outcome_label(t, decision.outcome)
    lines = [
        para(t("Portfolio management has decided on need {need}: {outcome}.", need=view.need_number, outcome=label)
             if decision.level == "portfolio"
             else t("The steering group has decided on need {need}: {outcome}.", need=view.need_number, outcome=label)),
        FactSet(facts=[
            Fact(title=t("Need"), value=f"{view.need_number} {escape(view.need_title)}"),
            Fact(title=t("E-area"), value=escape(view.area_name)),
            Fact(title=t("Decision"), value=decision.number),
            Fact(title=t("Decided by"), value=escape(decision.decided_by_name)),
            Fact(title=t("When"), value=local_time(decision.decided_at, tz)),
        ]),
    ]
    if decision.comment:
        lines.append(para(f"**{t('Comment')}**", spacing="Small"))
        lines.append(user_text(decision.comment))
    if decision.outcome == "sent_back":
        lines.append(para(t("The decision basis is back with the coordinators. They assess the need again (**assess {need}**); if it still needs a decision, a new version goes to the steering group.",
                            need=view.need_number)))
    title = t("Decision on {need}", need=view.need_number)
    return card([heading(title, size="Medium")] + lines, fallback_text=title)


def decisions_list_card(t: Translator, area_name: str, rows: list[DecisionRow], tz: str, *,
                        more: dict | None = None) -> dict:
    """A page of an e-area's decisions, newest first; `more` is the data of the "Show more" button."""
    title = t("Decisions in {area}", area=escape(area_name))
    if not rows:
        return card([heading(title, size="Medium"), para(t("No decisions yet."))], fallback_text=title)
    facts = []
    for row in rows:
        level = " " + t("by portfolio management") if row.level == "portfolio" else ""
        facts.append(Fact(
            title=f"{row.number} · {local_time(row.decided_at, tz)[:10]}",
            value=f"{row.need_number} {escape(row.need_title)}: {outcome_label(t, row.outcome)}{level} – {escape(row.decided_by_name)}",
        ))
    body = [heading(title, size="Medium"), FactSet(facts=facts)]
    if more:
        body.append(para(t("Export everything with **styra decisions export**."), is_subtle=True))
    actions = [execute(t("Show more"), more)] if more else None
    return card(body, actions, fallback_text=title)
