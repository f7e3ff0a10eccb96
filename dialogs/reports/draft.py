"""Opening the quarter's status report: `statusrapport <e-område>` / `status report <e-area>`, or
"Start" on the quarter's reminder, opens the draft of the period (made and prefilled the first
time: goal colours, open deviations and risks from the previous report, outcome figures already
imported, next year's needs from the inventory in June). A coordinator gets the form; someone
else with a role in the e-area gets the report as it stands; anyone else a refusal that says
whom to ask. A submitted version can be reopened as a new draft (the old one is kept)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from bot.actions import CardAction
from bot.registry import Where
from bot.roles import who_can
from bot.rules import reports as rules
from bot.rules.permissions import Permission
from bot.rules.reports import Period
from bot.turn import Turn
from cards.common import escape
from cards.verbs import Verb
from dialogs.reports.common import (
    access,
    area_name,
    cap,
    local_stamp,
    reply,
    say,
    wanted_area,
)
from dialogs.reports.views import form_card, report_card
from storage import org
from storage import report_data as reads
from storage import reports as repo
from storage.models import EArea
from storage.report_views import needs_next_year

NEEDS_NEXT_YEAR = "needs_next_year"


def new_form() -> str:
    return secrets.token_hex(8)


@dataclass
class Opened:
    kind: str  # draft | sent | view | nothing_yet | refused | unknown
    data: reads.ReportData | None = None
    areas: tuple[tuple[str, str], ...] = ()  # the other e-areas (slug, name), for deviations
    names: list[str] = field(default_factory=list)  # whom to ask, or the known e-areas
    area: str = ""
    carried_from: str = ""  # the period a new draft was prefilled from
    made: bool = False  # this call made the draft
    can_review: bool = False


def prefill_extras(session, area, period: Period) -> dict[str, str]:
    """The quarter's extra sections, empty but for June's needs for next year (the inventory)."""
    extras = dict.fromkeys(rules.extras_for(period), "")
    if NEEDS_NEXT_YEAR in extras:
        extras[NEEDS_NEXT_YEAR] = "\n".join(f"{number} {title}" for number, title in needs_next_year(session, area.id))
    return extras


def other_areas(session, area, lang: str) -> tuple[tuple[str, str], ...]:
    return tuple((a.slug, area_name(a, lang)) for a in org.e_areas(session) if a.id != area.id)


def open_report(session, settings, aad_id: str, wanted: str, period: Period, now, lang: str, *,
                by_slug: bool = False) -> Opened:
    """One transaction: find the e-area, check the roles, open (or make) the period's draft."""
    area = org.e_area_by_slug(session, wanted) if by_slug else org.find_e_area(session, wanted)
    if area is None:
        return Opened("unknown", names=[area_name(a, lang) for a in org.e_areas(session)])
    name = area_name(area, lang)
    acc = access(session, settings, aad_id, area.slug)
    if not acc.write:
        shown = reads.shown_report(session, area.id, str(period))
        if shown is not None and acc.sees(shown.status):
            data = reads.report_data(session, shown.id, timezone=settings.timezone, now=now)
            return Opened("view", data, area=name, can_review=acc.review)
        if acc.view or acc.portfolio or acc.admin:
            return Opened("nothing_yet", area=name, names=who_can(session, Permission.write_report, area.slug))
        return Opened("refused", area=name, names=who_can(session, Permission.write_report, area.slug))
    before = repo.latest(session, area.id, str(period))
    report = repo.open_draft(session, area, period, actor=aad_id, now=now,
                             extras=prefill_extras(session, area, period))
    previous = repo.latest_sent(session, area.id, str(period.previous())) if before is None else None
    data = reads.report_data(session, report.id, timezone=settings.timezone, now=now)
    kind = "draft" if report.status == rules.ReportStatus.draft.value else "sent"
    return Opened(kind, data, other_areas(session, area, lang), area=name, made=before is None,
                  carried_from=previous.period if previous else "")


def refusal(t, opened: Opened) -> str:
    names = ", ".join(escape(n) for n in opened.names)
    if opened.kind == "nothing_yet":
        if names:
            return t("{area} has no status report for this period yet. Its coordinators write it: {names}.",
                     area=escape(opened.area), names=names)
        return t("{area} has no status report for this period yet, and no coordinator to write it. Ask an administrator.",
                 area=escape(opened.area))
    if names:
        return t("Only the coordinators of {area} write its status report, and only the e-area's roles read it. Ask {names}.",
                 area=escape(opened.area), names=names)
    return t("Only the coordinators of {area} write its status report, and it has no coordinator yet. Ask an administrator.",
             area=escape(opened.area))


