"""What a person may see of a commission (DOMAIN.md §8), and the view data its cards are built
from, read in the caller's transaction. No card is built here and nothing is written."""

from __future__ import annotations

import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.rules.commission_document import MANY_PEOPLE, SINGLE_PEOPLE
from bot.rules.commissions import Form, Length, Status, approves_own, required_fields
from cards.commission_forms import FormView, Person
from cards.commission_lists import DetailView, Row, VersionRow
from cards.commissions import ApprovalRow, ApprovalView, DocumentView, document_view, status_label
from storage import commission_queries as queries
from storage.commission_tables import Commission

FULL, PUBLIC = "full", "public"
PEOPLE_FIELDS = SINGLE_PEOPLE + MANY_PEOPLE


def sent_once(c: Commission) -> bool:
    return c.frozen or c.decided_version is not None or c.status != Status.draft.value


def visibility(session, c: Commission | None, aad_id: str) -> str | None:
    """FULL for the writer and everyone involved once it was sent; PUBLIC (the announced facts)
    for all staff once decided; None otherwise, the same as for an id that does not exist."""
    if c is None:
        return None
    if aad_id and aad_id == c.created_by:
        return FULL
    if sent_once(c) and aad_id and queries.may_read_in_full(session, c, aad_id):
        return FULL
    return PUBLIC if c.decided_version is not None else None


def may_steer(c: Commission, aad_id: str) -> bool:
    """Change, close and register: the writer, the lead and the responsible manager."""
    return bool(aad_id) and aad_id in (c.created_by, c.lead, c.responsible_manager)


def find(session, ref: int | str) -> Commission | None:
    if isinstance(ref, int):
        return queries.get(session, ref)
    return queries.by_number(session, ref)


def people_in(doc: dict) -> set[str]:
    ids: set[str] = set()
    for name in PEOPLE_FIELDS:
        value = doc.get(name) or ()
        ids |= {value} if isinstance(value, str) else set(value)
    return ids - {""}


def origin_of(session, c: Commission) -> str:
    if c.origin_need_id:
        return queries.need_number(session, c.origin_need_id)
    if c.origin_commission_id:
        origin = queries.get(session, c.origin_commission_id)
        return (origin.number or origin.title) if origin else ""
    return ""


def document_of(session, c: Commission, version: int | None = None, *, names: dict[str, str] | None = None,
                doc: dict | None = None) -> DocumentView:
    version = version or c.version
    doc = doc if doc is not None else queries.document(session, c, version)
    names = names if names is not None else queries.names(session, people_in(doc))
    return document_view(doc, names, number=c.number, registry_number=c.registry_number, version=version,
                         origin=origin_of(session, c), unit=c.unit)


@dataclass(frozen=True)
class Approvals:
    """One version's approval state, read once and shown to each viewer (ApprovalView)."""

    c: Commission
    version: int
    document: DocumentView
    rows: tuple[tuple[str, str, str | None, str], ...]  # (aad id, name, answer, comment)
    pending_teams_ids: tuple[str, ...]
    lead: str  # aad id
    lead_name: str


def approvals_of(session, c: Commission, version: int) -> Approvals:
    rows = queries.approvals(session, c.id, version)
    doc = queries.document(session, c, version)
    names = queries.names(session, people_in(doc) | {r.manager for r in rows})
    waiting = version == c.version and c.status == Status.awaiting_approval.value
    pending = tuple(r.manager for r in rows if r.answer is None)
    lead = doc.get("lead") or ""
    return Approvals(c, version, document_of(session, c, version, names=names, doc=doc),
                     tuple((r.manager, names.get(r.manager, r.manager), r.answer, r.comment) for r in rows),
                     queries.teams_ids(session, pending) if waiting else (), lead, names.get(lead, lead))


def view_for(a: Approvals, viewer: str, *, message: str = "") -> ApprovalView:
    """The approval card of one version as `viewer` sees it: buttons only for a manager asked
    who has not answered the current version yet."""
    c = a.c
    current = a.version == c.version
    waiting = current and c.status == Status.awaiting_approval.value
    mine = next((answer for aad, _name, answer, _comment in a.rows if aad == viewer), "absent")
    asked = tuple(aad for aad, *_ in a.rows)
    return ApprovalView(
        commission_id=c.id, version=a.version, current_version=c.version, status=c.status if current else "replaced",
        document=a.document, approvals=tuple(ApprovalRow(name, answer, comment) for _aad, name, answer, comment in a.rows),
        approver_ids=a.pending_teams_ids, can_answer=waiting and mine is None,
        viewer_answer=mine if mine != "absent" else None,
        self_approval=a.lead_name if approves_own(a.lead, asked) else "", message=message, asked=viewer in asked)


def approval_view(session, c: Commission, version: int, viewer: str, *, message: str = "") -> ApprovalView:
    return view_for(approvals_of(session, c, version), viewer, message=message)


def _local(when, tz: str) -> str:
    return when.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M") if when else ""


