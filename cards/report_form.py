"""The status report's draft form (Action.Submit in the coordinator's 1:1 chat). Pure.

Laid out for a phone first: one stacked block per goal (title, colour with its word, comment,
forecast), no side-by-side columns; the colour legend once at the top. On a re-show the
user's own input is in every field and each problem sits right under its field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from microsoft_teams.cards import (
    Choice,
    ChoiceSetInput,
    Container,
    Fact,
    FactSet,
    TextBlock,
    TextInput,
    ToggleInput,
)

from bot.i18n import Translator
from bot.rules.report_content import DIMENSIONS, GENERAL, SCALE, ReportContent, page_range
from cards.assessment import button
from cards.common import card, escape, heading, para, sek
from cards.common import hours as hours_text
from cards.report_labels import (
    colour_label,
    dimension_label,
    extra_title,
    kind_label,
    meaning,
)
from cards.verbs import Verb

KINDS = ("resource_conflict", "reprioritisation", "delay", "cost", "other")
MAX_INPUT = 2000


@dataclass(frozen=True)
class FormView:
    report_id: int
    revision: int
    form: str  # the submit key this form will use
    area_name: str
    period: str
    version: int
    template: ReportContent  # goals (with previous colours), deviations and risks as stored
    values: dict[str, str]  # input id -> text (the stored report, or what the user typed)
    extras: tuple[str, ...] = ()
    areas: tuple[tuple[str, str], ...] = ()  # other e-areas (slug, name)
    frame_sek: int = 0
    frame_hours: int = 0
    committed_sek: int = 0
    committed_hours: int = 0
    since: tuple[str, ...] = ()  # lines already worded: what happened since the last report
    errors: dict[str, str] = field(default_factory=dict)  # input id -> translated message
    notice: str = ""
    notice_style: str = "attention"
    use_execute: bool = False
    page: str = GENERAL
    pages: tuple[str, ...] = (GENERAL,)


def _colours(t: Translator, key: str, value: str) -> ChoiceSetInput:
    choices = [Choice(title=colour_label(t, c), value=c) for c in ("green", "yellow", "red")]
    return ChoiceSetInput(id=key, style="compact", value=value or None, choices=choices,
                          placeholder=t("Choose a colour"))


def _text(view: FormView, key: str, label: str, *, multiline: bool = True, placeholder: str = "") -> list:
    out = [TextInput(id=key, label=label, is_multiline=multiline, value=view.values.get(key) or None,
                     placeholder=placeholder or None)]
    return out + _error(view, key)


def _error(view: FormView, key: str) -> list:
    message = view.errors.get(key)
    return [TextBlock(text=message, color="Attention", wrap=True, spacing="None", size="Small")] if message else []


def _legend(t: Translator) -> FactSet:
    return FactSet(facts=[Fact(title=colour_label(t, c), value=meaning(t, c))
                          for c in ("green", "yellow", "red")])


def _goal_block(t: Translator, view: FormView, goal) -> Container:
    key = f"g{goal.goal_id}"
    items: list = [TextBlock(text=escape(goal.title), weight="Bolder", wrap=True)]
    if goal.previous is not None:
        items.append(TextBlock(text=t("Last report: {colour}", colour=colour_label(t, goal.previous.value)),
                               size="Small", is_subtle=True, spacing="None", wrap=True))
    items.append(_colours(t, f"{key}_colour", view.values.get(f"{key}_colour", "")))
    items += _error(view, f"{key}_colour")
    items += _text(view, f"{key}_comment", t("Progress"), placeholder=t("What has been done, what is next"))
    items += _text(view, f"{key}_forecast", t("Forecast"), multiline=False)
    return Container(items=items, separator=True, spacing="Medium")


def _deviation_block(t: Translator, view: FormView, n: int, title: str, link: str = "") -> Container:
    key = f"v{n}"
    v = view.values
    items: list = [TextBlock(text=title, weight="Bolder", wrap=True)]
    if link:
        items.append(TextBlock(text=link, size="Small", is_subtle=True, wrap=True, spacing="None"))
    items.append(ChoiceSetInput(id=f"{key}_kind", label=t("Kind"), style="compact", value=v.get(f"{key}_kind") or None,
                                choices=[Choice(title=kind_label(t, k), value=k) for k in KINDS]))
    items += _error(view, f"{key}_kind")
    items += _text(view, f"{key}_title", t("Short title"), multiline=False)
    for part, label in (("cause", t("Cause")), ("consequences", t("Consequences")),
                        ("options", t("Options")), ("proposal", t("Proposed handling"))):
        items += _text(view, f"{key}_{part}", label)
    items += _text(view, f"{key}_hours", t("Extra hours beyond the plan"), multiline=False, placeholder="0")
    items += _text(view, f"{key}_sek", t("Extra cost beyond the plan (SEK)"), multiline=False, placeholder="0")
    for part, label in (("goals", t("Changes a goal's scope, timing or priority")),
                        ("portfolio", t("Affects the whole portfolio")), ("closed", t("Handled and closed"))):
        items.append(ToggleInput(id=f"{key}_{part}", title=label, value=v.get(f"{key}_{part}") or "false",
                                 value_on="true", value_off="false", wrap=True))
    if view.areas:
        items.append(ChoiceSetInput(id=f"{key}_areas", label=t("Other e-areas affected"), is_multi_select=True,
                                    style="compact", value=v.get(f"{key}_areas") or None,
                                    choices=[Choice(title=escape(name), value=slug) for slug, name in view.areas]))
    if n < len(view.template.deviations) and view.template.deviations[n].ref:
        items.append(TextInput(id=f"{key}_ref", value=view.template.deviations[n].ref, is_visible=False))
    return Container(items=items, separator=True, spacing="Medium")


def _risk_block(t: Translator, view: FormView, n: int, title: str) -> Container:
    key = f"r{n}"
    scale = [Choice(title=s, value=s) for s in SCALE]
    items: list = [TextBlock(text=title, weight="Bolder", wrap=True)]
    items += _text(view, f"{key}_title", t("Risk"), multiline=False)
    for part, label in (("probability", t("Probability (1-5)")), ("consequence", t("Consequence (1-5)"))):
        items.append(ChoiceSetInput(id=f"{key}_{part}", label=label, style="compact",
                                    value=view.values.get(f"{key}_{part}") or None, choices=scale))
        items += _error(view, f"{key}_{part}")
    items += _text(view, f"{key}_mitigation", t("Mitigation"))
    return Container(items=items, separator=True, spacing="Medium")


def page_title(t: Translator, view: FormView, page: str) -> str:
    kind = page.partition("-")[0]
    if kind == "goals":
        shown = page_range(page, len(view.template.goals))
        return t("Goals {first}-{last}", first=shown.start + 1, last=shown.stop)
    if kind == "deviations":
        return t("Deviations")
    if kind == "risks":
        return t("Risks")
    return t("Time, cost, resources and scope")


def _goals_page(t: Translator, view: FormView) -> list:
    body: list = [_legend(t)]
    shown = page_range(view.page, len(view.template.goals))
    return body + [_goal_block(t, view, view.template.goals[i]) for i in shown]


def _general_page(t: Translator, view: FormView) -> list:
    body: list = []
    if not view.template.goals:
        body.append(para(t("The plan for this year has no goals in Styra, so there is nothing to report per goal.")))
    body.append(_legend(t))
    for name in DIMENSIONS:
        key = f"d_{name}"
        block = [TextBlock(text=dimension_label(t, name), weight="Bolder", wrap=True),
                 _colours(t, f"{key}_colour", view.values.get(f"{key}_colour", ""))]
        block += _error(view, f"{key}_colour") + _text(view, f"{key}_comment", t("Comment"))
        body.append(Container(items=block, separator=True))
    body.append(heading(t("Resources and costs"), size="Medium"))
    body.append(FactSet(facts=[
        Fact(title=t("Frame"), value=f"{sek(t, view.frame_sek)}, {hours_text(t, view.frame_hours)}"),
        Fact(title=t("Committed in the plan"), value=f"{sek(t, view.committed_sek)}, {hours_text(t, view.committed_hours)}"),
    ]))
    body += _text(view, "outcome_sek", t("Outcome so far (SEK)"), multiline=False)
    body += _text(view, "outcome_hours", t("Outcome so far (hours)"), multiline=False)
    body += _text(view, "resources_comment", t("Comment on resources and costs"))
    body += _text(view, "new_conditions", t("New conditions"))
    for key in view.extras:
        body.append(heading(extra_title(t, key), size="Medium"))
        body += _text(view, f"x_{key}", t("Text for the steering group"))
    if view.since:
        body.append(heading(t("Since the last report"), size="Medium"))
        body.append(para("\n".join(f"- {line}" for line in view.since), size="Small"))
    return body


def _deviations_page(t: Translator, view: FormView) -> list:
    body: list = [para(t("Within the plan the coordinators handle a deviation; outside it the steering group decides, and a decision basis is made from it."),
                       size="Small", is_subtle=True)]
    count = len(view.template.deviations)
    for n in page_range(view.page, count):
        if n == count:
            body.append(_deviation_block(t, view, n, t("New deviation (leave empty if none)")))
        else:
            link = t("Decision basis under way") if view.template.deviations[n].need_id else ""
            body.append(_deviation_block(t, view, n, t("Deviation {n}", n=n + 1), link))
    return body


def _risks_page(t: Translator, view: FormView) -> list:
    count = len(view.template.risks)
    return [_risk_block(t, view, n, t("New risk (leave empty if none)") if n == count else t("Risk {n}", n=n + 1))
            for n in page_range(view.page, count)]


def report_form(t: Translator, view: FormView) -> dict:
    """One page of the draft; its buttons save this page (and go to another, or submit)."""
    body: list = [heading(t("Status report {area} {period}", area=escape(view.area_name), period=view.period))]
    index = view.pages.index(view.page) if view.page in view.pages else 0
    body.append(para(t("Version {version}, draft · page {n} of {total}: {title}", version=view.version, n=index + 1,
                       total=len(view.pages), title=page_title(t, view, view.page)),
                     size="Small", is_subtle=True, spacing="None"))
    if view.notice:
        body.append(Container(style=view.notice_style, items=[para(view.notice)]))
    kind = view.page.partition("-")[0]
    builder = {"goals": _goals_page, "deviations": _deviations_page, "risks": _risks_page}.get(kind, _general_page)
    body += builder(t, view)

    data = {"report_id": view.report_id, "revision": view.revision, "form": view.form, "page": view.page}
    # Short labels: four buttons must fit side by side on a phone.
    actions = []
    if index > 0:
        actions.append(button(t("‹ Back"), {"verb": Verb.REPORT_SAVE, **data, "go": view.pages[index - 1]},
                              view.use_execute, tooltip=t("Save this page and go back")))
    actions.append(button(t("Save"), {"verb": Verb.REPORT_SAVE, **data, "go": view.page}, view.use_execute))
    if index + 1 < len(view.pages):
        following = view.pages[index + 1]
        actions.append(button(t("Next ›"), {"verb": Verb.REPORT_SAVE, **data, "go": following}, view.use_execute,
                              tooltip=t("Save this page and go on to: {title}", title=page_title(t, view, following))))
    actions.append(button(t("Submit"), {"verb": Verb.REPORT_SUBMIT, **data}, view.use_execute, style="positive",
                          tooltip=t("Save this page and submit the report to the steering group")))
    return card(body, actions)
