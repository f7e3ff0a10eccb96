"""Annual-wheel cards: the reminder in the steering-group channel, the digest, the escalation,
and what "Start" opens in a 1:1 chat. Pure: view data + translator in, card JSON out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from microsoft_teams.cards import (
    AdaptiveCard,
    Container,
    DateInput,
    Fact,
    FactSet,
    ShowCardAction,
    TextInput,
)

from bot.i18n import Translator
from cards.common import card, escape, execute, heading, para, user_text, with_mentions
from cards.verbs import Verb

MAX_REASON = 500


@dataclass(frozen=True)
class ReminderView:
    occurrence_id: int
    title: str  # the wheel's text in the reader's language
    body: str
    area_name: str
    audience: str  # "coordinators" | "steering_group"
    period: str  # "2026-03"
    answer_by: date | None
    status: str  # OccurrenceStatus value
    answer: str | None = None  # Answer value
    answered_by_name: str = ""
    answered_at: datetime | None = None
    snooze_until: date | None = None
    reason: str = ""
    action: str | None = None  # wheel action the Start button opens
    coordinator_ids: tuple[str, ...] = field(default=())  # Teams user ids for the refresh
    missed_due: date | None = None  # set when it was missed while Styra was down (its due day)
    mentions: tuple[tuple[str, str], ...] = field(default=())  # (Teams id, name): who must act


def audience_label(t: Translator, audience: str) -> str:
    return t("the steering group") if audience == "steering_group" else t("the coordinators")


def status_label(t: Translator, status: str, answer: str | None, *, missed: bool = False) -> str:
    """`missed`: found missed while Styra was down; until it is answered it says so."""
    if missed and answer is None and status in ("missed", "due", "claimed", "sent"):
        return t("Missed, still relevant?")
    if answer == "done":
        return t("Done")
    if answer == "not_applicable":
        return t("Not applicable")
    if answer == "started":
        return t("Started")
    if answer == "snoozed":
        return t("Snoozed")
    return {
        "due": t("Upcoming"),
        "claimed": t("Being posted"),
        "sent": t("Open"),
        "failed": t("Could not be posted"),
        "missed": t("Missed"),
    }.get(status, status)


def _day(value: date | datetime | None) -> str:
    if value is None:
        return "–"
    return value.strftime("%Y-%m-%d")


def _answer_line(t: Translator, view: ReminderView) -> str | None:
    who = escape(view.answered_by_name or "?")
    when = _day(view.answered_at)
    if view.answer == "done":
        return t("Marked as done by {name} on {date}.", name=who, date=when)
    if view.answer == "started":
        return t("Started by {name} on {date}.", name=who, date=when)
    if view.answer == "snoozed":
        return t("Snoozed by {name} on {date} until {until}.", name=who, date=when,
                 until=_day(view.snooze_until))
    if view.answer == "not_applicable":
        return t("Marked as not applicable by {name} on {date}.", name=who, date=when)
    return None


def _ref(view: ReminderView) -> dict:
    return {"occurrence_id": view.occurrence_id}


def reminder_card(t: Translator, view: ReminderView, *, interactive: bool,
                  notice: str | None = None, notice_style: str = "attention") -> dict:
    """The reminder. As posted it is read-only for everyone; the refresh gives the e-area's
    coordinators the interactive view (buttons), which is also what an answer returns."""
    closed = view.status == "answered"
    # Missed while Styra was down, and nobody has answered since: ask whether it still matters.
    asking = view.missed_due is not None and view.answer is None and not closed
    body = [
        para(t("Annual wheel · {area}", area=escape(view.area_name)), is_subtle=True, size="Small",
             spacing="None"),
    ]
    if asking:
        body.append(Container(style="warning", items=[
            para(t("Missed: Styra was down when this was due on {date}. Is it still relevant?",
                   date=_day(view.missed_due)), weight="Bolder"),
            para(t("Answer as usual: Done, Start, Snooze or Not applicable."), size="Small"),
        ]))
    body += [
        heading(view.title, size="Medium"),
        para(escape(view.body)),
        FactSet(facts=[
            Fact(title=t("For"), value=audience_label(t, view.audience)),
            Fact(title=t("Answer by"), value=_day(view.answer_by)),
            Fact(title=t("Status"), value=status_label(t, view.status, view.answer,
                                                       missed=view.missed_due is not None)),
        ]),
    ]
    line = _answer_line(t, view)
    if line:
        body.append(para(line, weight="Bolder" if closed else None))
    if view.answer == "not_applicable" and view.reason:
        body.append(user_text(view.reason, is_subtle=True))
    if notice:
        body.append(Container(style=notice_style, items=[para(notice)]))
    actions = []
    if interactive and not closed and view.status == "sent":
        actions.append(execute(t("Done"), {"verb": Verb.REMINDER_DONE, **_ref(view)}, style="positive"))
        if view.action:
            actions.append(execute(t("Start"), {"verb": Verb.REMINDER_START, **_ref(view)}))
        actions.append(ShowCardAction(title=t("Snooze"), card=AdaptiveCard(
            body=[DateInput(id="snooze_until", label=t("Remind us again on"), is_required=True,
                            error_message=t("Pick a date."))],
            actions=[execute(t("Snooze"), {"verb": Verb.REMINDER_SNOOZE, **_ref(view)})],
        )))
        actions.append(ShowCardAction(title=t("Not applicable"), card=AdaptiveCard(
            body=[TextInput(id="reason", label=t("Why does this not apply?"), is_multiline=True,
                            is_required=True, max_length=MAX_REASON,
                            error_message=t("Write a short reason."))],
            actions=[execute(t("Save"), {"verb": Verb.REMINDER_NA, **_ref(view)})],
        )))
    refresh = None
    if view.coordinator_ids and not closed:
        refresh = ({"verb": Verb.REMINDER_REFRESH, **_ref(view)}, list(view.coordinator_ids))
    fallback = t("Missed, still relevant? {title}", title=view.title) if asking else view.title
    built = card(body, actions or None, refresh=refresh, fallback_text=fallback)
    if closed or view.answer is not None:
        return built  # answered (or being worked on): nobody needs a nudge
    return with_mentions(built, t("To answer: {names}"), list(view.mentions))


@dataclass(frozen=True)
class DigestItem:
    title: str
    period: str
    status_text: str
    answer_by: date | None


def digest_card(t: Translator, area_name: str, week: str, items: list[DigestItem]) -> dict:
    body = [
        heading(t("Open in the annual wheel · {area}", area=escape(area_name)), size="Medium"),
        para(t("Week {week}: these reminders have no final answer yet.", week=week.split("W")[-1])),
        FactSet(facts=[
            Fact(title=escape(item.title),
                 value=t("{status}, answer by {date}", status=item.status_text, date=_day(item.answer_by)))
            for item in items[:30]
        ]),
    ]
    if len(items) > 30:
        body.append(para(t("… and {n} more.", n=len(items) - 30), is_subtle=True))
    return card(body, fallback_text=t("Open in the annual wheel · {area}", area=area_name))


def escalation_card(t: Translator, view: ReminderView, working_days: int) -> dict:
    body = [
        heading(t("A reminder has not been answered"), size="Medium"),
        para(t.n("The coordinators of {area} have not answered this reminder in {n} working day. As chair, you may want to follow it up.",
                 "The coordinators of {area} have not answered this reminder in {n} working days. As chair, you may want to follow it up.",
                 working_days, area=escape(view.area_name))),
        FactSet(facts=[
            Fact(title=t("Reminder"), value=escape(view.title)),
            Fact(title=t("Answer by"), value=_day(view.answer_by)),
        ]),
    ]
    return card(body, fallback_text=t("A reminder has not been answered"))


# --- what "Start" opens ---------------------------------------------------------------------


def status_report_card(t: Translator, area_name: str, quarter: str | None,
                       extras: tuple[str, ...]) -> dict:
    """The quarter's status-report checklist (DOMAIN.md §5): the fixed template plus extras."""
    base = [
        t("Progress against each goal in the plan"),
        t("Risks"),
        t("Deviations and new conditions, and how each is handled"),
        t("Resources and costs: outcome against the frame, time reporting"),
    ]
    extra_text = {
        "security_review": t("Result of the information security review"),
        "agreements_and_service_levels": t("Status of agreements and service levels"),
        "needs_next_year": t("The e-area's needs for next year"),
        "annual_commission": t("The annual commission, fitted to the budget"),
        "time_estimates": t("Time estimates for each proposed action"),
        "draft_plan": t("Draft of next year's plan"),
        "completed_plan": t("The completed plan for next year"),
    }
    lines = base + [extra_text[e] for e in extras if e in extra_text]
    title = t("Status report {quarter} · {area}", quarter=(quarter or "").upper(), area=escape(area_name))
    body = [heading(title, size="Medium"),
            para(t("Cover these points in the report to the steering group:")),
            para("\n".join(f"- {line}" for line in lines))]
    return card(body, fallback_text=title)


@dataclass(frozen=True)
class NeedLine:
    number: str
    title: str
    status_text: str


def needs_card(t: Translator, title: str, area_name: str, needs: list[NeedLine]) -> dict:
    body = [heading(f"{title} · {escape(area_name)}", size="Medium")]
    if not needs:
        body.append(para(t("There are no needs here yet.")))
    else:
        body.append(FactSet(facts=[
            Fact(title=need.number, value=f"{escape(need.title)} ({need.status_text})")
            for need in needs[:40]
        ]))
        if len(needs) > 40:
            body.append(para(t("… and {n} more.", n=len(needs) - 40), is_subtle=True))
    return card(body, fallback_text=title)
