"""Commission cards (DOMAIN.md §4): the approval card, the announcement, notices, the final report to acknowledge.
Pure: view data + translator in, card dict out. The guided form is in cards/commission_forms.py, lists and detail in cards/commission_lists.py.

The approval card as sent is the read-only view everyone sees; its `refresh` names the managers
asked, whose clients fetch the personal view with the answer buttons (Universal Actions).
"""

from __future__ import annotations

from dataclasses import dataclass

from microsoft_teams.cards import ActionSet, Container, Fact, FactSet, TextInput

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
from cards.verbs import Verb

COMMENT_MAX = 1000


def button_rows(actions: list, per_row: int = 2) -> list[ActionSet]:
    """Buttons a few to a row: on a phone a row of three or four cuts every label short."""
    return [ActionSet(actions=actions[i:i + per_row]) for i in range(0, len(actions), per_row)]


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
            "decided": t("Decided"), "replaced": t("Replaced by a newer version")}.get(status, status)


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
    asked: bool = True  # the viewer is one of the managers asked (else: the lead's copy)
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


def build_shortened(build, view):
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
        title = (t("Approve commission: {title}", title=escape(d.title)) if v.asked
                 else t("Commission out for approval: {title}", title=escape(d.title)))
        body: list = [heading(title, size="Medium"),
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
        data = {"verb": Verb.COMMISSION_ANSWER, "commission_id": v.commission_id, "version": v.version}
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
            refresh = ({"verb": Verb.COMMISSION_REFRESH, "commission_id": v.commission_id, "version": v.version},
                       list(v.approver_ids))
        plain = (t("Approve commission: {title}", title=d.title[:150]) if v.asked
                 else t("Commission out for approval: {title}", title=d.title[:150]))
        return card(body, actions, refresh=refresh, fallback_text=plain)

    return build_shortened(build, view)


def announcement_card(t: Translator, d: DocumentView, commission_id: int, *, changed: bool = False) -> dict:
    """A decided commission, for everyone: purpose, lead, participants, period, kind and form."""
    if changed:
        title = t("Commission {number} changed (version {version}): {title}", number=d.number, version=d.version,
                  title=escape(d.title))
    else:
        title = t("New commission {number}: {title}", number=d.number, title=escape(d.title))
    body: list = [heading(title, size="Medium"), *document_facts(t, d, full=False)]
    if d.purpose:
        body += [para(t("Purpose"), weight="Bolder", spacing="Small"), user_text(d.purpose[:1500])]
    return card(body, [submit(t("Show the commission"), {"verb": Verb.COMMISSION_SHOW, "commission_id": commission_id})],
                fallback_text=title[:200])


def notice_card(t: Translator, title: str, text: str, commission_id: int, *, comment: str = "",
                actions: tuple[tuple[str, Verb], ...] = ()) -> dict:
    """A short message about one commission: returned, decided, approvals reset, report to acknowledge."""
    body: list = [heading(title, size="Medium"), para(text)]
    if comment:
        body.append(Container(style="emphasis", items=[user_text(comment)]))
    buttons = [submit(label, {"verb": verb, "commission_id": commission_id, **({"step": 3} if verb is Verb.COMMISSION_STEP else {})})
               for label, verb in actions]
    buttons.append(submit(t("Show the commission"), {"verb": Verb.COMMISSION_SHOW, "commission_id": commission_id}))
    return card(body, buttons, fallback_text=title[:200])


def report_labels(t: Translator) -> dict[str, str]:
    return {
        "closure": t("How did it end?"), "background": t("Background"),
        "result_goal": t("Results against the goal"), "result_business": t("Results against the business goals"),
        "actual_start": t("Actual start"), "actual_end": t("Actual end"), "budget_outcome": t("Budget outcome"),
        "future_internal": t("Future costs, internal (licences, consultants, integration, maintenance roles)"),
        "future_external": t("Future costs, external (licences, consultants, integration, maintenance roles)"),
        "handover": t("Handover to maintenance: to whom, and what was handed over"),
        "evaluation": t("Effect evaluation: who evaluates, and when"), "experiences": t("Experiences"),
        "attachments": t("Attachments"),
    }


def acknowledge_card(t: Translator, commission_id: int, d: DocumentView, closure: str, *,
                     sections: tuple[tuple[str, str], ...] = (), acknowledged: str = "", can_acknowledge: bool = True) -> dict:
    """To the responsible manager: the final report, read and acknowledged in place (Action.Execute)."""

    def build(cut: int | None) -> dict:
        title = t("Final report: {title}", title=escape(title_of(t, d)))
        body: list = [heading(title, size="Medium"), para(status_label(t, "closed", closure)),
                      *document_facts(t, d, full=False)]
        labels = report_labels(t)
        for name, text in sections:
            if text:
                shown = text if cut is None or len(text) <= cut else text[:cut] + " …"
                body += [para(labels.get(name, name), weight="Bolder", spacing="Small"), user_text(shown)]
        if cut is not None:
            body.append(para(t("Long texts are shortened here; the full report is in the .docx."), is_subtle=True, size="Small"))
        actions = []
        if acknowledged:
            body.append(para(t("Acknowledged by {who}.", who=escape(acknowledged)), weight="Bolder"))
        elif can_acknowledge:
            actions = [execute(t("Acknowledge the report"), {"verb": Verb.COMMISSION_ACKNOWLEDGE, "commission_id": commission_id},
                               style="positive")]
        actions.append(submit(t("Show the commission"), {"verb": Verb.COMMISSION_SHOW, "commission_id": commission_id}))
        return card(body, actions, fallback_text=title[:200])

    try:
        return build(None)
    except CardTooLarge:
        return build(400)


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
