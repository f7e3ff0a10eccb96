"""Status-report cards: the submitted report (steering-group channel), the portfolio roll-up and
the steering-group meeting pack. Pure: view data in, Adaptive Card 1.5 JSON out.

The posted report is the read-only view everyone in the channel sees; its `refresh` names the
chair (Teams user ids), whose client fetches the personal view with "mark reviewed".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from microsoft_teams.cards import (
    ActionSet,
    Container,
    Fact,
    FactSet,
    OpenUrlAction,
    RichTextBlock,
    TextBlock,
    TextInput,
    TextRun,
)

from bot.i18n import Translator
from cards.common import card, escape, execute, heading, para, sek, submit, user_text
from cards.common import hours as hours_text
from cards.report_labels import (
    SIGNS,
    colour_label,
    dimension_label,
    extra_title,
    handling_label,
    kind_label,
    punctuality_label,
    status_label,
    trend_label,
)
from cards.verbs import Verb

REVIEW_MAX = 1000


@dataclass(frozen=True)
class GoalLine:
    title: str
    colour: str | None
    trend: str | None = None
    comment: str = ""
    forecast: str = ""


@dataclass(frozen=True)
class DeviationLine:
    ref: str
    title: str
    kind: str
    handling: str
    escalate: bool = False
    closed: bool = False
    cause: str = ""
    consequences: str = ""
    proposal: str = ""
    basis_id: int | None = None  # the decision basis made from it, once there is one
    basis_label: str = ""  # e.g. "B-2026-0012, waiting for the area owners" (already worded)


@dataclass(frozen=True)
class ReportView:
    report_id: int
    area_name: str
    period: str
    version: int
    status: str
    submitted_by: str = ""
    submitted_at: str = ""  # local, already formatted
    goals: tuple[GoalLine, ...] = ()
    dimensions: tuple[tuple[str, str | None, str], ...] = ()  # (name, colour, comment)
    deviations: tuple[DeviationLine, ...] = ()
    risks: tuple[tuple[str, int, int, str], ...] = ()  # (title, probability, consequence, mitigation)
    frame_sek: int = 0
    frame_hours: int = 0
    committed_sek: int = 0
    committed_hours: int = 0
    outcome_sek: int | None = None
    outcome_hours: int | None = None
    used_percent: int | None = None
    resources_comment: str = ""
    new_conditions: str = ""
    extras: tuple[tuple[str, str], ...] = ()  # (section key, text)
    since: tuple[str, ...] = ()
    reviewed_by: str = ""
    reviewed_at: str = ""
    review_comment: str = ""
    refresh_ids: tuple[str, ...] = ()
    can_review: bool = False  # the chair's personal view
    can_reopen: bool = False  # a coordinator's personal view of the newest sent version
    notice: str = ""
    notice_style: str = "good"
    review_value: str = ""  # the chair's comment, shown again beside an error
    review_error: str = ""
    document_url: str = ""  # the .docx for the meeting


def goal_line(t: Translator, goal: GoalLine) -> str:
    """'🔴 Röd · Kursanmälan · ↓ sämre': the colour, its word, the goal, the trend."""
    trend = trend_label(t, goal.trend)
    return " · ".join(p for p in (colour_label(t, goal.colour), escape(goal.title), trend) if p)


def _since_block(t: Translator, lines: tuple[str, ...]) -> list:
    if not lines:
        return []
    return [heading(t("Since the last report"), size="Medium"), para("\n".join(f"- {x}" for x in lines), size="Small")]


def _deviation(t: Translator, dev: DeviationLine, view: ReportView) -> Container:
    title = f"{kind_label(t, dev.kind)}: {escape(dev.title)}"
    items: list = [TextBlock(text=title, weight="Bolder", wrap=True),
                   TextBlock(text=handling_label(t, dev.handling) + (f" ({t('closed')})" if dev.closed else ""),
                             size="Small", wrap=True, spacing="None",
                             color="Attention" if dev.handling != "coordinators" and not dev.closed else "Default")]
    facts = [Fact(title=label, value=escape(text)) for label, text in (
        (t("Cause"), dev.cause), (t("Consequences"), dev.consequences), (t("Proposed handling"), dev.proposal))
        if text]
    if facts:
        items.append(FactSet(facts=facts))
    if dev.basis_label:
        items.append(TextBlock(text=t("Decision basis: {basis}", basis=escape(dev.basis_label)), wrap=True, size="Small"))
    if dev.basis_id is not None:
        items.append(ActionSet(actions=[execute(t("Show decision basis"), {"verb": Verb.BASIS_VIEW, "basis_id": dev.basis_id})]))
    elif dev.handling != "coordinators" and not dev.closed and view.status != "draft":
        label = t("Send me the form again") if dev.basis_label else t("Make a decision basis")
        items.append(ActionSet(actions=[execute(label, {
            "verb": Verb.REPORT_DEVIATION_BASIS, "report_id": view.report_id, "ref": dev.ref})]))
    return Container(items=items, separator=True)


def report_card(t: Translator, view: ReportView) -> dict:
    body: list = [heading(t("Status report {area} {period}", area=escape(view.area_name), period=view.period))]
    who = t("Version {version} · submitted by {name}, {when}", version=view.version,
            name=escape(view.submitted_by), when=view.submitted_at) if view.submitted_by else \
        t("Version {version}", version=view.version)
    body.append(para(f"{who} · {status_label(t, view.status)}", size="Small", is_subtle=True, spacing="None"))
    if view.notice:
        body.append(Container(style=view.notice_style, items=[para(view.notice)]))
    body.append(heading(t("Goals"), size="Medium"))
    if not view.goals:
        body.append(para(t("No goals reported.")))
    for goal in view.goals:
        block: list = [TextBlock(text=goal_line(t, goal), wrap=True, weight="Bolder")]
        if goal.comment:  # tight under its goal, so it cannot be read as the next goal's
            block.append(RichTextBlock(inlines=[TextRun(text=goal.comment, size="Small")], spacing="None"))
        if goal.forecast:
            block.append(TextBlock(text=t("Forecast: {text}", text=escape(goal.forecast)), size="Small", wrap=True,
                                   spacing="None", is_subtle=True))
        body.append(Container(items=block, spacing="Medium"))
    if any(colour for _n, colour, _c in view.dimensions):
        body.append(FactSet(facts=[Fact(title=dimension_label(t, name), value=colour_label(t, colour)
                                        + (f" · {escape(comment)}" if comment else ""))
                                   for name, colour, comment in view.dimensions], separator=True))
    body.append(heading(t("Deviations"), size="Medium"))
    if not view.deviations:
        body.append(para(t("No deviations.")))
    body += [_deviation(t, dev, view) for dev in view.deviations]
    if view.risks:
        body.append(heading(t("Risks"), size="Medium"))
        body.append(FactSet(facts=[Fact(title=f"{p} × {c}", value=escape(title) + (f" · {escape(m)}" if m else ""))
                                   for title, p, c, m in view.risks]))
    body.append(heading(t("Resources and costs"), size="Medium"))
    facts = [Fact(title=t("Frame"), value=f"{sek(t, view.frame_sek)}, {hours_text(t, view.frame_hours)}")]
    if view.outcome_sek is not None or view.outcome_hours is not None:
        facts.append(Fact(title=t("Outcome"), value=f"{sek(t, view.outcome_sek or 0)}, {hours_text(t, view.outcome_hours or 0)}"))
    if view.used_percent is not None:
        facts.append(Fact(title=t("Frame used"), value=f"{view.used_percent} %"))
    body.append(FactSet(facts=facts))
    for label, text in ((t("Comment on resources and costs"), view.resources_comment),
                        (t("New conditions"), view.new_conditions)):
        if text:
            body += [TextBlock(text=label, weight="Bolder", wrap=True), user_text(text)]
    for key, text in view.extras:
        body += [heading(extra_title(t, key), size="Medium"), user_text(text)]
    body += _since_block(t, view.since)
    if view.status == "reviewed":
        line = t("Reviewed by {name}, {when}", name=escape(view.reviewed_by), when=view.reviewed_at)
        items = [para(line, weight="Bolder")] + ([user_text(view.review_comment)] if view.review_comment else [])
        body.append(Container(style="good", items=items, separator=True))
    elif view.can_review and view.status == "submitted":
        body.append(Container(separator=True, items=[
            TextInput(id="comment", label=t("Comment from the steering group (optional)"), is_multiline=True,
                      max_length=REVIEW_MAX, value=view.review_value or None),
            *([TextBlock(text=view.review_error, color="Attention", wrap=True, size="Small", spacing="None")]
              if view.review_error else []),
            ActionSet(actions=[execute(t("Mark as reviewed"), {"verb": Verb.REPORT_REVIEW,
                                                                "report_id": view.report_id}, style="positive")]),
        ]))
    actions = []
    if view.document_url:
        actions.append(OpenUrlAction(title=t("Word (.docx)"), url=view.document_url))
    if view.can_reopen:  # short labels: two buttons side by side on a phone
        actions.append(execute(t("New version"), {"verb": Verb.REPORT_REOPEN, "report_id": view.report_id}))
    refresh = None
    if view.refresh_ids and view.status == "submitted":
        refresh = ({"verb": Verb.REPORT_VIEW, "report_id": view.report_id}, list(view.refresh_ids))
    return card(body, actions, refresh=refresh)


# --- the portfolio roll-up ---------------------------------------------------------------------


@dataclass(frozen=True)
class RollupLine:
    area_name: str
    period: str
    status: str  # none | draft | submitted | reviewed
    counts: dict[str, int] = field(default_factory=dict)  # colour -> goals
    worst: str | None = None
    open_deviations: int = 0
    escalations: int = 0
    used_percent: int | None = None
    punctuality: str = "open"  # on_time | late | missing | open


@dataclass(frozen=True)
class RollupView:
    period: str
    due: str  # the e-areas' due date, formatted
    lines: tuple[RollupLine, ...]


def _counts(t: Translator, counts: dict[str, int]) -> str:
    return "  ".join(f"{SIGNS[c]} {counts.get(c, 0)}" for c in ("green", "yellow", "red"))


def rollup_card(t: Translator, view: RollupView) -> dict:
    sent = sum(1 for line in view.lines if line.status in ("submitted", "reviewed"))
    body: list = [heading(t("Portfolio status {period}", period=view.period)),
                  para(t.n("{sent} of {n} e-area has reported · due {due}", "{sent} of {n} e-areas have reported · due {due}",
                           len(view.lines), sent=sent, due=view.due), size="Small", is_subtle=True, spacing="None")]
    behind = [escape(line.area_name) for line in view.lines if line.punctuality in ("late", "missing")]
    if behind:
        body.append(Container(style="attention", items=[para(t("Late or missing: {names}", names=", ".join(behind)))]))
    for line in view.lines:
        title = f"{escape(line.area_name)} · {status_label(t, line.status)}"
        items: list = [TextBlock(text=title, weight="Bolder", wrap=True)]
        if line.status == "none":
            items.append(para(t("No report for {period}.", period=view.period), size="Small", spacing="None"))
        else:
            facts = [Fact(title=t("Goals"), value=_counts(t, line.counts)),
                     Fact(title=t("Worst status"), value=colour_label(t, line.worst)),
                     Fact(title=t("Open deviations"), value=t("{n} (escalated: {e})", n=line.open_deviations,
                                                              e=line.escalations)),
                     Fact(title=t("Frame used"), value=f"{line.used_percent} %" if line.used_percent is not None
                          else t("no outcome yet"))]
            items.append(FactSet(facts=facts))
        if line.punctuality in ("late", "missing"):
            items.append(TextBlock(text=punctuality_label(t, line.punctuality), color="Attention", size="Small",
                                   weight="Bolder", spacing="None"))
        body.append(Container(items=items, separator=True))
    return card(body)


# --- the steering-group meeting pack -------------------------------------------------------------


@dataclass(frozen=True)
class MeetingView:
    area_name: str
    period: str
    meeting_date: str
    report_line: str  # already worded: the report's status, version and worst colour
    report_id: int | None
    bases: tuple[tuple[int, str, str], ...] = ()  # (basis id, need number, title) awaiting decision
    deviations: tuple[DeviationLine, ...] = ()
    wheel_items: tuple[str, ...] = ()  # the quarter's items from the annual wheel
    decisions: tuple[tuple[str, str, str, str], ...] = ()  # minutes: (number, registry no., outcome, title)
    meeting_held: bool = False  # the meeting day has come: the minutes are shown
    agenda_url: str = ""
    minutes_url: str = ""


def meeting_card(t: Translator, view: MeetingView) -> dict:
    body: list = [heading(t("Steering-group meeting {area}", area=escape(view.area_name))),
                  para(t("{date} · follow-up of {period}", date=view.meeting_date, period=view.period),
                       size="Small", is_subtle=True, spacing="None")]
    n = 1
    body.append(heading(t("{n}. Status report", n=n), size="Medium"))
    body.append(para(view.report_line))
    if view.report_id is not None:
        # A new message, so the agenda stays where it is.
        body.append(ActionSet(actions=[submit(t("Show the report"), {"verb": Verb.REPORT_VIEW,
                                                                     "report_id": view.report_id})]))
    n += 1
    body.append(heading(t("{n}. Decision bases awaiting decision", n=n), size="Medium"))
    if view.bases:
        for basis_id, number, title in view.bases:
            body.append(ActionSet(actions=[execute(f"{number} {title}"[:80], {"verb": Verb.BASIS_VIEW, "basis_id": basis_id})]))
    else:
        body.append(para(t("None.")))
    n += 1
    body.append(heading(t("{n}. Deviations", n=n), size="Medium"))
    open_devs = [d for d in view.deviations if not d.closed]
    body.append(para("\n".join(f"- {kind_label(t, d.kind)}: {escape(d.title)} ({handling_label(t, d.handling)})"
                               for d in open_devs) if open_devs else t("None.")))
    if view.wheel_items:
        n += 1
        body.append(heading(t("{n}. This quarter in the annual wheel", n=n), size="Medium"))
        body.append(para("\n".join(f"- {escape(item)}" for item in view.wheel_items)))
    if view.meeting_held or view.decisions:
        body.append(heading(t("Minutes: decisions taken"), size="Medium"))
        if view.decisions:
            body.append(FactSet(facts=[Fact(title=number, value=f"{outcome} · {escape(title)}"
                                            + (" · " + t("registry no. {number}", number=escape(registry))
                                               if registry else ""))
                                       for number, registry, outcome, title in view.decisions]))
        else:
            body.append(para(t("No decisions recorded yet.")))
    actions = []
    if view.agenda_url:
        actions.append(OpenUrlAction(title=t("Agenda (.docx)"), url=view.agenda_url))
    if view.minutes_url:
        actions.append(OpenUrlAction(title=t("Minutes (.docx)"), url=view.minutes_url))
    return card(body, actions)