def opened_card(t, tz: str, opened: Opened, *, form: str | None = None, notice: str = "") -> dict:
    """The card for what `open_report` found (a form, the report as sent, or the read-only view)."""
    data = opened.data
    if opened.kind == "draft":
        if not notice and opened.made and opened.carried_from:
            notice = t("A new draft, prefilled from the report for {period}: goal colours, open deviations and risks. Figures and comments start empty.",
                       period=opened.carried_from)
        elif not notice and not opened.made and data.report.updated_by_name:
            notice = t("The draft as last saved by {name}, {when}.", name=escape(data.report.updated_by_name),
                       when=local_stamp(data.report.updated_at, tz))
        return form_card(t, data, form=form or new_form(), notice=notice, notice_style="default", areas=opened.areas)
    if opened.kind == "sent":
        notice = notice or t("Version {version} is submitted. To change it, reopen it as a new version; the submitted one is kept.",
                             version=data.report.version)
        return report_card(t, data, tz, can_reopen=True, notice=notice, notice_style="default")
    return report_card(t, data, tz, can_review=opened.can_review and data.report.status == "submitted",
                       notice=notice, notice_style="default")


async def open_and_answer(turn: Turn, wanted: str, period: Period, *, by_slug: bool = False) -> dict | None:
    card = await open_card(turn, wanted, period, by_slug=by_slug)
    if isinstance(card, str):
        return await say(turn, card)
    return await reply(turn, card)


def opening(session, settings, t, aad_id: str, wanted: str, period: Period, now, *, by_slug: bool = False) -> dict | str:
    """In the caller's transaction: the card that opening this e-area's report shows this person,
    or the refusal to say."""
    if rules.check_period(period, rules.local_date(now, settings.timezone)):
        return t("The period {period} has not started yet, so there is nothing to report.", period=str(period))
    opened = open_report(session, settings, aad_id, wanted, period, now, t.lang, by_slug=by_slug)
    if opened.kind == "unknown":
        return t("I do not know an e-area called \"{name}\". Known e-areas: {known}.", name=escape(wanted),
                 known=", ".join(escape(n) for n in opened.names) or "–")
    if opened.kind in ("refused", "nothing_yet"):
        return refusal(t, opened)
    return opened_card(t, settings.timezone, opened)


async def open_card(turn: Turn, wanted: str, period: Period, *, by_slug: bool = False) -> dict | str:
    return await turn.db.run(opening, turn.settings, turn.t, turn.speaker.aad_id, wanted, period, turn.now(),
                             by_slug=by_slug)


# --- the command and the reminder's "Start" -------------------------------------------------------


@cap.command("report.open", r"(?:statusrapport|statusrapporten|status report)(?: (?P<rest>.+))?",
             where=Where.personal, examples=("statusrapport utbildning", "status report education"))
async def report_command(turn: Turn, match: re.Match) -> None:
    found = await wanted_area(turn, match.group("rest") or "", Permission.write_report, turn.t(
        "Which e-area? Write **status report <e-area>**, for example **status report education**, and a period if not the current one (**2026-Q2**)."))
    if found is None:
        return
    wanted, period, by_slug = found
    await open_and_answer(turn, wanted, period, by_slug=by_slug)


def card_for_reminder(session, settings, t, scope: str, occurrence_period: str, aad_id: str, now) -> dict:
    """What "Start" on the quarter's status-report reminder leaves for the coordinator's 1:1 chat,
    in the answer's transaction: the draft of the period the reminder is for ('2026-06' ->
    2026-Q2), made and prefilled if needed, or why not."""
    from cards.system import message_card

    period = rules.period_of_occurrence(occurrence_period)
    card = opening(session, settings, t, aad_id, scope, period, now, by_slug=True)
    if isinstance(card, str):
        return message_card(t("Status report"), [card])
    return card


# --- reopening a submitted version ------------------------------------------------------------------


@cap.action(Verb.REPORT_REOPEN)
class ReopenReport(CardAction):
    report_id: int


def reopen(session, settings, aad_id: str, name: str, report_id: int, now, lang: str) -> Opened:
    report = repo.get(session, report_id)
    if report is None:
        return Opened("unknown")
    e_area = session.get(EArea, report.e_area_id)
    acc = access(session, settings, aad_id, e_area.slug)
    if not acc.write:
        return Opened("refused", area=area_name(e_area, lang), names=who_can(session, Permission.write_report, e_area.slug))
    result = repo.reopen(session, report_id, actor=aad_id, actor_name=name, now=now)
    fresh = result.report
    data = reads.report_data(session, fresh.id, timezone=settings.timezone, now=now)
    kind = "draft" if fresh.status == rules.ReportStatus.draft.value else "sent"
    return Opened(kind, data, other_areas(session, e_area, lang), area=area_name(e_area, lang),
                  made=isinstance(result, repo.Saved) and fresh.id != report_id)


@cap.handles(ReopenReport)
async def on_reopen(turn: Turn, act: ReopenReport):
    t = turn.t
    opened = await turn.db.run(reopen, turn.settings, turn.speaker.aad_id, turn.speaker.name or turn.speaker.aad_id,
                               act.report_id, turn.now(), t.lang)
    if opened.kind == "unknown":
        return await say(turn, t("This status report no longer exists."))
    if opened.kind == "refused":
        return await say(turn, refusal(t, opened))
    notice = ""
    if opened.kind == "draft":
        notice = t("Version {version} is a new draft, copied from the submitted version. The submitted version stays as it was.",
                   version=opened.data.report.version)
    return await reply(turn, opened_card(t, turn.settings.timezone, opened, notice=notice))
