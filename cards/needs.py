"""Cards for needs: the registration form, similar needs, confirmation, detail, notices (lists
and search results: cards/need_lists.py).

Pure: view data + translator in, card dict out. Everything a user typed goes through
user_text() (a TextRun, never markdown) or escape() (inside Styra's own markdown).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from microsoft_teams.cards import (
    ActionSet,
    ChoiceSetInput,
    Container,
    DateInput,
    Fact,
    FactSet,
    TextBlock,
    TextInput,
)
from microsoft_teams.cards import (
    Choice as CardChoice,
)

from bot.i18n import Translator
from bot.rules import needs as rules
from cards.common import (
    card,
    escape,
    heading,
    hours,
    number,
    para,
    status_label,
    submit,
    user_text,
)
from cards.need_history import event_text, last_change_text, source_label
from cards.verbs import Verb

__all__ = ["source_label"]  # kept here too: callers read a source's label from the need cards


@dataclass(frozen=True)
class Option:
    value: str
    title: str


@dataclass
class FormView:
    form_id: str
    areas: list[Option]
    goals: list[Option]  # value = goal id, title = "E-area – goal"
    today: str  # YYYY-MM-DD, the earliest wished-for date
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # field -> msgid


@dataclass(frozen=True)
class NeedRow:
    need_id: int
    number: str
    title: str
    status: str
    area: str
    created: str  # YYYY-MM-DD
    affected: int = 0
    excerpt: str = ""


@dataclass
class NeedDetail:
    row: NeedRow
    description: str
    benefit: str
    source: str
    raised_by: str
    on_behalf_of: str
    hours: int | None
    cost: int | None
    wished_date: str
    goals: list[str]
    affected: list[str]
    history: list[tuple[str, str, str, dict]]  # (when, who, kind, detail)
    can_assess: bool = False
    commissions: tuple[tuple[int, str], ...] = ()  # (id, number or title) made from this need
    can_commission: bool = False  # handled within the plan or approved: it may become a commission
    can_edit: bool = False
    can_withdraw: bool = False
    basis: str = ""  # "write" (a draft: none sent yet) or "revise" (sent back): the basis form's button
    last_change: tuple[date, str, tuple[str, ...]] | None = None  # (day, who, fields) of the latest edit


def field_labels(t: Translator) -> dict[str, str]:
    return {
        "title": t("Title"),
        "description": t("Description"),
        "e_area": t("E-area"),
        "source": t("Where does the need come from?"),
        "on_behalf_of": t("On whose behalf (unit, group or person)"),
        "benefit": t("Expected benefit"),
        "hours": t("Rough effort (hours)"),
        "cost": t("Rough cost (SEK)"),
        "wished_date": t("Wished-for date"),
        "goals": t("Related plan goals"),
    }


def number_text(t: Translator, value: int | None) -> str:
    return "–" if value is None else number(t, value)


def hours_text(t: Translator, value: int | None) -> str:
    return "–" if value is None else hours(t, value)


def _error_line(t: Translator, message: str) -> TextBlock:
    return TextBlock(text=escape(t(message)), wrap=True, color="Attention", size="Small", spacing="None")


def _inputs(t: Translator, view: FormView) -> list:
    labels = field_labels(t)
    values, errors = view.values, view.errors

    def err(name: str) -> str | None:
        return t(errors[name]) if name in errors else None

    items: list = [
        TextInput(id="title", label=labels["title"], value=values.get("title") or None, is_required=True,
                  max_length=rules.TITLE_MAX, placeholder=t("For example: Shared booking of lab rooms"),
                  error_message=err("title") or t("Give the need a short title.")),
        TextInput(id="description", label=labels["description"], value=values.get("description") or None,
                  is_multiline=True, max_length=rules.DESCRIPTION_MAX,
                  placeholder=t("What is the problem today, and what should change?"),
                  error_message=err("description")),
        ChoiceSetInput(id="e_area", label=labels["e_area"], value=values.get("e_area") or None, style="compact",
                       is_required=True, placeholder=t("Choose an e-area"),
                       choices=[CardChoice(title=o.title, value=o.value) for o in view.areas],
                       error_message=err("e_area") or t("Choose the e-area the need belongs to.")),
        ChoiceSetInput(id="source", label=labels["source"], value=values.get("source") or "staff", style="compact",
                       choices=[CardChoice(title=source_label(t, s), value=s) for s in rules.SOURCES],
                       error_message=err("source")),
        TextInput(id="on_behalf_of", label=labels["on_behalf_of"], value=values.get("on_behalf_of") or None,
                  max_length=rules.ON_BEHALF_MAX, placeholder=t("For example: the student office"),
                  error_message=err("on_behalf_of")),
        TextInput(id="benefit", label=labels["benefit"], value=values.get("benefit") or None, is_multiline=True,
                  max_length=rules.BENEFIT_MAX, placeholder=t("Who gains what when this is done?"),
                  error_message=err("benefit")),
        TextInput(id="hours", label=labels["hours"], value=values.get("hours") or None,
                  placeholder=t("If known, for example 40"), error_message=err("hours")),
        TextInput(id="cost", label=labels["cost"], value=values.get("cost") or None,
                  placeholder=t("If known, for example 150 000"), error_message=err("cost")),
        DateInput(id="wished_date", label=labels["wished_date"], value=values.get("wished_date") or None,
                  min=view.today, error_message=err("wished_date")),
    ]
    if view.goals:
        items.append(ChoiceSetInput(
            id="goals", label=labels["goals"], value=values.get("goals") or None, style="compact",
            is_multi_select=True, placeholder=t("Optional"),
            choices=[CardChoice(title=o.title, value=o.value) for o in view.goals],
            error_message=err("goals")))
    # A visible red line under each bad field: Teams shows errorMessage only for its own checks.
    out: list = []
    for element in items:
        out.append(element)
        if element.id in errors:
            out.append(_error_line(t, errors[element.id]))
    return out


def form_inputs(t: Translator, view: FormView) -> list:
    """The registration form's inputs (also the edit form's), with each bad field marked."""
    return _inputs(t, view)


def form_errors(t: Translator, errors: dict[str, str]) -> Container:
    """The marked fields' problems above a need form (registering or changing a need)."""
    labels = field_labels(t)
    lines = [f"- {labels.get(name, name)}: {escape(t(message))}" for name, message in errors.items()]
    return Container(style="attention", items=[
        para(t("Please check the marked fields. Nothing is saved yet, and everything you wrote is still here."),
             weight="Bolder", color="Attention"),
        para("\n".join(lines), color="Attention"),
    ])