def history_line(t: Translator, kind: str, who: str, version: int, detail: dict) -> str | None:
    if kind == "created":
        return t("{who} started the draft", who=who)
    if kind == "submitted":
        return t("{who} sent version {version} for approval", who=who, version=version)
    if kind == "approved":
        return t("{who} approved version {version}", who=who, version=version)
    if kind == "declined":
        return t("{who} declined version {version}", who=who, version=version)
    if kind == "decided":
        return t("Decided as {number} (version {version})", number=detail.get("number") or "–", version=version)
    if kind == "approvals_reset":
        return t("{who} changed the document while it was out for approval; version {version} was sent to the managers again",
                 who=who, version=version)
    if kind == "change_started":
        return t("{who} started a change: version {version}", who=who, version=version)
    if kind == "registered":
        return t("{who} noted the registry number {number}", who=who, number=detail.get("registry_number") or "–")
    if kind == "closed":
        return t("{who} closed it: {closure}", who=who, closure=status_label(t, "closed", detail.get("closure")))
    if kind == "acknowledged":
        return t("{who} acknowledged the final report", who=who)
    return None  # saved drafts are not history worth reading


def detail_view(session, t: Translator, c: Commission, viewer: str, seen: str, *, tz: str, admin: bool = False) -> DetailView:
    full = seen == FULL
    events = queries.events(session, c.id) if full else []
    rows = queries.approvals(session, c.id, c.version) if full else []
    doc = queries.document(session, c, c.decided_version if not full and c.decided_version else c.version)
    names = queries.names(session, people_in(doc) | {e.actor for e in events} | {r.manager for r in rows})
    version = c.version if full else (c.decided_version or c.version)
    history = []
    for e in events:
        line = history_line(t, e.kind, names.get(e.actor, e.actor), e.version, json.loads(e.detail or "{}"))
        if line:
            history.append((_local(e.at, tz), names.get(e.actor, e.actor), line))
    report = queries.report(session, c.id) if full else None
    acknowledged = ""
    if report and report.acknowledged_by:
        who = queries.names(session, {report.acknowledged_by}).get(report.acknowledged_by, report.acknowledged_by)
        acknowledged = f"{who}, {_local(report.acknowledged_at, tz)}"
    spawned = tuple((s.id, s.number or s.title) for s in queries.spawned(session, c.id))
    is_draft = c.status == Status.draft.value
    writer = viewer == c.created_by
    steer = full and may_steer(c, viewer)
    running = c.decided_version is not None and c.status != Status.closed.value
    return DetailView(
        commission_id=c.id, status=c.status, closure=c.closure, document=document_of(session, c, version, names=names),
        full=full, versions=[VersionRow(v.version, v.status, _local(v.created_at, tz)[:10]) for v in queries.versions(session, c.id)] if full else [],
        approvals=tuple(ApprovalRow(names.get(r.manager, r.manager), r.answer, r.comment) for r in rows),
        history=history, report_closure=report.closure if report else None, report_acknowledged=acknowledged,
        spawned=spawned,
        can_change=steer and c.status == Status.decided.value,
        can_close=steer and (running or (is_draft and c.frozen) or c.status == Status.awaiting_approval.value),
        can_register=(steer or admin) and c.decided_version is not None and c.status != Status.closed.value,
        can_continue=(is_draft or c.status == Status.awaiting_approval.value)
        and (writer or (steer and c.decided_version is not None)),
        can_discard=is_draft and writer and not c.frozen and c.decided_version is None,
        can_spawn=full and running and c.kind == "network",
        continue_step=min(max(c.step, 1), 3))


def row_of(c: Commission, names: dict[str, str]) -> Row:
    period = f"{c.start.isoformat() if c.start else '?'} – {c.end.isoformat() if c.end else '?'}"
    return Row(c.id, c.number or "", c.title, c.kind, c.form, c.status, c.closure, names.get(c.lead, c.lead), period, c.unit)


def rows(session, found: list[Commission]) -> list[Row]:
    names = queries.names(session, {c.lead for c in found if c.lead})
    return [row_of(c, names) for c in found]


def as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def form_view(session, c: Commission, speaker: str, **extra) -> FormView:
    """The guided form of a stored draft, filled in with what was saved."""
    doc = queries.document(session, c)
    values = {k: as_text(v) for k, v in doc.items()}
    values.setdefault("lead", c.created_by)
    values["lead"] = values["lead"] or c.created_by
    first = (speaker, *sorted(people_in(doc)))
    people = tuple(Person(a, n) for a, n in queries.known_people(session, first))
    form = c.form or ""
    length = c.length or "short"
    required = required_fields(Length(length), Form(form)) if form in Form.__members__ else ()
    base = dict(form_id=f"commission-{c.id}", commission_id=c.id, values=values, people=people, kind=c.kind,
                length=length, form=form, required=required, recommended=c.recommended_form,
                origin=origin_of(session, c), version=c.version, changing=c.decided_version is not None)
    return FormView(**{**base, **extra})
