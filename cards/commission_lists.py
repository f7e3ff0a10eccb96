"""Commission lists, the detail card with versions and history, and the card that offers to
continue a draft. Pure: view data + translator in, card dict out."""

from __future__ import annotations

from dataclasses import dataclass, field

from microsoft_teams.cards import ActionSet, Column, ColumnSet, Container, TextInput

from bot.i18n import Translator
from cards.commissions import (
    ApprovalRow,
    DocumentView,
    approvals_block,
    build_shortened,
    button_rows,
    document_facts,
    form_label,
    kind_label,
    shorten,
    status_label,
)
from cards.common import card, escape, heading, para, submit, user_text
from cards.verbs import Verb

REGISTRY_MAX = 60


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


def _show(commission_id: int) -> dict:
    return {"verb": Verb.COMMISSION_SHOW, "commission_id": commission_id}


def list_card(t: Translator, title: str, rows: list[Row], *, empty: str = "", more: int = 0) -> dict:
    body: list = [heading(title, size="Medium")]
    if not rows:
        body.append(para(empty or t("No commissions to show.")))
    for r in rows:
        body.append(Container(separator=True, select_action=submit(r.number or r.title[:40], _show(r.commission_id)), items=[
            ColumnSet(columns=[Column(width="auto", items=[para(f"**{r.number or t('Draft')}**")]),
                               Column(width="stretch", items=[user_text(r.title)])]),
            para(" · ".join(x for x in (kind_label(t, r.kind), form_label(t, r.form) if r.form else "",
                                        status_label(t, r.status, r.closure), escape(r.lead), r.period,
                                        escape(r.unit)) if x),
                 size="Small", is_subtle=True, spacing="None"),
        ]))
    if more:
        body.append(para(t("{n} more not shown. Narrow the list, for example **commissions active**.", n=more),
                         size="Small", is_subtle=True))
    body.append(para(t("Write **commission U-2026-0007** (with its number) to see one with its versions and history."),
                     size="Small", is_subtle=True))
    return card(body, fallback_text=title)


@dataclass(frozen=True)
class Draft:
    commission_id: int
    title: str
    step: int
    updated: str


def drafts_card(t: Translator, drafts: list[Draft]) -> dict:
    """`new commission` while drafts exist: continue one where it was left, or start a new one."""
    title = t("You have commissions you started")
    body: list = [heading(title, size="Medium"),
                  para(t("Your drafts are kept until you send them or discard them. Continue where you left off, or start a new one."))]
    for d in drafts[:10]:
        body.append(Container(separator=True, items=[
            user_text(d.title, weight="Bolder") if d.title else para(t("(no name yet)"), weight="Bolder"),
            para(t("Step {step} of 3 · saved {date}", step=min(d.step, 3), date=d.updated), size="Small",
                 is_subtle=True, spacing="None"),
            ActionSet(actions=[
                submit(t("Continue"), {"verb": Verb.COMMISSION_STEP, "commission_id": d.commission_id, "step": min(d.step, 3)}),
                submit(t("Discard the draft"), {"verb": Verb.COMMISSION_DISCARD, "commission_id": d.commission_id})]),
        ]))
    return card(body, [submit(t("Start a new commission"), {"verb": Verb.COMMISSION_NEW})], fallback_text=title)


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
    spawned: tuple[tuple[int, str], ...] = ()  # (id, number or title) of commissions started from this one
    can_change: bool = False
    can_close: bool = False
    can_register: bool = False
    can_continue: bool = False  # the writer's draft: continue the guided form
    can_discard: bool = False
    can_spawn: bool = False  # a network's idea becomes a new commission
    continue_step: int = 3


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
        if v.spawned:
            body.append(para(t("Commissions started from its ideas: {list}",
                               list=", ".join(escape(label) for _id, label in v.spawned)), size="Small"))
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
        if v.can_register:
            body.append(TextInput(id="registry_number", label=t("Registry number (as the registry writes it)"),
                                  value=d.registry_number or None, max_length=REGISTRY_MAX))
            body.append(ActionSet(actions=[submit(t("Save registry number"), {"verb": Verb.COMMISSION_REGISTER, **data})]))
        actions: list = []
        if v.can_continue:
            actions.append(submit(t("Continue writing"), {"verb": Verb.COMMISSION_STEP, "step": v.continue_step, **data}))
        if v.can_discard:
            actions.append(submit(t("Discard the draft"), {"verb": Verb.COMMISSION_DISCARD, **data}))
        if v.can_change:
            actions.append(submit(t("Change"), {"verb": Verb.COMMISSION_CHANGE, **data}))
        if v.can_close:
            actions.append(submit(t("Close with final report"), {"verb": Verb.COMMISSION_CLOSE, **data}))
        if v.can_spawn:
            actions.append(submit(t("Idea → new commission"), {"verb": Verb.COMMISSION_IDEA, **data}))
        body += button_rows(actions)
        return card(body, fallback_text=f"{d.number} {d.title}"[:200])

    return build_shortened(build, view)
