"""Follow-up messages of commission use cases, written to the outbox in the same transaction as
the change (storage/commissions.py calls `notify(session, change)` before it returns).

Every row has a key unique to its business event and recipient, so a replayed use case writes
nothing twice. Each person's copy of an approval card has its own subject, so it is replaced by
that person's own view (with or without buttons) when someone answers: the card is live.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.i18n import Translator, translator
from bot.outbox import card_activity
from bot.rules import commissions as rules
from cards.commission_forms import REPORT_SECTIONS_PROJECT
from cards.commissions import DocumentView, announcement_card, approval_card, notice_card, title_of
from cards.commissions import acknowledge_card as ack_card
from cards.verbs import Verb
from dialogs.commissions import views
from storage import commission_queries as queries
from storage import org, outbox
from storage.commission_tables import Commission
from storage.commissions import Change
from storage.models import ChannelPurpose
from storage.outbox import Recipient

ANNOUNCE_SCOPE = "all"  # one channel announces every commission (`@Styra koppla uppdrag`)


def approval_subject(commission_id: int, version: int, aad_id: str) -> str:
    return f"commission:{commission_id}:v{version}:{aad_id}"


def report_subject(commission_id: int) -> str:
    return f"commission:{commission_id}:report"


@dataclass
class Sender:
    """Writes one use case's outbox rows; what it reads (languages, approvals, the document,
    cards) is read once per transaction and shared by every row."""

    session: object
    default_lang: str
    now: datetime
    c: Commission
    langs: dict[str, str | None] = field(default_factory=dict)
    approvals: dict[int, views.Approvals] = field(default_factory=dict)
    cards: dict[tuple, dict] = field(default_factory=dict)
    documents: dict[int, DocumentView] = field(default_factory=dict)

    def know(self, ids) -> None:
        """Read the languages of these people in one query."""
        missing = {a for a in ids if a and a not in self.langs}
        if missing:
            found = queries.languages(self.session, missing)
            self.langs.update({a: found.get(a) for a in missing})

    def t(self, aad_id: str) -> Translator:
        self.know({aad_id})
        return translator(self.langs.get(aad_id) or self.default_lang)

    def approvals_of(self, version: int) -> views.Approvals:
        if version not in self.approvals:
            self.approvals[version] = views.approvals_of(self.session, self.c, version)
        return self.approvals[version]

    def document(self, version: int | None = None) -> DocumentView:
        version = version or self.c.version
        if version not in self.documents:
            cached = self.approvals.get(version)
            self.documents[version] = cached.document if cached else views.document_of(self.session, self.c, version)
        return self.documents[version]

    def approval_card(self, t: Translator, version: int, viewer: str, message: str = "") -> dict:
        view = views.view_for(self.approvals_of(version), viewer, message=message)
        key = (t.lang, view)
        if key not in self.cards:  # the same view in the same language is built once
            self.cards[key] = approval_card(t, view)
        return self.cards[key]

    def put(self, key: str, to: Recipient, card: dict, *, subject: str | None = None, kind: str = "notice") -> None:
        outbox.enqueue(self.session, key=key[:200], to=to, activity=card_activity(card), kind=kind,
                       subject=subject, now=self.now)

    def updates(self, key: str, version: int, people) -> None:
        """Every listed person's copy of the approval card replaced with their view now; older
        states of those copies not sent yet would land after this one, so they are dropped."""
        people = tuple(dict.fromkeys(people))
        outbox.supersede(self.session, *(Recipient.updates(approval_subject(self.c.id, version, a)) for a in people),
                         now=self.now)
        for aad in people:
            self.approval(f"{key}:{aad}", version, aad, update=True)

    def approval(self, key: str, version: int, aad_id: str, *, update: bool, message: str = "") -> None:
        t = self.t(aad_id)
        card = self.approval_card(t, version, aad_id, t(message) if message else "")
        subject = approval_subject(self.c.id, version, aad_id)
        to = Recipient.updates(subject) if update else Recipient.person(aad_id)
        self.put(key, to, card, subject=None if update else subject, kind="approval" if not update else "notice")

    def notice(self, key: str, aad_id: str, title: str, text: str, *, comment: str = "",
               actions: tuple[tuple[str, Verb], ...] = (), **values) -> None:
        t = self.t(aad_id)
        d = self.document()
        shown_title = t(title, title=title_of(t, d), **values)
        shown_actions = tuple((t(label), verb) for label, verb in actions)
        self.put(key, Recipient.person(aad_id), notice_card(t, shown_title, t(text, **values), self.c.id,
                                                             comment=comment, actions=shown_actions))


def _lead_side(c: Commission, doc: dict) -> tuple[str, ...]:
    """Who wrote and leads it: they follow the approvals on their own copy."""
    return tuple(dict.fromkeys(a for a in (doc.get("lead") or c.lead, c.created_by) if a))


class Notifier:
    """The `notify` callback for storage/commissions.py use cases. After the call, `sender`
    holds what it read, so the caller's own answer card costs no second reading."""

    def __init__(self, default_lang: str, now: datetime) -> None:
        self.default_lang = default_lang
        self.now = now
        self.sender: Sender | None = None

    def approval_card(self, session, t: Translator, c: Commission, version: int, viewer: str, message: str = "") -> dict:
        if self.sender is None or self.sender.c is not c:
            self.sender = Sender(session, self.default_lang, self.now, c)
        return self.sender.approval_card(t, version, viewer, message)

    def __call__(self, session, change: Change) -> None:
        c, notes, doc = change.commission, change.notes, change.document
        now = self.now
        send = self.sender = Sender(session, self.default_lang, now, c)
        v = c.version
        watchers = tuple(dict.fromkeys((*change.asked, *_lead_side(c, doc))))
        send.know({*watchers, change.actor, *_everyone(doc)})
        if rules.N_NEW_VERSION in notes and v > 1:  # the copies of the version before now say it was replaced
            earlier = [r.manager for r in queries.approvals(session, c.id, v - 1)]
            send.updates(f"commission:{c.id}:v{v - 1}:replaced", v - 1, (*earlier, *_lead_side(c, doc)))
        if rules.N_SUBMITTED in notes or rules.N_APPROVALS_RESET in notes:
            message = "The document was changed while it was out for approval: earlier answers no longer count." \
                if rules.N_APPROVALS_RESET in notes else ""
            for aad in watchers:
                send.approval(f"commission:{c.id}:v{v}:ask:{aad}", v, aad, update=False, message=message)
            return
        if rules.N_APPROVED in notes or rules.N_RETURNED in notes:
            answer = "declined" if rules.N_RETURNED in notes else "approved"
            # Every copy, the answering manager's too: the invoke's answer already shows it, but an
            # older update still being sent could land after that answer; this one comes later.
            send.updates(f"commission:{c.id}:v{v}:{change.actor}:{answer}", v, (*watchers, change.actor))
        if rules.N_RETURNED in notes:
            who = queries.names(session, {change.actor}).get(change.actor, change.actor)
            for aad in _lead_side(c, doc):
                send.notice(f"commission:{c.id}:v{v}:returned:{aad}", aad, "Returned: {title}",
                            "{who} declined version {version}. Change the document and send it again.",
                            comment=change.comment, actions=(("Edit", Verb.COMMISSION_STEP),), who=who, version=v)
        if rules.N_DECIDED in notes:
            _decided(send, session, c, doc, first=rules.N_FIRST_DECISION in notes)
        if rules.N_CLOSED in notes:
            _closed(send, session, c)


