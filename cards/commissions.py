"""Commission cards (DOMAIN.md §4): the approval card, the announcement, notices, list and detail.
Pure: view data + translator in, card dict out. The guided form lives in cards/commission_forms.py.

The approval card as sent is the read-only view everyone sees; its `refresh` names the managers
asked, whose clients fetch the personal view with the answer buttons (Universal Actions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from microsoft_teams.cards import ActionSet, Column, ColumnSet, Container, Fact, FactSet, TextInput

from bot.i18n import Translator
from cards.common import (
    CardTooLarge,
    card,
    escape,
    execute,
    heading,
    hours,
    para,
    sek,
    submit,
    user_text,
)

COMMENT_MAX = 1000


class V(StrEnum):
    """The commission card verbs (kept here until the shared Verb enum holds them)."""

    ACKNOWLEDGE = "commission.acknowledge"
    ANSWER = "commission.answer"
    CHANGE = "commission.change"
    CLOSE = "commission.close"
    DISCARD = "commission.discard"
    DOCUMENT = "commission.document"
    EXPORT = "commission.export"
    IDEA = "commission.idea"
    ORGANISATION = "commission.organisation"
    PURPOSE = "commission.purpose"
    REFRESH = "commission.refresh"
    REGISTER = "commission.register"
    REPORT = "commission.report"
    SHOW = "commission.show"
    STEP = "commission.step"
    SUBMIT = "commission.submit"


def kind_label(t: Translator, kind: str) -> str:
    return {"network": t("Network commission"), "coordination": t("Coordination commission"),
            "investigation": t("Investigation commission")}.get(kind, kind)


def form_label(t: Translator, form: str) -> str:
    return {"single_employee": t("Single employee"), "internal_network": t("Internal network"),
            "working_group": t("Working group"), "project": t("Project")}.get(form, form)


def length_label(t: Translator, length: str) -> str:
    return {"short": t("Short"), "long": t("Long (about a year or more)")}.get(length, length)


def status_label(t: Translator, status: str, closure: str | None = None) -> str:
    if status == "closed":
        return {"completed": t("Closed: completed"), "partly": t("Closed: partly completed"),
                "cancelled": t("Closed: cancelled")}.get(closure or "", t("Closed"))
    return {"draft": t("Draft"), "awaiting_approval": t("Awaiting approval"),
            "decided": t("Decided")}.get(status, status)


def cadence_label(t: Translator, cadence: str) -> str:
    return {"monthly": t("Monthly"), "quarterly": t("Quarterly"),
            "half_yearly": t("Twice a year")}.get(cadence, cadence or "–")


def field_labels(t: Translator) -> dict[str, str]:
    return {
        "title": t("Name"), "need": t("What needs coordinating or doing together?"),
        "kind": t("Kind of commission"), "length": t("Length"), "unit": t("Unit (optional)"),
        "background": t("Background"), "purpose": t("Purpose"), "goals": t("Goals"),
        "expected_result": t("Expected result"), "start": t("Start date"), "end": t("End date"),
        "lead": t("Lead"), "responsible_manager": t("Responsible manager (resources and budget)"),
        "participants": t("Participants"), "managers": t("The participants' managers"),
        "budget_sek": t("Budget (SEK)"), "budget_hours": t("Working time (hours)"),
        "cadence": t("Status report to the responsible manager"), "reporting": t("Reporting"),
        "project_group": t("Project group"), "steering_group": t("Project steering group"),
        "reference_groups": t("Reference groups"), "form": t("Organisation"),
        "stakeholders": t("Stakeholders"), "predictability": t("Use of the result"),
        "investment": t("Investment of money and working time"),
    }


@dataclass(frozen=True)
class DocumentView:
    """A commission document with people already named (view data, not ids)."""

    title: str
    kind: str
    form: str
    length: str
    version: int = 1
    number: str = ""
    registry_number: str = ""
    unit: str = ""
    background: str = ""
    purpose: str = ""
    goals: str = ""
    expected_result: str = ""
    start: str = ""
    end: str = ""
    lead: str = ""
    responsible_manager: str = ""
    participants: tuple[str, ...] = ()
    managers: tuple[str, ...] = ()
    project_group: tuple[str, ...] = ()
    steering_group: tuple[str, ...] = ()
    reference_groups: str = ""
    budget_sek: int | None = None
    budget_hours: int | None = None
    cadence: str = ""
    reporting: str = ""
    origin: str = ""  # "B-2026-0007" or "U-2026-0003": where the commission comes from


@dataclass(frozen=True)
class ApprovalRow:
    name: str
    answer: str | None  # approved | declined | None (waiting)
    comment: str = ""


@dataclass(frozen=True)
class ApprovalView:
    commission_id: int
    version: int  # the version this card asks about
    current_version: int  # the newest version (differs when this card is outdated)
    status: str
    document: DocumentView
    approvals: tuple[ApprovalRow, ...]
    approver_ids: tuple[str, ...] = ()  # Teams user ids for refresh
    can_answer: bool = False  # personal view: the viewer is asked and has not answered
    viewer_answer: str | None = None
    self_approval: str = ""  # the lead's name when the lead is the only approver
    message: str = ""  # msgid to show on top (e.g. a refusal), already translated by the caller


def _names(names: tuple[str, ...]) -> str:
    return escape(", ".join(names)) if names else "–"


def period(view: DocumentView) -> str:
    return f"{view.start or '?'} – {view.end or '?'}"


def document_facts(t: Translator, d: DocumentView, *, full: bool = True) -> list:
    labels = field_labels(t)
    facts = [Fact(title=labels["kind"], value=kind_label(t, d.kind)),
             Fact(title=labels["form"], value=form_label(t, d.form)),
             Fact(title=t("Period"), value=period(d)),
             Fact(title=labels["lead"], value=escape(d.lead or "–")),
             Fact(title=t("Responsible manager"), value=escape(d.responsible_manager or "–"))]
    if d.participants:
        facts.append(Fact(title=labels["participants"], value=_names(d.participants)))
    if not full:
        return [FactSet(facts=facts)]
    if d.managers:
        facts.append(Fact(title=t("Managers"), value=_names(d.managers)))
    if d.project_group:
        facts.append(Fact(title=labels["project_group"], value=_names(d.project_group)))
    if d.steering_group:
        facts.append(Fact(title=labels["steering_group"], value=_names(d.steering_group)))
    if d.budget_sek is not None or d.budget_hours is not None:
        facts.append(Fact(title=t("Budget"), value=", ".join(
            x for x in (sek(t, d.budget_sek) if d.budget_sek is not None else "",
                        hours(t, d.budget_hours) if d.budget_hours is not None else "") if x)))
    if d.cadence:
        facts.append(Fact(title=t("Status report"), value=cadence_label(t, d.cadence)))
    if d.unit:
        facts.append(Fact(title=t("Unit"), value=escape(d.unit)))
    if d.registry_number:
        facts.append(Fact(title=t("Registry number"), value=escape(d.registry_number)))
    if d.origin:
        facts.append(Fact(title=t("Comes from"), value=escape(d.origin)))
    out: list = [FactSet(facts=facts)]
    for name in ("background", "purpose", "goals", "expected_result", "reporting", "reference_groups"):
        text = getattr(d, name)
        if text:
            out += [para(field_labels(t)[name], weight="Bolder", spacing="Small"), user_text(text)]
    return out


def _answer_text(t: Translator, row: ApprovalRow) -> str:
    mark = answer_label(t, row.answer)
    return f"{escape(row.name)}: {mark}"


def answer_label(t: Translator, answer: str | None) -> str:
    return {"approved": "✅ " + t("has approved"), "declined": "❌ " + t("has not approved")}.get(answer or "", "⏳ " + t("waiting"))


def approvals_block(t: Translator, rows: tuple[ApprovalRow, ...]) -> list:
    done = sum(r.answer == "approved" for r in rows)
    out: list = [para(t("Approvals: {done} of {total}", done=done, total=len(rows)), weight="Bolder")]
    out.append(para("\n".join(f"- {_answer_text(t, r)}" for r in rows) or "–"))
    for r in rows:
        if r.comment:
            out.append(user_text(f"{r.name}: {r.comment}", is_subtle=True))
    return out


def title_of(t: Translator, d: DocumentView) -> str:
    return f"{d.number} {d.title}" if d.number else d.title


def _build(build, view):
    """Build the card; when full texts push it over the size limit, shorten them and say so."""
    try:
        return build(view, shortened=False)
    except CardTooLarge:
        return build(view, shortened=True)


def shorten(d: DocumentView) -> DocumentView:
    from dataclasses import replace

    cut = {n: (getattr(d, n)[:600] + " …") for n in ("background", "purpose", "goals", "expected_result",
                                                      "reporting", "reference_groups") if len(getattr(d, n)) > 600}
    return replace(d, **cut)


def approval_card(t: Translator, view: ApprovalView) -> dict:
    def build(v: ApprovalView, *, shortened: bool) -> dict:
        d = shorten(v.document) if shortened else v.document
        body: list = [heading(t("Approve commission: {title}", title=escape(d.title)), size="Medium"),
                      para(t("Version {version} · {status}", version=v.version, status=status_label(t, v.status)),
                           is_subtle=True, spacing="None")]
        if v.message:
            body.append(Container(style="attention", items=[para(escape(v.message))]))
        if v.version != v.current_version:
            body.append(Container(style="warning", items=[para(t(
                "This version has been replaced by version {current}. Answers count only for the current version.",
                current=v.current_version), weight="Bolder")]))
        if v.self_approval:
            body.append(Container(style="warning", items=[para(t(
                "{name} leads this commission and is also the only manager approving it.", name=escape(v.self_approval)))]))
        body += document_facts(t, d)
        if shortened:
            body.append(para(t("Long texts are shortened here; the full document is in the .docx."), is_subtle=True, size="Small"))
        body += approvals_block(t, v.approvals)
        data = {"verb": V.ANSWER.value, "commission_id": v.commission_id, "version": v.version}
        actions: list = []
        if v.can_answer and v.version == v.current_version:
            body.append(TextInput(id="comment", label=t("Comment (needed if you decline)"), is_multiline=True,
                                  max_length=COMMENT_MAX, placeholder=t("What should the lead know?")))
            actions = [execute(t("Approve"), {**data, "answer": "approved"}, style="positive"),
                       execute(t("Decline"), {**data, "answer": "declined"}, style="destructive")]
        elif v.viewer_answer:
            body.append(para(t("Your answer: {answer}", answer=answer_label(t, v.viewer_answer)), is_subtle=True))
        refresh = None
        if v.status == "awaiting_approval" and v.approver_ids:
            refresh = ({"verb": V.REFRESH.value, "commission_id": v.commission_id, "version": v.version},
                       list(v.approver_ids))
        return card(body, actions, refresh=refresh, fallback_text=t("Approve commission: {title}", title=d.title[:150]))

    return _build(build, view)


def announcement_card(t: Translator, d: DocumentView, commission_id: int) -> dict:
    """A decided commission, for everyone: purpose, lead, participants, period, kind and form."""
    title = t("New commission {number}: {title}", number=d.number, title=escape(d.title))
    body: list = [heading(title, size="Medium"), *document_facts(t, d, full=False)]
    if d.purpose:
        body += [para(t("Purpose"), weight="Bolder", spacing="Small"), user_text(d.purpose[:1500])]
    return card(body, [submit(t("Show the commission"), {"verb": V.SHOW.value, "commission_id": commission_id})],
                fallback_text=title[:200])


def notice_card(t: Translator, title: str, text: str, commission_id: int, *, comment: str = "",
                actions: tuple[tuple[str, str], ...] = ()) -> dict:
    """A short message about one commission: returned, decided, approvals reset, report to acknowledge."""
    body: list = [heading(title, size="Medium"), para(text)]
    if comment:
        body.append(Container(style="emphasis", items=[user_text(comment)]))
    buttons = [submit(label, {"verb": verb, "commission_id": commission_id}) for label, verb in actions]
    buttons.append(submit(t("Show the commission"), {"verb": V.SHOW.value, "commission_id": commission_id}))
    return card(body, buttons, fallback_text=title[:200])


@dataclass(frozen=True)
class Row:
    commission_id: int
    number: str  # "" for a draft
    title: str
    kind: str
    form: str
    status: str
    closure: str | None
    lead: str
    period: str
    unit: str = ""


def list_card(t: Translator, title: str, rows: list[Row], *, empty: str = "") -> dict:
    body: list = [heading(title, size="Medium")]
    if not rows:
        body.append(para(empty or t("No commissions to show.")))
    for r in rows:
        body.append(Container(separator=True, select_action=submit(
            r.number or r.title[:40], {"verb": V.SHOW.value, "commission_id": r.commission_id}), items=[
            ColumnSet(columns=[Column(width="auto", items=[para(f"**{r.number or t('Draft')}**")]),
                               Column(width="stretch", items=[user_text(r.title)])]),
            para(" · ".join(x for x in (kind_label(t, r.kind), form_label(t, r.form) if r.form else "",
                                        status_label(t, r.status, r.closure), escape(r.lead), r.period,
                                        escape(r.unit)) if x),
                 size="Small", is_subtle=True, spacing="None"),
        ]))
    body.append(para(t("Write **commission U-2026-0007** (with its number) to see one with its versions and history."),
                     size="Small", is_subtle=True))
    return card(body, fallback_text=title)


@dataclass(frozen=True)
class VersionRow:
    version: int
    status: str  # draft | submitted | approved | declined | replaced
    created: str


@dataclass
class DetailView:
    commission_id: int
    status: str
    closure: str | None
    document: DocumentView
    full: bool  # the viewer may read the document in full (DOMAIN.md §8)
    versions: list[VersionRow] = field(default_factory=list)
    approvals: tuple[ApprovalRow, ...] = ()
    history: list[tuple[str, str, str]] = field(default_factory=list)  # (when, who, text) already translated
    report_closure: str | None = None
    report_acknowledged: str = ""  # who acknowledged, when
    can_change: bool = False
    can_close: bool = False
    can_register: bool = False
    can_continue: bool = False  # the writer's draft: continue the guided form
    can_spawn: bool = False  # a network's idea becomes a new commission


def version_label(t: Translator, status: str) -> str:
    return {"draft": t("draft"), "submitted": t("sent for approval"), "approved": t("in force"),
            "declined": t("declined"), "replaced": t("replaced")}.get(status, status)


def detail_card(t: Translator, view: DetailView) -> dict:
    def build(v: DetailView, *, shortened: bool) -> dict:
        d = shorten(v.document) if shortened else v.document
        body: list = [heading(d.number or t("Draft commission"), size="Medium"),
                      user_text(d.title, weight="Bolder", size="Large"),
                      para(status_label(t, v.status, v.closure), spacing="None", is_subtle=True)]
        body += document_facts(t, d, full=v.full)
        if not v.full:
            body.append(para(t("The full document, its approvals and reports are shown to the people involved and their managers."),
                             is_subtle=True, size="Small"))
        else:
            if v.approvals:
                body += approvals_block(t, v.approvals)
            if v.versions:
                body.append(para(t("Versions"), weight="Bolder"))
                body.append(para("\n".join("- " + t("Version {n} ({status}), {date}", n=r.version,
                                                   status=version_label(t, r.status), date=r.created) for r in v.versions),
                                 size="Small"))
            if v.report_closure:
                line = t("Final report: {closure}.", closure=status_label(t, "closed", v.report_closure))
                if v.report_acknowledged:
                    line += " " + t("Acknowledged by {who}.", who=escape(v.report_acknowledged))
                body.append(para(line))
            body.append(para(t("History"), weight="Bolder"))
            body.append(para("\n".join(f"- {when}: {text}" for when, _who, text in v.history[-15:]) or "–", size="Small"))
        if shortened:
            body.append(para(t("Long texts are shortened here; the full document is in the .docx."), is_subtle=True, size="Small"))
        data = {"commission_id": v.commission_id}
        actions = []
        if v.can_continue:
            actions.append(submit(t("Continue writing"), {"verb": V.STEP.value, "step": 3, **data}))
        if v.can_change:
            actions.append(submit(t("Change"), {"verb": V.CHANGE.value, **data}))
        if v.can_close:
            actions.append(submit(t("Close with final report"), {"verb": V.CLOSE.value, **data}))
        if v.can_spawn:
            actions.append(submit(t("Idea → new commission"), {"verb": V.IDEA.value, **data}))
        if v.full and d.number:
            actions.append(submit(t("Document (.docx)"), {"verb": V.EXPORT.value, **data}))
        if v.can_register:
            body.append(ActionSet(actions=[submit(t("Save registry number"), {"verb": V.REGISTER.value, **data})]))
            body.insert(-1, TextInput(id="registry_number", label=t("Registry number (as the registry writes it)"),
                                      value=d.registry_number or None, max_length=60))
        return card(body, actions, fallback_text=f"{d.number} {d.title}"[:200])

    return _build(build, view)


def acknowledge_card(t: Translator, commission_id: int, d: DocumentView, closure: str, *,
                     acknowledged: str = "", manager_ids: tuple[str, ...] = ()) -> dict:
    """To the responsible manager: the final report, acknowledged in place (Action.Execute)."""
    title = t("Final report: {title}", title=escape(title_of(t, d)))
    body: list = [heading(title, size="Medium"), para(status_label(t, "closed", closure)),
                  *document_facts(t, d, full=False)]
    actions = []
    if acknowledged:
        body.append(para(t("Acknowledged by {who}.", who=escape(acknowledged)), weight="Bolder"))
    else:
        actions = [execute(t("Acknowledge the report"), {"verb": V.ACKNOWLEDGE.value, "commission_id": commission_id},
                           style="positive")]
    actions.append(submit(t("Show the commission"), {"verb": V.SHOW.value, "commission_id": commission_id}))
    return card(body, actions, fallback_text=title[:200])


def document_view(doc: dict, names: dict[str, str], *, number: str | None = "", registry_number: str = "",
                  version: int = 1, origin: str = "", unit: str = "") -> DocumentView:
    """A stored document (JSON, people as ids) as view data, people named from `names`."""
    def one(key: str) -> str:
        value = doc.get(key) or ""
        return names.get(value, value)

    def many(key: str) -> tuple[str, ...]:
        return tuple(names.get(v, v) for v in doc.get(key) or ())

    def whole(key: str) -> int | None:
        value = doc.get(key)
        return value if isinstance(value, int) else None

    return DocumentView(
        title=doc.get("title") or "", kind=doc.get("kind") or "", form=doc.get("form") or "",
        length=doc.get("length") or "short", version=version, number=number or "", registry_number=registry_number,
        unit=unit or doc.get("unit") or "", background=doc.get("background") or "", purpose=doc.get("purpose") or "",
        goals=doc.get("goals") or "", expected_result=doc.get("expected_result") or "", start=doc.get("start") or "",
        end=doc.get("end") or "", lead=one("lead"), responsible_manager=one("responsible_manager"),
        participants=many("participants"), managers=many("managers"), project_group=many("project_group"),
        steering_group=many("steering_group"), reference_groups=doc.get("reference_groups") or "",
        budget_sek=whole("budget_sek"), budget_hours=whole("budget_hours"), cadence=doc.get("cadence") or "",
        reporting=doc.get("reporting") or "", origin=origin)
