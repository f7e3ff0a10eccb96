"""Cards for following a need up: the edit form (the registration form's fields, prefilled), the
withdraw confirmation and the `att bedöma` list (the change lines: cards/need_history.py).

Pure: view data + translator in, card dict out. Values people typed go through escape() or
user_text(), never live markdown.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import Translator
from cards.common import card, escape, execute, heading, para, status_label, user_text
from cards.need_lists import row_element, submit_element
from cards.needs import FormView, NeedRow, form_errors, form_inputs
from cards.verbs import Verb


def edit_form_card(t: Translator, view: FormView, *, need_id: int, number: str, after: int = 0,
                   notice: str = "") -> dict:
    """`after`: the need's latest change when the form was shown, so a save finds a newer one."""
    title = t("Change {number}", number=number)
    body: list = [heading(title)]
    if view.errors:
        body.append(form_errors(t, view.errors))
    else:
        body.append(para(t("Change what needs changing and save. The need's history shows who changed what, and when.")))
    if notice:
        body.append(para(notice, is_subtle=True))
    body.extend(form_inputs(t, view))
    return card(body, [execute(t("Save the changes"), {"verb": Verb.NEED_UPDATE, "need_id": need_id,
                                                      "form_id": view.form_id, "after": after}),
                       execute(t("Cancel"), {"verb": Verb.NEED_SHOW, "need_id": need_id})], fallback_text=title)


def withdraw_card(t: Translator, row: NeedRow) -> dict:
    title = t("Withdraw {number}?", number=row.number)
    body = [heading(title), user_text(row.title, weight="Bolder"),
            para(t("A withdrawn need is kept with its history, but it is no longer listed as open and the coordinators will not assess it. This cannot be undone."))]
    return card(body, [execute(t("Yes, withdraw it"), {"verb": Verb.NEED_WITHDRAW_CONFIRM, "need_id": row.need_id}),
                       execute(t("No, keep it"), {"verb": Verb.NEED_SHOW, "need_id": row.need_id})],
                fallback_text=title)


@dataclass(frozen=True)
class ToAssess:
    rows: list[NeedRow]
    areas: list[str]  # the coordinator's e-areas, in the reader's language
    total: int = 0
    first: int = 1  # the place of the page's first need in the whole list
    more: dict | None = None  # the data of "Show more" (the next page), when there is one


def to_assess_card(t: Translator, view: ToAssess) -> dict:
    title = t("Needs to assess")
    areas = ", ".join(escape(a) for a in view.areas)
    body: list = [heading(title, size="Medium")]
    if not view.rows:
        body.append(para(t("No needs are waiting for assessment in {areas}.", areas=areas)))
        return card(body, fallback_text=title)
    body.append(para(t("Waiting for assessment in {areas}, oldest first.", areas=areas), is_subtle=True))
    assess, show = t("Assess"), t("Show the need")
    for row in view.rows:
        line = (f"{status_label(t, row.status)} · {escape(row.area)} · " + t("Registered {date}", date=row.created)
                + (" · " + t("{count} also affected", count=row.affected) if row.affected else ""))
        body.append(row_element(row.number, row.title, line, [
            submit_element(assess, {"verb": Verb.ASSESS_OPEN.value, "need_id": row.need_id}),
            submit_element(show, {"verb": Verb.NEED_SHOW.value, "need_id": row.need_id})]))
    if view.first > 1:
        body.append(para(t("Showing {first}–{last} of {total}.", first=view.first,
                           last=view.first + len(view.rows) - 1, total=view.total), is_subtle=True))
    elif view.total > len(view.rows):
        body.append(para(t("Showing {shown} of {total}.", shown=len(view.rows), total=view.total), is_subtle=True))
    return card(body, [execute(t("Show more"), view.more)] if view.more else None, fallback_text=title,
                shorten_here=False)  # fitted where sent