def notifier(default_lang: str, now: datetime) -> Notifier:
    return Notifier(default_lang, now)


def _decided(send: Sender, session, c: Commission, doc: dict, *, first: bool) -> None:
    v = c.version
    for aad in _lead_side(c, doc):
        send.notice(f"commission:{c.id}:v{v}:decided:{aad}", aad, "Decided: {title}",
                    "Every manager has approved version {version}. The commission has the number {number}. "
                    "Whoever registers it as an executive decision can note its registry number on the commission.",
                    version=v, number=c.number)
    everyone = _everyone(doc) - set(_lead_side(c, doc))
    for aad in sorted(everyone):
        t = send.t(aad)
        send.put(f"commission:{c.id}:v{v}:announce:{aad}", Recipient.person(aad),
                 announcement_card(t, send.document(), c.id, changed=not first))
    if org.linked_channel(session, ChannelPurpose.commission, ANNOUNCE_SCOPE) is not None:
        t = translator(send.default_lang)
        send.put(f"commission:{c.id}:v{v}:announce", Recipient.linked(ChannelPurpose.commission, ANNOUNCE_SCOPE),
                 announcement_card(t, send.document(), c.id, changed=not first))


def _everyone(doc: dict) -> set[str]:
    """Who takes part: the participants, and a project's project group and steering group."""
    return {*(doc.get("participants") or ()), *(doc.get("project_group") or ()), *(doc.get("steering_group") or ())}


def report_card(session, t: Translator, c: Commission, viewer: str) -> dict:
    """The final report as the responsible manager reads and acknowledges it."""
    report = queries.report(session, c.id)
    sections = queries.report_sections(report)
    shown = tuple((name, str(sections.get(name) or "")) for name in REPORT_SECTIONS_PROJECT)
    acknowledged = ""
    if report.acknowledged_by:
        acknowledged = queries.names(session, {report.acknowledged_by}).get(report.acknowledged_by, report.acknowledged_by)
    return ack_card(t, c.id, views.document_of(session, c, c.decided_version or c.version), report.closure,
                    sections=shown, acknowledged=acknowledged, can_acknowledge=viewer == c.responsible_manager)


def _closed(send: Sender, session, c: Commission) -> None:
    manager = c.responsible_manager
    if manager:
        send.put(f"commission:{c.id}:report:ask", Recipient.person(manager),
                 report_card(session, send.t(manager), c, manager), subject=report_subject(c.id))
    pending = [r.manager for r in queries.approvals(session, c.id, c.version) if r.answer is None]
    send.updates(f"commission:{c.id}:closed", c.version, pending)  # cancelled while out: no buttons left


def acknowledged(session, default_lang: str, now: datetime, c: Commission) -> None:
    """After the responsible manager's acknowledgement: their copies updated, the lead told."""
    send = Sender(session, default_lang, now, c)
    manager = c.responsible_manager
    send.put(f"commission:{c.id}:report:acknowledged", Recipient.updates(report_subject(c.id)),
             report_card(session, send.t(manager), c, manager))
    doc = queries.document(session, c)
    for aad in _lead_side(c, doc):
        if aad != manager:
            send.notice(f"commission:{c.id}:report:acknowledged:{aad}", aad, "Final report acknowledged: {title}",
                        "The responsible manager has acknowledged the final report. The commission is closed.")
