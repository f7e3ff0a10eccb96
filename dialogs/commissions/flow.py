"""`nytt uppdrag` / `new commission`: the guided form, steps 1 (need and purpose) and 2 (how to
organise it, with the recommendation and its reasons), continuing a draft, pausing and discarding.
Step 3, the commission document, is in document.py.

The draft is saved at every step, so leaving and coming back continues where it stood. While a
form is open the user's pending question is FLOW_QUESTION: `avbryt` then pauses and keeps the
draft, `avbryt och släng` discards it.
"""

from __future__ import annotations

import re
from typing import Any

from bot.actions import CardAction
from bot.registry import Where
from bot.rules.commission_document import check_organisation, check_purpose
from bot.rules.commissions import Kind, Length, check_form
from bot.text import clean, fold
from bot.turn import Turn
from cards.commission_forms import FormView, purpose_card
from cards.commission_lists import Draft, drafts_card
from cards.common import escape
from cards.verbs import Verb
from dialogs.commissions import steps
from dialogs.commissions.capability import (
    FLOW_QUESTION,
    NOT_FOUND,
    answer_text,
    cap,
    new_form_id,
    show,
    submitted,
    valid_form_id,
)
from dialogs.commissions.notices import notifier
from storage import commission_queries as queries
from storage import commissions as repo

CANCEL = re.compile(r"^(?:avbryt|cancel|stopp|stop|avsluta|quit)$")
DISCARD = re.compile(r"^(?:avbryt och släng|släng utkastet|släng|cancel and discard|discard(?: the)? draft|discard)$")
ANSWERS = steps.ANSWERS


# --- starting and continuing ---------------------------------------------------------------


def _drafts(session, aad_id: str) -> list[Draft]:
    return [Draft(c.id, c.title, c.step, c.updated_at.date().isoformat()) for c in queries.open_drafts(session, aad_id)]


@cap.command("commission.new", r"(?:nytt uppdrag|new commission|skapa (?:ett )?uppdrag|create (?:a )?commission)",
             where=Where.personal, examples=("nytt uppdrag", "new commission"))
async def new_command(turn: Turn, match: re.Match) -> None:
    drafts = await turn.db.run(_drafts, turn.speaker.aad_id)
    if drafts:
        await turn.send_card(drafts_card(turn.t, drafts))
        return
    await start(turn)


async def start(turn: Turn, *, new_message: bool = True):
    turn.ask(FLOW_QUESTION)
    return await show(turn, purpose_card(turn.t, FormView(form_id=new_form_id())), new_message=new_message)


@cap.action(Verb.COMMISSION_NEW, personal=True)
class StartNew(CardAction):
    """Start a new commission although drafts exist."""


@cap.handles(StartNew)
async def on_start_new(turn: Turn, act: StartNew):
    return await start(turn, new_message=False)


@cap.action(Verb.COMMISSION_STEP, personal=True)
class Step(CardAction):
    commission_id: int
    step: int = 3


def _open_step(session, *, t, aad_id: str, commission_id: int, step: int):
    c = queries.get(session, commission_id)
    if not steps.editable(c, aad_id):
        return None, steps.refusal(session, c, aad_id)
    return steps.step_card(session, t, c, aad_id, step), None


@cap.handles(Step)
async def on_step(turn: Turn, act: Step):
    card, error = await turn.db.run(lambda s: _open_step(s, t=turn.t, aad_id=turn.speaker.aad_id,
                                                         commission_id=act.commission_id, step=act.step))
    if card is None:
        return await answer_text(turn, turn.t(error))
    turn.ask(FLOW_QUESTION, commission_id=act.commission_id)
    return await show(turn, card)


# --- step 1: need and purpose --------------------------------------------------------------


@cap.action(Verb.COMMISSION_PURPOSE, personal=True)
class Purpose(CardAction):
    form_id: str = ""
    commission_id: int | None = None


def _purpose(session, *, t, speaker, raw: dict[str, Any], form_id: str, commission_id: int | None, now, lang: str):
    check = check_purpose(raw)
    if not check.ok:
        view = FormView(form_id=form_id, commission_id=commission_id, values=check.kept, errors=check.errors,
                        limits=check.limits)
        return None, purpose_card(t, view), commission_id
    v = check.values
    fields = {"title": v["title"], "need": v["need"], "kind": v["kind"], "length": v["length"], "unit": raw_unit(raw)}
    if commission_id is None:
        c = repo.create_draft(session, key=f"commission-form:{speaker}:{form_id}", creator=speaker, title=v["title"],
                              kind=v["kind"].value, length=v["length"].value, unit=fields["unit"],
                              fields={"need": v["need"], "unit": fields["unit"]}, now=now)
        session.flush()
    else:
        c = queries.get(session, commission_id)
        if not steps.editable(c, speaker):
            return steps.refusal(session, c, speaker), None, None
        if c.form and check_form(v["kind"], c.form):  # another kind: the form chosen before may not fit
            fields |= {"form": "", "recommended_form": ""}
        done = repo.save_draft(session, c.id, actor=speaker, fields=fields, now=now, step=max(c.step, 2),
                               notify=notifier(lang, now))
        if not done.ok:
            return done.error, None, None
    return None, steps.organisation_card_of(session, t, c, speaker, queries.document(session, c), {}), c.id