def need_form_card(t: Translator, view: FormView) -> dict:
    body: list = [heading(t("Register a need"))]
    if view.errors:
        body.append(form_errors(t, view.errors))
    else:
        body.append(para(t("Describe what you need. The e-area's coordinators assess it against the plan. Fields marked with * are required.")))
    body.extend(_inputs(t, view))
    return card(body, [submit(t("Send"), {"verb": Verb.NEED_SUBMIT, "form_id": view.form_id})],
                fallback_text=t("Register a need"))


def similar_card(t: Translator, view: FormView, similar: list[NeedRow]) -> dict:
    body: list = [
        heading(t("Is it one of these?")),
        para(t("These needs in the same e-area look like yours. If one of them is the same need, add yourself as also affected: that gives it more weight and avoids a duplicate.")),
    ]
    for row in similar:
        body.append(Container(style="emphasis", items=[
            para(f"**{row.number}** · {status_label(t, row.status)} · {escape(row.area)}", size="Small"),
            user_text(row.title, weight="Bolder"),
            *([user_text(row.excerpt, is_subtle=True)] if row.excerpt else []),
            para(t("{count} also affected", count=row.affected), size="Small", is_subtle=True) if row.affected else para(t("Registered {date}", date=row.created), size="Small", is_subtle=True),
            ActionSet(actions=[submit(t("Same need — add me as also affected"),
                                      {"verb": Verb.NEED_JOIN, "need_id": row.need_id, "form_id": view.form_id})]),
        ]))
    body.append(heading(t("Your need"), size="Medium"))
    body.append(para(t("If it is a new need, check what you wrote and save it."), is_subtle=True))
    body.extend(_inputs(t, view))
    return card(body, [submit(t("New need — save it"), {"verb": Verb.NEED_SUBMIT, "form_id": view.form_id, "confirmed": True})],
                fallback_text=t("Is it one of these?"))


