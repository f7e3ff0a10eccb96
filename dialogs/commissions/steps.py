"""The cards of the guided form's steps for a stored draft, and who may edit it: shared by the
flow (steps 1 and 2) and the document (step 3)."""

from __future__ import annotations

from typing import Any

from bot.rules.commission_document import W_SELF_APPROVAL, check_organisation
from bot.rules.commissions import Kind, Length, Status, approvers, approves_own
from cards.commission_forms import document_card, organisation_card, purpose_card
from dialogs.commissions import views
from dialogs.commissions.capability import NOT_FOUND
from storage import commission_queries as queries

E_DECIDED = "The commission is decided: open it and choose **Change** to start a new version."
ANSWERS = ("stakeholders", "predictability", "investment")


def editable(c, aad_id: str) -> bool:
    """The writer edits a draft (also while it is out for approval); a change of a decided
    commission is edited by whoever may steer it."""
    if c is None or c.status not in (Status.draft.value, Status.awaiting_approval.value):
        return False
    return aad_id == c.created_by or (c.decided_version is not None and views.may_steer(c, aad_id))


def refusal(session, c, aad_id: str) -> str:
    if c is not None and views.visibility(session, c, aad_id) and c.status == Status.decided.value:
        return E_DECIDED
    return NOT_FOUND


def step_card(session, t, c, aad_id: str, step: int) -> dict:
    """The card of one step of a stored draft, filled in with what was saved."""
    if step <= 1 or not c.kind:
        return purpose_card(t, views.form_view(session, c, aad_id))
    if step == 2 or not c.form:
        return organisation_card_of(session, t, c, aad_id, queries.document(session, c), {})
    return document_card_of(session, t, c, aad_id)


def organisation_card_of(session, t, c, speaker: str, values: dict[str, Any], errors: dict[str, str]) -> dict:
    """Step 2's card: the questions, and once answered the recommendation with its reasons."""
    answers = {k: str(values.get(k) or "") for k in (*ANSWERS, "form")}
    check = check_organisation({k: answers[k] for k in ANSWERS}, Kind(c.kind), Length(c.length or "short"))
    recommended, reasons = "", ()
    if check.ok:
        recommended, reasons = check.values["recommended"].value, check.values["reasons"]
        answers["form"] = answers["form"] or c.form or recommended
    shown_errors = {k: e for k, e in {**check.errors, **errors}.items() if values.get(k) or k in errors}
    view = views.form_view(session, c, speaker, values={"title": c.title, **answers}, errors=shown_errors,
                           recommended=recommended, reasons=tuple(reasons))
    return organisation_card(t, view)


def document_card_of(session, t, c, speaker: str, **extra) -> dict:
    """Step 3 filled in with the stored draft; the self-approval warning when it applies."""
    doc = queries.document(session, c)
    lead = doc.get("lead") or c.created_by
    asked = approvers(doc.get("responsible_manager") or "", tuple(doc.get("managers") or ()))
    warnings = (W_SELF_APPROVAL,) if approves_own(lead, asked) else ()
    return document_card(t, views.form_view(session, c, speaker, warnings=warnings, **extra))
