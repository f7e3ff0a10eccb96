"""The commission guided form as cards (Action.Submit): 1 need and purpose, 2 organisation with the
recommendation and its reasons, 3 the commission document; and the final-report form. Pure.

Every form is shown again with what was typed and its errors marked on the fields. People are
picked, never typed: a ChoiceSet filled from Microsoft Graph (`Data.Query`) in Teams, with the
people Styra knows as static choices for clients without Graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from microsoft_teams.cards import Choice as CardChoice
from microsoft_teams.cards import (
    ChoiceSetInput,
    Container,
    DateInput,
    QueryData,
    TextBlock,
    TextInput,
)

from bot.i18n import Translator
from bot.rules.commission_document import CADENCES, TEXT_MAX
from bot.rules.commissions import ALLOWED, Form, Kind
from cards.commissions import (
    button_rows,
    cadence_label,
    field_labels,
    form_label,
    kind_label,
    length_label,
    report_labels,
)
from cards.common import CardTooLarge, card, escape, heading, para, submit
from cards.verbs import Verb

GRAPH_USERS = "graph.microsoft.com/users"
FALLBACK_PEOPLE = 15  # static choices per picker, for clients without Graph; each picker repeats them


@dataclass(frozen=True)
class Person:
    aad_id: str
    name: str


@dataclass
class FormView:
    form_id: str  # unique per form shown: the create key of step 1
    commission_id: int | None = None
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # field -> msgid
    limits: dict[str, int] = field(default_factory=dict)  # field -> limit named in a "too long" error
    people: tuple[Person, ...] = ()  # fallback choices for the people pickers
    kind: str = ""
    length: str = ""
    form: str = ""
    required: tuple[str, ...] = ()
    recommended: str = ""
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    origin: str = ""  # "B-2026-0007": the need it comes from
    version: int = 1
    changing: bool = False  # a change of a decided commission
    notice: str = ""  # already translated: e.g. "Draft saved."


def _err(t: Translator, view: FormView, name: str) -> str | None:
    if name not in view.errors:
        return None
    return t(view.errors[name], limit=view.limits.get(name, 0)) if name in view.limits else t(view.errors[name])


def _marked(t: Translator, view: FormView, items: list) -> list:
    """A red line under each bad field: Teams shows errorMessage only for its own checks."""
    out: list = []
    for element in items:
        out.append(element)
        if getattr(element, "id", None) in view.errors:
            out.append(TextBlock(text=escape(_err(t, view, element.id) or ""), wrap=True, color="Attention",
                                 size="Small", spacing="None"))
    return out


def _summary(t: Translator, view: FormView) -> list:
    if not view.errors:
        return [Container(style="good", items=[para(view.notice)])] if view.notice else []
    labels = field_labels(t)
    # One block per error rather than a markdown list: lists overflow narrow (mobile) cards.
    lines = [para(f"• {labels.get(n, n)}: {escape(_err(t, view, n) or '')}", color="Attention", spacing="Small")
             for n in view.errors]
    return [Container(style="attention", items=[
        para(t("Please check the marked fields. Everything you wrote is still here."), weight="Bolder", color="Attention"),
        *lines])]


def _steps(t: Translator, current: int) -> TextBlock:
    names = [t("1 Purpose"), t("2 Organisation"), t("3 Document")]
    return para(" › ".join(f"**{n}**" if i + 1 == current else n for i, n in enumerate(names)),
                size="Small", is_subtle=True, spacing="None")


def _text(t: Translator, view: FormView, name: str, *, multiline: bool = False, required: bool = False,
          placeholder: str | None = None) -> TextInput:
    return TextInput(id=name, label=field_labels(t)[name] + (" *" if required else ""),
                     value=view.values.get(name) or None, is_multiline=multiline or None,
                     max_length=TEXT_MAX.get(name), placeholder=placeholder, error_message=_err(t, view, name))


def _choice(t: Translator, view: FormView, name: str, options: list[tuple[str, str]], *, expanded: bool = True,
            required: bool = True, label: str | None = None) -> ChoiceSetInput:
    return ChoiceSetInput(id=name, label=(label or field_labels(t)[name]) + (" *" if required else ""),
                          value=view.values.get(name) or None, style="expanded" if expanded else "compact",
                          choices=[CardChoice(title=title, value=value) for value, title in options],
                          error_message=_err(t, view, name), wrap=True)


def people_picker(t: Translator, view: FormView, name: str, *, multi: bool, required: bool = False,
                  label: str | None = None) -> ChoiceSetInput:
    return ChoiceSetInput(
        id=name, label=(label or field_labels(t)[name]) + (" *" if required else ""), value=view.values.get(name) or None,
        style="filtered", is_multi_select=multi or None, placeholder=t("Type a name"),
        choices=[CardChoice(title=p.name, value=p.aad_id) for p in view.people[:FALLBACK_PEOPLE]],
        choices_data=QueryData(dataset=GRAPH_USERS), error_message=_err(t, view, name))


def _data(view: FormView, verb: Verb, **extra) -> dict:
    data = {"verb": verb, "form_id": view.form_id, **extra}
    if view.commission_id is not None:
        data["commission_id"] = view.commission_id
    return data


def purpose_card(t: Translator, view: FormView) -> dict:
    title = t("New commission")
    body: list = [heading(title), _steps(t, 1)]
    if view.origin:
        body.append(para(t("It starts from {origin}; the fields are filled in from it.", origin=escape(view.origin)),
                         is_subtle=True))
    body += _summary(t, view) or [para(t("What needs to be done across units, and why? Styra then helps you choose how to organise it and write the commission document."))]
    kinds = [(k.value, f"{kind_label(t, k.value)}: {_kind_hint(t, k.value)}") for k in Kind]
    body += _marked(t, view, [
        _text(t, view, "title", required=True, placeholder=t("For example: Shared routine for loan laptops")),
        _text(t, view, "need", multiline=True, placeholder=t("What needs coordinating, and for whom?")),
        _choice(t, view, "kind", kinds),
        _choice(t, view, "length", [("short", t("Short: purpose, expected result and timeline are enough")),
                                    ("long", t("Long, about a year or more: a full document"))]),
        _text(t, view, "unit", placeholder=t("For example: IT department")),
    ])
    actions = [submit(t("Next"), _data(view, Verb.COMMISSION_PURPOSE))]
    return card(body, actions, fallback_text=title)


def _kind_hint(t: Translator, kind: str) -> str:
    return {"network": t("share knowledge, develop skills and ideas"),
            "coordination": t("do or improve something together"),
            "investigation": t("investigate, map or examine a question")}[kind]


def organisation_card(t: Translator, view: FormView) -> dict:
    title = t("How should it be organised?")
    body: list = [heading(title), _steps(t, 2), para(f"{escape(view.values.get('title', ''))} · {kind_label(t, view.kind)} · {length_label(t, view.length)}",
                                                     is_subtle=True, spacing="None")]
    body += _summary(t, view)
    body += _marked(t, view, [
        _choice(t, view, "stakeholders", [("few", t("Few, and well known")), ("several_units", t("Several units")),
                                          ("many", t("Many, also outside the organisation (suppliers, consultants)"))]),
        _choice(t, view, "predictability", [("predictable", t("Fairly predictable")),
                                            ("uncertain", t("Not fully predictable"))],
                label=t("How will the result be used?")),
        _choice(t, view, "investment", [("small", t("Small")), ("medium", t("Medium")), ("large", t("Large"))]),
    ])
    allowed = ALLOWED.get(Kind(view.kind), ()) if view.kind in Kind.__members__ else ()
    if view.recommended:
        body.append(Container(style="good", items=[
            para(t("Recommended: {form}", form=form_label(t, view.recommended)), weight="Bolder"),
            *[para(f"• {escape(t(r))}", size="Small", spacing="Small") for r in view.reasons]]))
        body += _marked(t, view, [_choice(t, view, "form", [(f.value, form_label(t, f.value)) for f in allowed],
                                          label=t("Organisation (you may choose another allowed form)"))])
        actions = [submit(t("Next"), _data(view, Verb.COMMISSION_ORGANISATION, confirm=True)),
                   submit(t("Recommend again"), _data(view, Verb.COMMISSION_ORGANISATION))]
    else:
        actions = [submit(t("Recommend a form"), _data(view, Verb.COMMISSION_ORGANISATION))]
    actions.append(submit(t("Back"), _data(view, Verb.COMMISSION_STEP, step=1)))
    return card(body, actions, fallback_text=title)


def document_card(t: Translator, view: FormView) -> dict:
    try:
        return _document_card(t, view)
    except CardTooLarge:  # every field at its longest: keep the texts, let Graph alone offer people
        return _document_card(t, replace(view, people=()))


def _document_card(t: Translator, view: FormView) -> dict:
    title = t("Commission document") if not view.changing else t("Change: version {version}", version=view.version)
    req = set(view.required)
    body: list = [heading(title), _steps(t, 3),
                  para(f"{kind_label(t, view.kind)} · {form_label(t, view.form)} · {length_label(t, view.length)}",
                       is_subtle=True, spacing="None")]
    body += _summary(t, view)
    for warning in view.warnings:
        body.append(Container(style="warning", items=[para(escape(t(warning)))]))
    if not view.errors:
        body.append(para(t("Fields marked with * are needed for this commission. Save the draft at any time; send it when it is ready."),
                         is_subtle=True, size="Small"))
    long = view.length == "long"
    project = view.form == Form.project.value
    items: list = [_text(t, view, "title", required=True)]
    if long:
        items.append(_text(t, view, "background", multiline=True, required="background" in req))
    items.append(_text(t, view, "purpose", multiline=True, required=True))
    if long:
        items.append(_text(t, view, "goals", multiline=True, required="goals" in req))
    items.append(_text(t, view, "expected_result", multiline=True, required=True))
    items += [DateInput(id="start", label=field_labels(t)["start"] + " *", value=view.values.get("start") or None,
                        error_message=_err(t, view, "start")),
              DateInput(id="end", label=field_labels(t)["end"] + " *", value=view.values.get("end") or None,
                        error_message=_err(t, view, "end"))]
    items.append(people_picker(t, view, "lead", multi=False, required=True,
                               label=t("Project manager") if project else None))
    items.append(people_picker(t, view, "responsible_manager", multi=False, required=True))
    if view.form != Form.single_employee.value:
        items.append(people_picker(t, view, "participants", multi=True, required="participants" in req))
    items.append(people_picker(t, view, "managers", multi=True))
    if project:
        items += [people_picker(t, view, "project_group", multi=True, required=True),
                  people_picker(t, view, "steering_group", multi=True, required=True),
                  _text(t, view, "reference_groups", multiline=True)]
    items += [_text(t, view, "budget_sek", required="budget_sek" in req, placeholder=t("For example 150 000")),
              _text(t, view, "budget_hours", required="budget_hours" in req, placeholder=t("For example 400")),
              _choice(t, view, "cadence", [(c, cadence_label(t, c)) for c in CADENCES], expanded=False)]
    if long:
        items.append(_text(t, view, "reporting", multiline=True, required=True,
                           placeholder=t("To whom, in which forum, and before the interim and annual reports")))
    body += _marked(t, view, items)
    # The main button on a row of its own, so none is cut short on a phone.
    body += button_rows([submit(t("Send for approval"), _data(view, Verb.COMMISSION_SUBMIT), style="positive")], 1)
    body += button_rows([submit(t("Save draft"), _data(view, Verb.COMMISSION_DOCUMENT)),
                         submit(t("Back"), _data(view, Verb.COMMISSION_STEP, step=2))])
    return card(body, fallback_text=title)


REPORT_SECTIONS_PROJECT = ("background", "result_goal", "result_business", "actual_start", "actual_end",
                           "budget_outcome", "future_internal", "future_external", "handover", "evaluation",
                           "experiences", "attachments")
REPORT_SECTIONS_SHORT = ("result_goal", "actual_start", "actual_end", "budget_outcome", "experiences")


def report_form_card(t: Translator, view: FormView) -> dict:
    """The final report: seed 003's sections for a project, fewer for the other forms."""
    title = t("Final report")
    labels = report_labels(t)
    body: list = [heading(title), para(escape(view.values.get("title", "")), is_subtle=True, spacing="None")]
    body += _summary(t, view)
    sections = REPORT_SECTIONS_PROJECT if view.form == Form.project.value else REPORT_SECTIONS_SHORT
    items: list = [ChoiceSetInput(id="closure", label=labels["closure"] + " *", style="expanded",
                                  value=view.values.get("closure") or None, error_message=_err(t, view, "closure"),
                                  choices=[CardChoice(title=t("Completed"), value="completed"),
                                           CardChoice(title=t("Partly completed"), value="partly"),
                                           CardChoice(title=t("Cancelled"), value="cancelled")])]
    for name in sections:
        if name in ("actual_start", "actual_end"):
            items.append(DateInput(id=name, label=labels[name], value=view.values.get(name) or None,
                                   error_message=_err(t, view, name)))
        else:
            items.append(TextInput(id=name, label=labels[name] + (" *" if name == "result_goal" else ""),
                                   value=view.values.get(name) or None, is_multiline=True, max_length=1500,
                                   error_message=_err(t, view, name)))
    body += _marked(t, view, items)
    return card(body, [submit(t("Close the commission"), _data(view, Verb.COMMISSION_REPORT))], fallback_text=title)
