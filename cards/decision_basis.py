"""Decision-basis cards: the form, the read-only basis, the area owners' anchoring card."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from microsoft_teams.cards import (
    Choice,
    ChoiceSetInput,
    Container,
    Fact,
    FactSet,
    NumberInput,
    TextBlock,
    TextInput,
)

from bot.i18n import Translator
from bot.rules.frames import Outlook
from cards.assessment import button
from cards.common import card, effort, escape, frame_left, heading, nonzero, para, user_text
from cards.verbs import Verb

SCALE = ("1", "2", "3", "4", "5")


def status_label(t: Translator, status: str) -> str:
    return {
        "anchoring": t("Waiting for the area owners"),
        "ready": t("Anchored, ready for the steering group"),
        "decided": t("Decided"),
        "sent_back": t("Sent back to the coordinators"),
        "superseded": t("Replaced by a newer version"),
    }.get(status, status)


@dataclass(frozen=True)
class BasisView:
    basis_id: int
    need_number: str
    need_title: str
    area_name: str
    version: int
    status: str
    business_goals: str
    risk: str
    risk_likelihood: int
    risk_impact: int
    resources: str
    hours: int
    cost_sek: int
    dependencies: str
    proposal: str
    frame_change_hours: int
    frame_change_sek: int
    escalate: bool
    created_by_name: str
    anchoring: tuple[tuple[str, bool, str], ...] = ()  # (name, agreed, comment)
    waiting_for: tuple[str, ...] = ()


def view_of(record: Any) -> BasisView:
    """The view of a stored basis (storage.bases.BasisRecord names its fields the same way)."""
    return BasisView(**{f.name: getattr(record, f.name) for f in fields(BasisView)})


def sections(t: Translator, view: BasisView) -> list[tuple[str, str]]:
    """(title, user text) for every section, shared by the card and the document export."""
    return [
        (t("Business goals"), view.business_goals),
        (t("Risk"), view.risk),
        (t("Resources"), view.resources),
        (t("Dependencies on other e-areas"), view.dependencies),
        (t("Proposal"), view.proposal),
    ]


def _facts(t: Translator, view: BasisView) -> FactSet:
    return FactSet(facts=[
        Fact(title=t("E-area"), value=escape(view.area_name)),
        Fact(title=t("Version"), value=str(view.version)),
        Fact(title=t("Status"), value=status_label(t, view.status)),
        Fact(title=t("Risk (likelihood × impact)"), value=f"{view.risk_likelihood} × {view.risk_impact} = {view.risk_likelihood * view.risk_impact}"),
        Fact(title=t("Estimate"), value=effort(t, view.hours, view.cost_sek)),
        Fact(title=t("Proposed change to the frame"), value=effort(t, view.frame_change_hours, view.frame_change_sek, signed=True)),
        Fact(title=t("Prepared by"), value=escape(view.created_by_name)),
    ])


def basis_body(t: Translator, view: BasisView) -> list:
    body: list = [heading(t("Decision basis")),
                  para(f"{view.need_number} · {escape(view.need_title)}", weight="Bolder"),
                  _facts(t, view)]
    if view.escalate:
        body.append(para(t("Affects other e-areas or the whole portfolio: to be escalated to portfolio management."), color="Warning"))
    for title, text in sections(t, view):
        body += [para(title, weight="Bolder", size="Small", separator=True), user_text(text)]
    if view.anchoring:
        lines = []
        for name, agreed, comment in view.anchoring:
            mark = t("agrees") if agreed else t("commented")
            lines.append(f"- {escape(name)}: {mark}" + (f" – {escape(comment)}" if comment else ""))
        body += [para(t("Area owners"), weight="Bolder", size="Small"), para("\n".join(lines))]
    if view.waiting_for:
        body.append(para(t("Waiting for: {names}", names=escape(", ".join(view.waiting_for))), is_subtle=True))
    return body


def basis_card(t: Translator, view: BasisView) -> dict:
    return card(basis_body(t, view), fallback_text=t("Decision basis {number}", number=view.need_number))


def anchoring_request(t: Translator, view: BasisView, *, use_execute: bool = False) -> dict:
    """For an area owner: agree, or comment and send it back to the coordinators."""
    body = basis_body(t, view)
    body += [
        para(t("Do you agree that this goes to the steering group? If not, write a comment: it goes back to the coordinators."), separator=True),
        TextInput(id="comment", label=t("Comment"), is_multiline=True, max_length=2000),
    ]
    actions = [
        button(t("I agree"), {"verb": Verb.ANCHOR_AGREE, "basis_id": view.basis_id}, use_execute, style="positive"),
        button(t("Send back with comment"), {"verb": Verb.ANCHOR_COMMENT, "basis_id": view.basis_id}, use_execute),
    ]
    return card(body, actions, fallback_text=t("Anchor decision basis {number}", number=view.need_number))


def sent_back_card(t: Translator, view: BasisView, who: str, comment: str) -> dict:
    body = [heading(t("Decision basis sent back")),
            para(f"{view.need_number} · {escape(view.need_title)}", weight="Bolder"),
            para(t("{name} did not agree and commented:", name=escape(who))), user_text(comment)]
    actions = [button(t("Revise the decision basis"), {"verb": Verb.BASIS_REVISE, "basis_id": view.basis_id}, False)]
    return card(body, actions, fallback_text=t("Decision basis sent back"))


@dataclass(frozen=True)
class BasisFormView:
    need_id: int
    need_number: str
    need_title: str
    assessment_id: int
    after_version: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    notice: str = ""
    use_execute: bool = False
    outlook: Outlook | None = None  # the plan's frame with the form's figures
    accept_short: str = ""  # set when the proposal falls short: the button sends it anyway


def _frame_facts(t: Translator, outlook: Outlook | None) -> list:
    """What is left now and the frame change the estimate requires; a warning when the proposed
    change does not cover it."""
    if outlook is None:
        return []
    now = outlook.now
    items: list = [FactSet(facts=[
        Fact(title=t("Left now"), value=frame_left(t, now.left_hours, now.left_sek)),
        Fact(title=t("Frame change needed"), value=effort(t, outlook.needed_hours, outlook.needed_sek, signed=True)),
    ])]
    if not outlook.covered:
        items.append(Container(style="attention", items=[para(t(
            "The proposed change does not cover it: approved as it is, the plan would be {amount} over its frame.",
            amount=nonzero(t, outlook.short_hours, outlook.short_sek)))]))
    return items


def _err(errors: dict[str, str], key: str) -> list:
    return [TextBlock(text=errors[key], color="Attention", wrap=True, size="Small")] if key in errors else []


def _n(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def basis_form(t: Translator, view: BasisFormView) -> dict:
    v, e = view.values, view.errors
    scale = [Choice(title=s, value=s) for s in SCALE]
    body: list = [
        heading(t("Decision basis for the steering group")),
        para(f"{view.need_number} · {escape(view.need_title)}", weight="Bolder"),
        para(t("Describe the consequences. The e-area's area owners will be asked to agree before it goes to the steering group.")),
    ]
    if view.notice:
        body.append(para(view.notice, color="Attention"))
    body += [
        TextInput(id="business_goals", label=t("Consequences for business goals"), is_multiline=True, max_length=3000,
                  value=v.get("business_goals") or None),
        *_err(e, "business_goals"),
        TextInput(id="risk", label=t("Risk"), is_multiline=True, max_length=3000, value=v.get("risk") or None),
        *_err(e, "risk"),
        ChoiceSetInput(id="likelihood", label=t("Likelihood (1 = unlikely, 5 = almost certain)"), style="compact",
                       value=str(v.get("likelihood") or "") or None, choices=scale),
        *_err(e, "likelihood"),
        ChoiceSetInput(id="impact", label=t("Impact (1 = small, 5 = severe)"), style="compact",
                       value=str(v.get("impact") or "") or None, choices=scale),
        *_err(e, "impact"),
        TextInput(id="resources", label=t("Resources"), is_multiline=True, max_length=3000,
                  value=v.get("resources") or None),
        NumberInput(id="hours", label=t("Estimated hours"), min=0, value=_n(v.get("hours"))),
        *_err(e, "hours"),
        NumberInput(id="cost", label=t("Estimated cost (SEK)"), min=0, value=_n(v.get("cost"))),
        *_err(e, "cost"),
        TextInput(id="dependencies", label=t("Dependencies on other e-areas"), is_multiline=True, max_length=3000,
                  value=v.get("dependencies") or None),
        TextInput(id="proposal", label=t("Proposal (incl. changed priorities)"), is_multiline=True, max_length=3000,
                  value=v.get("proposal") or None),
        *_err(e, "proposal"),
        *_frame_facts(t, view.outlook),
        NumberInput(id="frame_hours", label=t("Proposed change to the frame (hours)"), value=_n(v.get("frame_hours"))),
        *_err(e, "frame_hours"),
        NumberInput(id="frame_sek", label=t("Proposed change to the frame (SEK)"), value=_n(v.get("frame_sek"))),
        *_err(e, "frame_sek"),
    ]
    data = {"verb": Verb.BASIS_SUBMIT, "need_id": view.need_id, "assessment_id": view.assessment_id,
            "after_version": view.after_version}
    label = t("Send to the area owners")
    if view.accept_short:
        data["accept_short"], label = view.accept_short, t("Send anyway to the area owners")
    return card(body, [button(label, data, view.use_execute, style="positive")],
                fallback_text=t("Decision basis for the steering group"))
