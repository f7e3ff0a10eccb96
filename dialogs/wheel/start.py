"""What "Start" opens: the activity's linked action (a status-report checklist, the needs
inventory, the plan), left for the user's 1:1 chat in the answer's transaction."""

from __future__ import annotations

import datetime as dt

from bot.i18n import Translator
from bot.outbox import card_activity
from bot.rules.wheel import QUARTER_REPORT_EXTRAS, Wheel
from cards import reminder as reminder_cards
from cards.common import escape
from cards.plan import GoalView, PlanView, plan_card
from cards.system import message_card
from dialogs import reports
from storage import needs as needs_repo
from storage import org, outbox, plans
from storage.models import Need, NeedStatus
from storage.outbox import Recipient
from storage.reminder_tables import ReminderOccurrence


def start(session, t: Translator, row: ReminderOccurrence, wheel: Wheel, area_name: str, aad_id: str,
          key: str, now: dt.datetime, settings=None) -> str:
    """Leave the activity's linked action for the user's 1:1 chat in the outbox (in the answer's
    transaction); returns a note for the card."""
    try:
        activity = wheel.activity(row.activity_key)
    except KeyError:
        return t("Marked as started.")
    if activity.action == "status_report" and settings is not None:  # the period's draft, by the reports capability
        card = reports.card_for_reminder(session, settings, t, row.scope, row.period, aad_id, now)
    else:
        card = _start_card(session, t, row, activity, area_name)
    if card is None:
        return t("Marked as started.")
    ref, teams_id, known = org.how_to_reach(session, aad_id)
    if ref is None and (teams_id is None or known is None):
        return t("Marked as started, but I could not reach you in a private chat. Write to me there first.")
    outbox.enqueue(session, key=key, to=Recipient.person(aad_id), activity=card_activity(card),
                   kind="reminder.start", now=now)
    return t("Marked as started. I have sent you what you need in our private chat.")


def _start_card(session, t: Translator, row: ReminderOccurrence, activity, area_name: str) -> dict | None:
    if activity.action == "status_report":
        extras = QUARTER_REPORT_EXTRAS.get(activity.quarter_report or "", ())
        return reminder_cards.status_report_card(t, area_name, activity.quarter_report, extras)
    if activity.action in ("needs_inventory", "needs_list"):
        statuses = ((NeedStatus.inventory,) if activity.action == "needs_inventory"
                    else (NeedStatus.registered, NeedStatus.under_assessment,
                          NeedStatus.awaiting_decision, NeedStatus.inventory))
        needs = _needs(session, row.scope, statuses)
        title = t("Needs inventory") if activity.action == "needs_inventory" else t("Needs")
        labels = _need_status_labels(t)
        return reminder_cards.needs_card(t, title, area_name, [
            reminder_cards.NeedLine(n.number, n.title, labels.get(n.status, str(n.status))) for n in needs])
    if activity.action == "show_plan":
        year = int(row.period[:4])
        # Next year's plan is what May-December activities work on; January reviews this year's.
        if activity.month >= 5:
            year += 1
        return _plan_card(session, t, row.scope, year, area_name)
    return None


def _needs(session, scope: str, statuses) -> list[Need]:
    area = org.e_area_by_slug(session, scope)
    if area is None:
        return []
    return sorted((need for need, _area in needs_repo.of_area(session, area.id, statuses)), key=lambda n: n.number)


def _need_status_labels(t: Translator) -> dict:
    return {
        NeedStatus.registered: t("registered"),
        NeedStatus.under_assessment: t("under assessment"),
        NeedStatus.awaiting_decision: t("awaiting decision"),
        NeedStatus.inventory: t("in the needs inventory"),
    }


def _plan_card(session, t: Translator, scope: str, year: int, area_name: str) -> dict:
    area = org.e_area_by_slug(session, scope)
    plan = plans.plan_for(session, area.id, year) if area else None
    if plan is None:
        text = t("{area} has no plan for {year} in Styra yet.", area=escape(area_name), year=year)
        return message_card(t("Plan"), [text])
    goals = plans.goals(session, plan.id)
    view = PlanView(area_slug=scope, area=area_name, year=plan.year, title=plan.title,
                    status=plan.status.value, frame_sek=plan.frame_sek, frame_hours=plan.frame_hours,
                    used_sek=plan.committed_sek, used_hours=plan.committed_hours,
                    goals=tuple(GoalView(g.support_area, g.title, g.start, g.end, g.units) for g in goals))
    return plan_card(t, view)