def step_text(t: Translator, step: rules.Step, area: str) -> str:
    v = step.values
    texts = {
        "assess": lambda: t("The coordinators of {area} ({names}) assess the need against the plan: does it serve the plan's goals, and does it fit in the resource frame?",
                            area=escape(area), names=", ".join(escape(n) for n in v.get("names", []))),
        "no_coordinator": lambda: t("{area} has no coordinator yet, so the need waits for one to be appointed. Tell an administrator if it is urgent.", area=escape(area)),
        "routes": lambda: t("After the assessment the need is handled within the plan, goes to the steering group with a decision basis, or is put in the needs inventory for next year's plan."),
        "no_plan": lambda: t("{area} has no plan for {year} yet; the need will be considered when the plan is made.", area=escape(area), year=v.get("year")),
        "draft_plan": lambda: t("The plan of {area} for {year} is still a draft; the need can be considered in it.", area=escape(area), year=v.get("year")),
        "soon": lambda: t("You wish for it by {date}, which is soon. If it is urgent, tell the coordinators directly.", date=v.get("date")),
        "steering": lambda: t("A decision basis is with the steering group, which decides at its next meeting."),
        "inventory": lambda: t("The need is in the needs inventory and will be considered for next year's plan."),
        "planned": lambda: t("The need is part of the plan's work."),
        "follow": lambda: t("Follow it with **my needs**, or write **need {number}** to see its history.", number=v.get("number", "")),
    }
    return texts[step.key]() if step.key in texts else step.key


def confirmation_card(t: Translator, row: NeedRow, steps: list[rules.Step], *, repeated: bool = False) -> dict:
    title = t("Need {number} is registered", number=row.number)
    body: list = [heading(title)]
    if repeated:
        body.append(para(t("You already sent this form, so nothing new was registered."), is_subtle=True))
    body.append(user_text(row.title, weight="Bolder"))
    body.append(FactSet(facts=[
        Fact(title=t("Need"), value=row.number),
        Fact(title=t("E-area"), value=escape(row.area)),
        Fact(title=t("Status"), value=status_label(t, row.status)),
    ]))
    body.append(heading(t("What happens next"), size="Medium"))
    lines = []
    for step in steps:
        if step.key == "follow":
            step = rules.Step("follow", {**step.values, "number": row.number})
        lines.append(f"- {step_text(t, step, row.area)}")
    body.append(para("\n".join(lines)))
    return card(body, [submit(t("My needs"), {"verb": Verb.NEED_MINE}),
                       submit(t("Register another need"), {"verb": Verb.NEED_START})], fallback_text=title)


def joined_card(t: Translator, row: NeedRow, *, added: bool, own: bool = False) -> dict:
    if own:
        title = t("You registered {number} yourself", number=row.number)
        text = t("You are already its author, so nothing was changed.")
    elif added:
        title = t("You are now also affected by {number}", number=row.number)
        text = t.n("No duplicate was created. The coordinators see that {n} person is affected besides the one who registered it.",
               "No duplicate was created. The coordinators see that {n} people are affected besides the one who registered it.",
               row.affected)
    else:
        title = t("You are already affected by {number}", number=row.number)
        text = t("You were already listed, so nothing was changed.")
    body = [heading(title), user_text(row.title, weight="Bolder"),
            FactSet(facts=[Fact(title=t("E-area"), value=escape(row.area)),
                           Fact(title=t("Status"), value=status_label(t, row.status))]),
            para(text)]
    return card(body, [submit(t("Show the need"), {"verb": Verb.NEED_SHOW, "need_id": row.need_id}),
                       submit(t("My needs"), {"verb": Verb.NEED_MINE})], fallback_text=title)


