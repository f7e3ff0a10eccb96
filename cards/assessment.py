"""Assessment cards: the form, the check before saving, the saved result and the raiser's notice."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    ToggleInput,
)

from bot.i18n import Translator
from bot.rules.routing import Frame
from cards.common import card, effort, escape, execute, frame_left, heading, para, submit, user_text
from cards.verbs import Verb


def amount(value: int) -> str:
    """Swedish grouping: 1 200 000 (non-breaking spaces)."""
    return f"{value:,}".replace(",", "\u00a0")


def outcome_label(t: Translator, outcome: str) -> str:
    return {
        "within_plan": t("Handled within the plan"),
        "decision_basis": t("Decision basis for the steering group"),
        "inventory": t("Needs inventory for next period"),
        "declined": t("Declined"),
    }[outcome]


def button(title: str, data: dict[str, Any], use_execute: bool, **kw: Any):
    return execute(title, data, **kw) if use_execute else submit(title, data, **kw)


def frame_facts(t: Translator, before: Frame, after: Frame | None = None) -> FactSet:
    facts = [
        Fact(title=t("Frame"), value=effort(t, before.frame_hours, before.frame_sek)),
        Fact(title=t("Left now"), value=frame_left(t, before.left_hours, before.left_sek)),
    ]
    if after is not None:
        facts.append(Fact(title=t("Left after"), value=frame_left(t, after.left_hours, after.left_sek)))
    return FactSet(facts=facts)


def over_frame_warning(t: Translator, frame: Frame) -> list:
    """A plan already over its frame says so before anything else is weighed against it."""
    if frame.left_hours >= 0 and frame.left_sek >= 0:
        return []
    return [Container(style="attention", items=[para(t(
        "The plan is over its frame: more is committed than the frame allows. Anything more needs a steering-group decision."))])]


@dataclass(frozen=True)
class NeedInfo:
    id: int
    number: str
    title: str
    description: str
    area_name: str
    raised_by_name: str
    benefit: str = ""
    effort_hours: int | None = None
    cost_sek: int | None = None


@dataclass(frozen=True)
class GoalChoice:
    id: int
    title: str
    score: float = 0.0


@dataclass(frozen=True)
class Review:
    outcome: str
    reasons: tuple[str, ...]  # msgids
    escalate: bool
    after: Frame
    other_areas: tuple[str, ...] = ()


@dataclass(frozen=True)
class AssessView:
    need: NeedInfo
    goals: tuple[GoalChoice, ...]
    similar: tuple[GoalChoice, ...]
    areas: tuple[tuple[str, str], ...]  # (slug, name) of the other e-areas
    frame: Frame
    plan_title: str
    form: str
    after: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # input id -> translated message
    review: Review | None = None
    check: str = ""
    notice: str = ""
    use_execute: bool = False
    history: tuple[str, ...] = ()  # earlier assessments, one line each (already translated)


def need_block(t: Translator, need: NeedInfo) -> list:
    facts = [Fact(title=t("E-area"), value=escape(need.area_name)),
             Fact(title=t("Raised by"), value=escape(need.raised_by_name or "–"))]
    if need.effort_hours is not None or need.cost_sek is not None:
        facts.append(Fact(title=t("Raiser's estimate"),
                          value=effort(t, need.effort_hours or 0, need.cost_sek or 0)))
    body = [heading(f"{need.number} · {escape(need.title)}", size="Medium"), user_text(need.description)]
    if need.benefit:
        body += [para(t("Expected benefit"), weight="Bolder", size="Small"), user_text(need.benefit)]
    body.append(FactSet(facts=facts))
    return body


def _error(errors: dict[str, str], key: str) -> list:
    return [TextBlock(text=errors[key], color="Attention", wrap=True, size="Small")] if key in errors else []


def _num(value: Any) -> float | None:
    try:
        return float(str(value).replace(" ", "").replace("\u00a0", "")) if value not in (None, "") else None
    except ValueError:
        return None


def assessment_form(t: Translator, view: AssessView) -> dict:
    """The questions; with `review` set it also shows the outcome and a confirm button."""
    v, errors = view.values, view.errors
    body: list = [heading(t("Assess need")), *need_block(t, view.need)]
    if view.notice:
        body.append(para(view.notice, color="Attention"))
    if view.history:
        body.append(para(t("Earlier assessments"), weight="Bolder", size="Small"))
        body.append(para("\n".join(f"- {line}" for line in view.history), size="Small", is_subtle=True))
    if view.similar:
        body.append(para(t("Plan goals most like this need"), weight="Bolder"))
        body.append(para("\n".join(f"- {escape(g.title)}" for g in view.similar)))
    body.append(para(t("Frame of {plan}", plan=escape(view.plan_title)), weight="Bolder"))
    body.append(frame_facts(t, view.frame))
    body += over_frame_warning(t, view.frame)
    body += [
        ChoiceSetInput(id="serves", label=t("Does it contribute to the plan's goals?"), style="expanded",
                       value=v.get("serves") or None,
                       choices=[Choice(title=t("Yes"), value="yes"), Choice(title=t("No"), value="no")]),
        *_error(errors, "serves"),
        ChoiceSetInput(id="goals", label=t("Which plan goals does it serve?"), is_multi_select=True,
                       value=v.get("goals") or None,
                       choices=[Choice(title=g.title, value=str(g.id)) for g in view.goals] or
                       [Choice(title=t("The plan has no goals yet"), value="")]),
        TextInput(id="business_goals", label=t("Which of the organisation's business goals does it serve?"),
                  is_multiline=True, max_length=2000, value=v.get("business_goals") or None),
        NumberInput(id="hours", label=t("Estimated hours"), min=0, value=_num(v.get("hours"))),
        *_error(errors, "hours"),
        NumberInput(id="cost", label=t("Estimated cost (SEK)"), min=0, value=_num(v.get("cost"))),
        *_error(errors, "cost"),
        ToggleInput(id="urgent", title=t("It must be handled now (cannot wait for next period)"),
                    value=v.get("urgent") or "false", value_on="true", value_off="false"),
        ChoiceSetInput(id="areas", label=t("Other e-areas it depends on or affects"), is_multi_select=True,
                       value=v.get("areas") or None,
                       choices=[Choice(title=name, value=slug) for slug, name in view.areas] or
                       [Choice(title="–", value="")]),
        ToggleInput(id="portfolio", title=t("It affects the whole portfolio"),
                    value=v.get("portfolio") or "false", value_on="true", value_off="false"),
        ChoiceSetInput(id="if_not", label=t("If it does not contribute to the goals"), style="expanded",
                       value=v.get("if_not") or "inventory",
                       choices=[Choice(title=t("Record it in the needs inventory"), value="inventory"),
                                Choice(title=t("Decline it"), value="declined")]),
        TextInput(id="reason", label=t("Reason (the person who raised the need will read it)"),
                  is_multiline=True, max_length=2000, value=v.get("reason") or None),
        *_error(errors, "reason"),
    ]
    ids = {"need_id": view.need.id, "form": view.form, "after": view.after}
    actions = [button(t("Check the outcome"), {"verb": Verb.ASSESS_REVIEW, **ids}, view.use_execute)]
    if view.review is not None:
        body.append(review_block(t, view.review, view.frame))
        actions.insert(0, button(t("Confirm and save"), {"verb": Verb.ASSESS_CONFIRM, **ids, "check": view.check},
                                 view.use_execute, style="positive"))
    return card(body, actions, fallback_text=t("Assess need {number}", number=view.need.number))


def review_block(t: Translator, review: Review, before: Frame) -> Container:
    items = [
        para(t("Outcome: {outcome}", outcome=outcome_label(t, review.outcome)), weight="Bolder", size="Medium"),
        para("\n".join(f"- {t.gettext(r)}" for r in review.reasons)),
    ]
    if review.other_areas:
        items.append(para(t("Other e-areas: {areas}", areas=escape(", ".join(review.other_areas)))))
    if review.escalate:
        items.append(para(t("This will be escalated to portfolio management."), color="Warning"))
    items.append(frame_facts(t, before, review.after))
    items.append(para(t("Nothing is saved until you confirm."), is_subtle=True, size="Small"))
    return Container(items=items, style="emphasis", separator=True)


@dataclass(frozen=True)
class ResultView:
    need: NeedInfo
    outcome: str
    reasons: tuple[str, ...]
    reason: str
    escalate: bool
    frame: Frame
    assessor_name: str
    duplicate: bool = False


def assessment_result(t: Translator, view: ResultView) -> dict:
    body = [heading(t("Assessment saved")) if not view.duplicate else heading(t("Already saved")),
            para(f"{view.need.number} · {escape(view.need.title)}", weight="Bolder")]
    if view.duplicate:
        body.append(para(t("This assessment was already saved; nothing was stored twice.")))
    body += [
        para(t("Outcome: {outcome}", outcome=outcome_label(t, view.outcome)), weight="Bolder"),
        para("\n".join(f"- {t.gettext(r)}" for r in view.reasons)),
    ]
    if view.reason:
        body += [para(t("Reason"), weight="Bolder", size="Small"), user_text(view.reason)]
    if view.escalate:
        body.append(para(t("This will be escalated to portfolio management."), color="Warning"))
    body.append(frame_facts(t, view.frame))
    body += over_frame_warning(t, view.frame)
    body.append(para(t("Assessed by {name}", name=escape(view.assessor_name)), is_subtle=True, size="Small"))
    return card(body, fallback_text=t("Assessment saved"))


@dataclass(frozen=True)
class NoticeView:
    number: str
    title: str
    outcome: str
    reasons: tuple[str, ...]
    reason: str
    area_name: str


def outcome_notice(t: Translator, view: NoticeView) -> dict:
    """For the person who raised the need, in their own language."""
    lead = {
        "within_plan": t("Your need will be handled within the e-area's plan."),
        "decision_basis": t("Your need goes to the steering group: the coordinators are preparing a decision basis."),
        "inventory": t("Your need is recorded in the needs inventory and will be considered when next period is planned."),
        "declined": t("Your need has been declined."),
    }[view.outcome]
    body = [heading(t("Your need has been assessed")),
            para(f"{view.number} · {escape(view.title)}", weight="Bolder"),
            para(lead),
            FactSet(facts=[Fact(title=t("E-area"), value=escape(view.area_name)),
                           Fact(title=t("Outcome"), value=outcome_label(t, view.outcome))])]
    if view.reasons:
        body.append(para("\n".join(f"- {t.gettext(r)}" for r in view.reasons)))
    if view.reason:
        body += [para(t("The coordinators' reason"), weight="Bolder", size="Small"), user_text(view.reason)]
    if view.outcome == "declined":
        body.append(para(t("If you have questions about the assessment, contact the coordinators of {area}.",
                           area=escape(view.area_name)), is_subtle=True, size="Small"))
    return card(body, fallback_text=t("Your need has been assessed"))