def raw_unit(raw: dict[str, Any]) -> str:
    value = raw.get("unit")
    return clean(value)[:120] if isinstance(value, str) else ""


@cap.handles(Purpose)
async def on_purpose(turn: Turn, act: Purpose):
    form_id = valid_form_id(act.form_id) or new_form_id()
    error, card, commission_id = await turn.db.run(lambda s: _purpose(
        s, t=turn.t, speaker=turn.speaker.aad_id, raw=submitted(turn), form_id=form_id,
        commission_id=act.commission_id, now=turn.now(), lang=turn.settings.default_locale))
    if error:
        return await answer_text(turn, turn.t(error))
    turn.services.outbox.nudge()
    turn.ask(FLOW_QUESTION, commission_id=commission_id)
    return await show(turn, card)


# --- step 2: how to organise it ------------------------------------------------------------


@cap.action(Verb.COMMISSION_ORGANISATION, personal=True)
class Organisation(CardAction):
    commission_id: int
    confirm: bool = False


def _organise(session, *, t, speaker, raw: dict[str, Any], commission_id: int, confirm: bool, now, lang: str):
    c = queries.get(session, commission_id)
    if not steps.editable(c, speaker):
        return steps.refusal(session, c, speaker), None, False
    check = check_organisation({k: raw.get(k) for k in ANSWERS}, Kind(c.kind), Length(c.length or "short"))
    chosen = clean(raw.get("form")) if isinstance(raw.get("form"), str) else ""
    refused = check_form(Kind(c.kind), chosen) if chosen else None
    if not check.ok:
        kept = {k: check.kept.get(k, "") for k in ANSWERS} | {"form": chosen}
        return None, steps.organisation_card_of(session, t, c, speaker, kept, check.errors), False
    fields = {k: check.values[k] for k in ANSWERS} | {"recommended_form": check.values["recommended"]}
    moving_on = confirm and not refused
    if moving_on:
        fields["form"] = chosen or check.values["recommended"]
    done = repo.save_draft(session, c.id, actor=speaker, fields=fields, now=now,
                           step=3 if moving_on else max(c.step, 2), notify=notifier(lang, now))
    if not done.ok:
        return done.error, None, False
    if moving_on:
        return None, steps.document_card_of(session, t, c, speaker), True
    values = {k: check.kept[k] for k in ANSWERS} | {"form": chosen or check.values["recommended"].value}
    return None, steps.organisation_card_of(session, t, c, speaker, values, {"form": refused} if refused else {}), False


@cap.handles(Organisation)
async def on_organisation(turn: Turn, act: Organisation):
    error, card, _moved = await turn.db.run(lambda s: _organise(
        s, t=turn.t, speaker=turn.speaker.aad_id, raw=submitted(turn), commission_id=act.commission_id,
        confirm=act.confirm, now=turn.now(), lang=turn.settings.default_locale))
    if error:
        return await answer_text(turn, turn.t(error))
    turn.services.outbox.nudge()
    turn.ask(FLOW_QUESTION, commission_id=act.commission_id)
    return await show(turn, card)


# --- pausing and discarding ----------------------------------------------------------------


@cap.action(Verb.COMMISSION_DISCARD, personal=True)
class DiscardDraft(CardAction):
    commission_id: int


async def discard(turn: Turn, commission_id: int):
    def work(session):
        c = queries.get(session, commission_id)
        title = c.title if c is not None else ""
        return title, repo.discard(session, commission_id, actor=turn.speaker.aad_id)

    title, done = await turn.db.run(work)
    t = turn.t
    if done.ok:
        turn.forget_question()
        return await answer_text(turn, t("The draft \"{title}\" is discarded.", title=escape(title)))
    return await answer_text(turn, t(NOT_FOUND if done.commission is None else done.error))


@cap.handles(DiscardDraft)
async def on_discard(turn: Turn, act: DiscardDraft):
    return await discard(turn, act.commission_id)


@cap.on_interrupt
async def pause(turn: Turn) -> bool:
    """`avbryt` while a commission form is open keeps the draft; `avbryt och släng` discards it.
    Tried before the general cancel (the commissions capability comes first in app.py)."""
    pending = turn.pending or {}
    if pending.get("question") != FLOW_QUESTION:
        return False
    said = fold(turn.text).strip(" .!")
    commission_id = pending.get("commission_id")
    if DISCARD.match(said):
        if not isinstance(commission_id, int):
            turn.forget_question()
            await turn.say(turn.t("Cancelled. Nothing had been saved yet."))
            return True
        await discard(turn, commission_id)
        return True
    if not CANCEL.match(said):
        return False
    turn.forget_question()
    if isinstance(commission_id, int):
        await turn.say(turn.t("Paused. Your draft is saved: write **new commission** to continue it, or "
                              "**cancel and discard** next time to throw it away."))
    else:
        await turn.say(turn.t("Cancelled. Nothing had been saved yet."))
    return True


@cap.answer(FLOW_QUESTION)
async def typed_during_form(turn: Turn) -> bool:
    """Text while a form is open: commands still work; anything else gets a hint."""
    if turn.registry.match(turn.text) is not None:
        return False
    await turn.say(turn.t("Fill in the card above and press its button. Write **avbryt** to pause; your draft is kept."))
    return True
