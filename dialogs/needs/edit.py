"""Following a need up: its raiser changes it until it is assessed, or withdraws it (with a
confirm step); the coordinators of its e-area change it at any time. Who may do which comes
from the access policy (bot/rules/policy.py, acts `edit` and `withdraw`).

    need.edit              -> the registration form's fields, prefilled from the need
    need.update            -> checked like a registration (a bad field: the form again, with what
                              was typed); the changed fields and one need-history row
                              (storage/need_tables.py) in one transaction
    need.withdraw          -> "withdraw it?"; need.withdraw_confirm -> status withdrawn, kept

Each change has a business key (the form id, or the need for a withdrawal) that is unique in
the need-history table: a double click or a redelivery writes one row and answers the same.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import field_validator

from bot.actions import CardAction
from bot.i18n import Translator
from bot.registry import Capability
from bot.rules import needs as rules
from bot.rules.policy import Act
from bot.similar import index_of
from bot.turn import Speaker, Turn
from cards import need_edit as editcards
from cards.common import escape
from cards.verbs import Verb
from dialogs.needs import notice
from dialogs.needs.lists import show_need
from dialogs.needs.register import NeedInputs, form_view, new_form_id, valid_form_id
from dialogs.needs.views import (
    answer_text,
    area_name,
    coordinator_names,
    local_today,
    need_row,
    rights,
    send,
)
from storage import need_changes as changes_repo
from storage import org, plans
from storage.models import Need, Role

cap = Capability("need-edit")

# form field -> the need's attribute (e_area and goals are stored apart)
ATTRIBUTES = {"title": "title", "description": "description", "source": "source", "on_behalf_of": "on_behalf_of",
              "benefit": "benefit", "hours": "effort_hours", "cost": "cost_sek", "wished_date": "wished_date"}


@cap.action(Verb.NEED_EDIT, personal=True)
class EditNeed(CardAction):
    need_id: int


@cap.action(Verb.NEED_UPDATE)
class UpdateNeed(NeedInputs):
    need_id: int
    form_id: str | None = None  # damaged: the form is shown again with a fresh id
    after: int = 0  # the need's latest change when the form was shown

    @field_validator("form_id", mode="before")
    @classmethod
    def _form_id(cls, value: Any) -> str | None:
        return valid_form_id(value)


@cap.action(Verb.NEED_WITHDRAW, personal=True)
class WithdrawNeed(CardAction):
    need_id: int


@cap.action(Verb.NEED_WITHDRAW_CONFIRM)
class ConfirmWithdraw(CardAction):
    need_id: int


def edit_key(need_id: int, aad_id: str, form_id: str) -> str:
    return f"need-edit:{need_id}:{aad_id}:{form_id}"[:200]


def withdraw_key(need_id: int) -> str:
    return f"need-withdraw:{need_id}"  # a need is withdrawn once


# --- refusals in words --------------------------------------------------------------------------


def _refusal(session, t: Translator, need: Need, aad_id: str, act: Act) -> str:
    area = org.e_area(session, need.e_area_id)
    names = ", ".join(escape(n) for n in coordinator_names(session, area.slug)) or "–"
    place = escape(area_name(area, t.lang))
    own = need.raised_by == aad_id
    if own and str(getattr(need.status, "value", need.status)) == "withdrawn":
        return t("You withdrew {number}, so it can no longer be changed.", number=need.number)
    if act is Act.withdraw:
        if own:
            return t("{number} has been assessed, so it can no longer be withdrawn. Ask the coordinators of {area}: {names}.",
                     number=need.number, area=place, names=names)
        return t("Only the person who registered {number} can withdraw it, and only before it is assessed.",
                 number=need.number)
    if own:
        return t("{number} has been assessed, so only the coordinators of {area} can change it now: {names}.",
                 number=need.number, area=place, names=names)
    return t("Only the person who registered {number} (until it is assessed) and the coordinators of {area} can change it.",
             number=need.number, area=place)


# --- the form -----------------------------------------------------------------------------------


def _view(session, lang: str, today: date, need: Need, form_id: str, values: dict[str, str],
          errors: dict[str, str] | None = None):
    view = form_view(session, lang, today, form_id, values, errors)
    if need.wished_date and need.wished_date < today:  # a date that has passed may stay as it was
        view.today = need.wished_date.isoformat()
    return view


def open_work(session, *, t: Translator, speaker: Speaker, settings, need_id: int, today: date):
    need = session.get(Need, need_id)
    if need is None:
        return "missing", t("I cannot find that need any more. Nothing was changed.")
    if Act.edit not in rights(session, settings, need.id, speaker.aad_id):
        return "refused", _refusal(session, t, need, speaker.aad_id, Act.edit)
    view = _view(session, t.lang, today, need, new_form_id(), changes_repo.as_form(session, need))
    return "ok", editcards.edit_form_card(t, view, need_id=need.id, number=need.number,
                                          after=changes_repo.latest_id(session, need.id))


@cap.handles(EditNeed)
async def on_edit(turn: Turn, act: EditNeed):
    kind, answer = await turn.db.run(lambda s: open_work(s, t=turn.t, speaker=turn.speaker, settings=turn.settings,
                                                         need_id=act.need_id, today=local_today(turn)))
    if kind != "ok":
        return await answer_text(turn, answer)
    return await send(turn, answer)


# --- the save -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    kind: str  # saved | repeat | unchanged | invalid | refused | missing
    card: dict | None = None
    text: str = ""
    indexed: tuple[int, int, str, str] | None = None  # (e-area id, need id, title, description)


def _stored_changes(session, old: dict[str, str], new: dict[str, str], fields: tuple[str, ...]) -> dict[str, list[str]]:
    out = {name: [old[name], new[name]] for name in fields}
    if "goals" in out:
        out["goals"] = [changes_repo.goal_titles(session, [int(g) for g in value.split(",") if g])
                        for value in out["goals"]]
    return out


def update_work(session, *, t: Translator, speaker: Speaker, settings, form: UpdateNeed, today: date, now) -> Saved:
    """One transaction: the need locked, the key looked up, the rule asked, the form checked, the change written."""
    key = edit_key(form.need_id, speaker.aad_id, form.form_id)
    need = changes_repo.lock(session, form.need_id)
    if need is None:
        return Saved("missing", text=t("I cannot find that need any more. Nothing was changed."))
    if changes_repo.by_key(session, key) is not None:  # looked up under the lock: a copy has committed
        return Saved("repeat")
    if Act.edit not in rights(session, settings, need.id, speaker.aad_id):
        return Saved("refused", text=_refusal(session, t, need, speaker.aad_id, Act.edit))
    old = changes_repo.as_form(session, need)
    latest = changes_repo.latest_id(session, need.id)

    def again(values: dict[str, str], errors: dict[str, str] | None = None, notice: str = "") -> dict:
        view = _view(session, t.lang, today, need, form.form_id, values, errors)
        return editcards.edit_form_card(t, view, need_id=need.id, number=need.number, after=latest, notice=notice)

    if latest != form.after:  # someone saved a change after this form was shown: never overwrite it unseen
        last = changes_repo.of_need(session, need.id)[-1]
        return Saved("invalid", again(form.typed(), notice=t(
            "{who} changed the need after you opened this form, so nothing was saved. Here is the form with what you wrote; compare it with the need and save again.",
            who=escape(last.actor_name or last.actor))))
    check = rules.validate(form.typed(), today=today, areas=org.e_area_slugs(session),
                           goals_by_area=plans.goal_ids_by_area(session, today.year), unreadable=form.unreadable,
                           kept_date=need.wished_date)
    errors = dict(check.errors)
    if check.ok and check.draft.e_area != old["e_area"] and changes_repo.assessed(session, need.id):
        errors["e_area"] = "The e-area cannot change after the need is assessed. Ask the coordinators of the other e-area to register it there."
    if errors:
        return Saved("invalid", again(check.kept, errors))
    new = rules.form_of(check.draft)
    fields = rules.changed_fields(old, new)
    if not fields:
        return Saved("unchanged", again(check.kept, notice=t("Nothing differs from the need as it is, so nothing was saved.")))
    draft = check.draft
    values = {"title": draft.title, "description": draft.description, "source": draft.source,
              "on_behalf_of": draft.on_behalf_of, "benefit": draft.benefit, "hours": draft.hours,
              "cost": draft.cost, "wished_date": draft.wished_date}
    attributes = {ATTRIBUTES[name]: values[name] for name in fields if name in ATTRIBUTES}
    if "e_area" in fields:
        attributes["e_area_id"] = org.e_area_by_slug(session, draft.e_area).id
    written = changes_repo.edit(session, need, key=key, fields=attributes,
                                goal_ids=list(draft.goals) if "goals" in fields else None,
                                changes=_stored_changes(session, old, new, fields), actor=speaker.aad_id,
                                actor_name=speaker.name, at=now)
    if written.repeated:
        return Saved("repeat")
    if "e_area" in fields:  # moved before its assessment: the new e-area's coordinators hear of it
        area = org.e_area_by_slug(session, draft.e_area)
        notice.enqueue(session, need=need, area=area, raised_by=need.raised_by_name or need.raised_by,
                       raiser=need.raised_by, coordinators=org.contacts(session, area.slug, Role.coordinator),
                       settings=settings, now=now)
    moved = {"title", "description", "e_area"} & set(fields)
    return Saved("saved", indexed=(need.e_area_id, need.id, need.title, need.description) if moved else None)


@cap.handles(UpdateNeed)
async def on_update(turn: Turn, act: UpdateNeed):
    t = turn.t
    today = local_today(turn)
    if act.form_id is None:
        return await on_edit(turn, EditNeed(need_id=act.need_id))
    saved = await turn.db.run(lambda s: update_work(s, t=t, speaker=turn.speaker, settings=turn.settings, form=act,
                                                    today=today, now=turn.now()))
    if saved.kind in ("missing", "refused"):
        return await answer_text(turn, saved.text)
    if saved.card is not None:
        return await send(turn, saved.card)
    if saved.indexed is not None:  # committed: the similar-needs check sees the new words at once
        await asyncio.to_thread(index_of(turn.services).put, *saved.indexed)
    return await show_need(turn, need_id=act.need_id)


# --- withdraw -----------------------------------------------------------------------------------


def withdraw_work(session, *, t: Translator, speaker: Speaker, settings, need_id: int, now, confirmed: bool):
    need = changes_repo.lock(session, need_id) if confirmed else session.get(Need, need_id)
    if need is None:
        return "missing", t("I cannot find that need any more. Nothing was changed.")
    if confirmed and changes_repo.by_key(session, withdraw_key(need.id)) is not None:
        return "done", None  # a second click: the first one withdrew it
    if Act.withdraw not in rights(session, settings, need.id, speaker.aad_id):
        return "refused", _refusal(session, t, need, speaker.aad_id, Act.withdraw)
    if not confirmed:
        area = org.e_area(session, need.e_area_id)
        return "confirm", editcards.withdraw_card(t, need_row(need, area, t.lang, tz=settings.timezone))
    changes_repo.withdraw(session, need, key=withdraw_key(need.id), actor=speaker.aad_id, actor_name=speaker.name,
                          at=now)
    return "done", None


async def _withdraw(turn: Turn, need_id: int, *, confirmed: bool):
    kind, answer = await turn.db.run(lambda s: withdraw_work(s, t=turn.t, speaker=turn.speaker, settings=turn.settings,
                                                             need_id=need_id, now=turn.now(), confirmed=confirmed))
    if kind in ("missing", "refused"):
        return await answer_text(turn, answer)
    if kind == "confirm":
        return await send(turn, answer)
    return await show_need(turn, need_id=need_id)


@cap.handles(WithdrawNeed)
async def on_withdraw(turn: Turn, act: WithdrawNeed):
    return await _withdraw(turn, act.need_id, confirmed=False)


@cap.handles(ConfirmWithdraw)
async def on_confirm_withdraw(turn: Turn, act: ConfirmWithdraw):
    return await _withdraw(turn, act.need_id, confirmed=True)
