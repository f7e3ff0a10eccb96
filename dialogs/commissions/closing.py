"""After the decision: the registry number (diarienummer) typed by whoever registers it, and
closing with a final report that the responsible manager reads and acknowledges in Teams."""

from __future__ import annotations

from bot.actions import CardAction
from bot.roles import is_admin
from bot.rules.commission_document import check_report
from bot.rules.commissions import E_NOT_DECIDED, Closure, Form, Status
from bot.text import clean
from bot.turn import Turn
from cards.commission_forms import REPORT_SECTIONS_PROJECT, REPORT_SECTIONS_SHORT, report_form_card
from cards.commission_lists import REGISTRY_MAX
from cards.common import escape
from cards.system import message_card
from cards.verbs import Verb
from dialogs.commissions import notices, views
from dialogs.commissions.capability import NOT_FOUND, answer_text, cap, show, submitted
from dialogs.commissions.notices import notifier
from storage import commission_queries as queries
from storage import commissions as repo

E_NOT_STEERING = "Only the lead, the responsible manager or whoever wrote the commission can do that."


def sections_for(form: str) -> tuple[str, ...]:
    return REPORT_SECTIONS_PROJECT if form == Form.project.value else REPORT_SECTIONS_SHORT


def _steerable(session, c, aad_id: str) -> str | None:
    """None when `aad_id` may steer the commission; otherwise the answer (msgid)."""
    if c is None or views.visibility(session, c, aad_id) != views.FULL:
        return NOT_FOUND
    if not views.may_steer(c, aad_id):
        return E_NOT_STEERING
    return None


# --- the registry number -------------------------------------------------------------------


@cap.action(Verb.COMMISSION_REGISTER, personal=True)
class Register(CardAction):
    commission_id: int


def register_work(session, *, speaker: str, commission_id: int, registry_number: str, admin: bool, now):
    c = queries.get(session, commission_id)
    refused = _steerable(session, c, speaker)
    if refused == E_NOT_STEERING and admin:
        refused = None
    if refused:
        return refused
    done = repo.set_registry_number(session, commission_id, registry_number=registry_number, actor=speaker, now=now)
    return done.error


@cap.handles(Register)
async def on_register(turn: Turn, act: Register):
    raw = submitted(turn).get("registry_number")
    number = clean(raw)[:REGISTRY_MAX] if isinstance(raw, str) else ""
    error = await turn.db.run(lambda s: register_work(s, speaker=turn.speaker.aad_id, commission_id=act.commission_id,
                                                      registry_number=number,
                                                      admin=is_admin(turn.settings, turn.speaker.aad_id), now=turn.now()))
    t = turn.t
    if error:
        return await answer_text(turn, t(error))
    if number:
        return await answer_text(turn, t("Registry number saved: {number}.", number=escape(number)))
    return await answer_text(turn, t("The registry number is removed."))


# --- closing with a final report -----------------------------------------------------------


@cap.action(Verb.COMMISSION_CLOSE, personal=True)
class OpenReport(CardAction):
    commission_id: int


@cap.action(Verb.COMMISSION_REPORT, personal=True)
class SubmitReport(CardAction):
    commission_id: int


def _report_view(session, c, speaker: str, **extra):
    return views.form_view(session, c, speaker, **{"values": {"title": c.title}, **extra})


def open_report_work(session, *, t, speaker: str, commission_id: int):
    c = queries.get(session, commission_id)
    refused = _steerable(session, c, speaker)
    if refused:
        return t(refused), None
    if c.status == Status.closed.value:
        return t("The commission is closed."), None
    return None, report_form_card(t, _report_view(session, c, speaker))


@cap.handles(OpenReport)
async def on_open_report(turn: Turn, act: OpenReport):
    error, card = await turn.db.run(lambda s: open_report_work(s, t=turn.t, speaker=turn.speaker.aad_id,
                                                               commission_id=act.commission_id))
    if error:
        return await answer_text(turn, error)
    return await show(turn, card, new_message=True)


def report_work(session, *, t, speaker: str, commission_id: int, raw: dict, now, lang: str):
    c = queries.get(session, commission_id)
    refused = _steerable(session, c, speaker)
    if refused:
        return "refused", t(refused)
    check = check_report(raw, sections=sections_for(c.form))
    if check.ok and check.values["closure"] != Closure.cancelled.value and c.decided_version is None:
        check.errors["closure"] = E_NOT_DECIDED
    if not check.ok:
        kept = {"title": c.title, "closure": check.values.get("closure") or "", **check.kept}
        return "invalid", report_form_card(t, _report_view(session, c, speaker, values=kept, errors=check.errors,
                                                           limits=check.limits))
    sections = {k: v for k, v in check.values.items() if k != "closure"}
    done = repo.close(session, c.id, actor=speaker, closure=Closure(check.values["closure"]), sections=sections, now=now,
                      notify=notifier(lang, now))
    if not done.ok:
        return "refused", t(done.error)
    manager = queries.names(session, {c.responsible_manager}).get(c.responsible_manager, "")
    return "closed", escape(manager)


@cap.handles(SubmitReport)
async def on_report(turn: Turn, act: SubmitReport):
    t = turn.t
    outcome, shown = await turn.db.run(lambda s: report_work(s, t=t, speaker=turn.speaker.aad_id,
                                                             commission_id=act.commission_id, raw=submitted(turn),
                                                             now=turn.now(), lang=turn.settings.default_locale))
    turn.services.outbox.nudge()
    if outcome == "refused":
        return await answer_text(turn, shown)
    if outcome == "invalid":
        return await show(turn, shown)
    text = (t("The commission is closed. {manager} gets the final report to acknowledge.", manager=shown) if shown
            else t("The commission is closed."))
    return await show(turn, message_card(t("Final report"), [text]))


# --- the responsible manager's acknowledgement ---------------------------------------------


@cap.action(Verb.COMMISSION_ACKNOWLEDGE)
class Acknowledge(CardAction):
    commission_id: int


def acknowledge_work(session, *, t, speaker: str, commission_id: int, now, lang: str):
    c = queries.get(session, commission_id)
    if c is None or views.visibility(session, c, speaker) != views.FULL or queries.report(session, c.id) is None:
        return None
    done = repo.acknowledge(session, c.id, actor=speaker, now=now)
    if done.ok and not done.notes:  # the first acknowledgement: the other copies and the lead
        notices.acknowledged(session, lang, now, c)
    return notices.report_card(session, t, c, speaker)


@cap.handles(Acknowledge)
async def on_acknowledge(turn: Turn, act: Acknowledge):
    card = await turn.db.run(lambda s: acknowledge_work(s, t=turn.t, speaker=turn.speaker.aad_id,
                                                        commission_id=act.commission_id, now=turn.now(),
                                                        lang=turn.settings.default_locale))
    turn.services.outbox.nudge()
    if card is None:
        return await answer_text(turn, turn.t(NOT_FOUND))
    return await show(turn, card)