def detail_card(t: Translator, view: NeedDetail) -> dict:
    row = view.row
    title = f"{row.number}"
    facts = [
        Fact(title=t("Status"), value=status_label(t, row.status)),
        Fact(title=t("E-area"), value=escape(row.area)),
        Fact(title=t("Registered"), value=f"{row.created} · {escape(view.raised_by)}"),
        Fact(title=t("Source"), value=source_label(t, view.source)),
    ]
    if view.on_behalf_of:
        facts.append(Fact(title=t("On behalf of"), value=escape(view.on_behalf_of)))
    if view.hours is not None:
        facts.append(Fact(title=t("Rough effort"), value=hours_text(t, view.hours)))
    if view.cost is not None:
        facts.append(Fact(title=t("Rough cost"), value=t("{n} SEK", n=number_text(t, view.cost))))
    if view.wished_date:
        facts.append(Fact(title=t("Wished-for date"), value=view.wished_date))
    if view.goals:
        facts.append(Fact(title=t("Plan goals"), value=escape("; ".join(view.goals))))
    if view.affected:
        facts.append(Fact(title=t("Also affected"), value=escape(", ".join(view.affected))))
    if view.commissions:
        facts.append(Fact(title=t("Commissions"), value=escape(", ".join(label for _id, label in view.commissions))))
    body: list = [
        heading(title, size="Medium"),
        user_text(row.title, weight="Bolder", size="Large"),
        FactSet(facts=facts),
    ]
    if view.last_change:
        body.append(para(last_change_text(t, *view.last_change), size="Small", is_subtle=True))
    if view.description:
        body += [para(t("Description"), weight="Bolder"), user_text(view.description)]
    if view.benefit:
        body += [para(t("Expected benefit"), weight="Bolder"), user_text(view.benefit)]
    body.append(para(t("History"), weight="Bolder"))
    # one block per event: a markdown list does not wrap on narrow screens
    body += [para(f"{when}: {event_text(t, kind, who, detail)}", size="Small", spacing="None")
             for when, who, kind, detail in view.history[-15:]] or [para("–", size="Small")]
    # changing the need itself: a row of its own, so the bottom row keeps room for its long labels
    own = [submit(t("Change"), {"verb": Verb.NEED_EDIT, "need_id": row.need_id})] if view.can_edit else []
    if view.can_withdraw:
        own.append(submit(t("Withdraw"), {"verb": Verb.NEED_WITHDRAW, "need_id": row.need_id}))
    if view.basis:
        own.append(submit(t("Write the basis") if view.basis == "write" else t("Revise the basis"),
                          {"verb": Verb.NEED_BASIS, "need_id": row.need_id}))
    for i in range(0, len(own), 2):  # two to a row: the labels stay whole on a phone
        body.append(ActionSet(actions=own[i:i + 2]))
    actions = []
    if view.can_assess:
        actions.append(submit(t("Assess"), {"verb": Verb.ASSESS_OPEN, "need_id": row.need_id}))
    for commission_id, label in view.commissions[:3]:
        actions.append(submit(label[:40], {"verb": Verb.COMMISSION_SHOW, "commission_id": commission_id}))
    if view.can_commission:
        actions.append(submit(t("Make it a commission"), {"verb": Verb.COMMISSION_FROM_NEED, "need_id": row.need_id}))
    return card(body, actions, fallback_text=f"{row.number} {row.title}"[:200])


def coordinator_notice_card(t: Translator, row: NeedRow, *, raised_by: str, on_behalf_of: str,
                            hours: int | None, cost: int | None, wished_date: str) -> dict:
    title = t("New need in {area}: {number}", area=escape(row.area), number=row.number)
    facts = [Fact(title=t("Registered by"), value=escape(raised_by))]
    if on_behalf_of:
        facts.append(Fact(title=t("On behalf of"), value=escape(on_behalf_of)))
    if hours is not None:
        facts.append(Fact(title=t("Rough effort"), value=hours_text(t, hours)))
    if cost is not None:
        facts.append(Fact(title=t("Rough cost"), value=t("{n} SEK", n=number_text(t, cost))))
    if wished_date:
        facts.append(Fact(title=t("Wished-for date"), value=wished_date))
    body: list = [heading(title, size="Medium"), user_text(row.title, weight="Bolder"), FactSet(facts=facts)]
    if row.excerpt:
        body.append(user_text(row.excerpt))
    body.append(para(t("Assess it against the plan when you can."), is_subtle=True, size="Small"))
    return card(body, [submit(t("Assess"), {"verb": Verb.ASSESS_OPEN, "need_id": row.need_id}),
                       submit(t("Show the need"), {"verb": Verb.NEED_SHOW, "need_id": row.need_id})],
                fallback_text=title)
