"""Step 3 of the guided form, the commission document: save the draft, send it for approval, and
start a change of a decided commission (a new version the same managers approve again).

A draft may be saved with fields still empty; what was typed wrong is shown again with the error
and is not saved over what was there. Sending needs every field the rule requires. Sending, and
a change while approvals are in flight, write the approval cards to the outbox in the same
transaction (notices.py).
"""

from __future__ import annotations

from typing import Any

from bot.actions import CardAction
from bot.rules.commission_document import MANY_PEOPLE, SINGLE_PEOPLE, check_document
from bot.rules.commissions import DOCUMENT_FIELDS, N_APPROVALS_RESET, Form, Length, Status
from bot.turn import Turn
from cards.commission_forms import document_card
from cards.common import escape
from cards.system import message_card
from cards.verbs import Verb
from dialogs.commissions import steps, views
from dialogs.commissions.capability import (
    FLOW_QUESTION,
    NOT_FOUND,
    answer_text,
    cap,
    show,
    submitted,
)
from dialogs.commissions.notices import notifier
from storage import commission_queries as queries
from storage import commissions as repo

SAVED = "Draft saved. Continue now or later: write **new commission** to come back to it."


def _roster(session, raw: dict[str, Any]) -> dict[str, str]:
    """The people named in the form whom Styra knows (an unknown id cannot be asked to approve)."""
    ids: set[str] = set()
    for name in (*SINGLE_PEOPLE, *MANY_PEOPLE):
        value = raw.get(name)
        if isinstance(value, str):
            ids |= {p.strip() for p in value.split(",") if p.strip()}
    return queries.names(session, {i for i in ids if len(i) <= 64})


def _fields(check, stored: dict[str, Any]) -> dict[str, Any]:
    """What the form may write: every field checked without error (an empty title never)."""
    fields = {k: v for k, v in check.values.items() if k in DOCUMENT_FIELDS and k not in check.errors}
    if not fields.get("title"):
        fields.pop("title", None)
    return {k: v for k, v in fields.items() if not (v in ("", None, ()) and stored.get(k) in ("", None, [], ()))}


def save_work(session, *, t, speaker: str, raw: dict[str, Any], commission_id: int, send: bool, now, lang: str):
    """One transaction: check, save, and (send) submit with the approval cards in the outbox.
    Returns (outcome, card or text, the managers asked)."""
    c = queries.get(session, commission_id)
    if not steps.editable(c, speaker):
        return "refused", t(steps.refusal(session, c, speaker)), ()
    if not c.form or not c.kind:
        return "step", steps.step_card(session, t, c, speaker, 2), ()
    stored = queries.document(session, c)
    check = check_document(raw, form=Form(c.form), length=Length(c.length or "short"), roster=_roster(session, raw))
    errors = dict(check.errors)
    if not send:  # a draft may leave fields empty; only what was typed wrong is refused
        errors = {k: e for k, e in errors.items() if check.kept.get(k)}
    notify = notifier(lang, now)
    fields = _fields(check, stored)
    notes: tuple[str, ...] = ()
    if fields:
        done = repo.save_draft(session, c.id, actor=speaker, fields=fields, now=now, step=3, notify=notify)
        if not done.ok:
            return "refused", t(done.error), ()
        notes = done.notes
    asked = tuple(r.manager for r in queries.approvals(session, c.id, c.version))
    if N_APPROVALS_RESET in notes:  # changed while out for approval: the managers were asked again
        return "resent", None, asked
    if errors:
        kept = {**{k: views.as_text(v) for k, v in stored.items()}, **check.kept}
        card = document_card(t, views.form_view(session, c, speaker, values=kept, errors=errors, limits=check.limits,
                                                warnings=check.warnings))
        return "invalid", card, ()
    if c.status == Status.awaiting_approval.value:
        return "waiting", None, asked
    if not send:
        return "saved", steps.document_card_of(session, t, c, speaker, notice=t(SAVED)), ()
    done = repo.submit(session, c.id, actor=speaker, now=now, notify=notify)
    if not done.ok:
        return "invalid", steps.document_card_of(session, t, c, speaker, errors={"responsible_manager": done.error}), ()
    return "sent", None, tuple(r.manager for r in queries.approvals(session, c.id, c.version))


@cap.action(Verb.COMMISSION_DOCUMENT, personal=True)
class SaveDocument(CardAction):
    commission_id: int


@cap.action(Verb.COMMISSION_SUBMIT, personal=True)
class SubmitDocument(CardAction):
    commission_id: int


async def _save(turn: Turn, commission_id: int, *, send: bool):
    t = turn.t

    def work(session):
        outcome, shown, asked = save_work(session, t=t, speaker=turn.speaker.aad_id, raw=submitted(turn),
                                          commission_id=commission_id, send=send, now=turn.now(),
                                          lang=turn.settings.default_locale)
        return outcome, shown, asked, queries.names(session, set(asked))

    outcome, shown, asked, names = await turn.db.run(work)
    turn.services.outbox.nudge()
    if outcome == "refused":
        return await answer_text(turn, shown)
    if outcome in ("sent", "resent", "waiting"):
        turn.forget_question()
        who = escape(", ".join(names.get(a, a) for a in asked))
        text = {"sent": t("Sent for approval to {names}. Your copy of the approval card shows their answers as they come.", names=who),
                "resent": t("The document is changed. Earlier answers no longer count: {names} are asked to approve the new version.",
                            names=who),
                "waiting": t("Nothing was changed. {names} are still asked to approve it.", names=who)}[outcome]
        return await show(turn, message_card(t("Sent for approval"), [text]))
    turn.ask(FLOW_QUESTION, commission_id=commission_id)
    return await show(turn, shown)


@cap.handles(SaveDocument)
async def on_save(turn: Turn, act: SaveDocument):
    return await _save(turn, act.commission_id, send=False)


@cap.handles(SubmitDocument)
async def on_submit(turn: Turn, act: SubmitDocument):
    return await _save(turn, act.commission_id, send=True)


# --- a change of a decided commission ------------------------------------------------------


@cap.action(Verb.COMMISSION_CHANGE, personal=True)
class StartChange(CardAction):
    commission_id: int


def change_work(session, *, t, speaker: str, commission_id: int, now):
    c = queries.get(session, commission_id)
    if c is None or views.visibility(session, c, speaker) != views.FULL:
        return t(NOT_FOUND), None
    if not views.may_steer(c, speaker):
        return t("Only the lead, the responsible manager or whoever wrote the commission can change it."), None
    if c.status == Status.draft.value and c.decided_version is not None:  # a change already started
        return None, steps.document_card_of(session, t, c, speaker)
    done = repo.start_change(session, c.id, actor=speaker, now=now)
    if not done.ok:
        return t(done.error), None
    return None, steps.document_card_of(session, t, c, speaker)


@cap.handles(StartChange)
async def on_change(turn: Turn, act: StartChange):
    error, card = await turn.db.run(lambda s: change_work(s, t=turn.t, speaker=turn.speaker.aad_id,
                                                          commission_id=act.commission_id, now=turn.now()))
    if error:
        return await answer_text(turn, error)
    turn.ask(FLOW_QUESTION, commission_id=act.commission_id)
    return await show(turn, card, new_message=True)
