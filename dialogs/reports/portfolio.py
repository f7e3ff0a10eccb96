"""The portfolio roll-up: `portfölj` / `portfolio` shows every e-area's report of the period on one
card (colours, worst status, open deviations and escalations, frame used, late or missing) to the
portfolio office, portfolio management, the chairs and administrators, in the asker's 1:1 chat
(asked in a channel, it would show every e-area's status to everyone there).

The scheduler's tick, in the last month of a quarter: once the e-areas' due date has passed, the
chair of each e-area without a submitted report is told (once per period); on the roll-up's own
due date it is posted to the portfolio channel naming the late ones, unless it was already posted
when the last e-area submitted. Every message is an outbox row with a unique key, so ticks from
two instances, or a restart, send each once."""

from __future__ import annotations

import logging
import re

from bot.registry import Where
from bot.roles import areas_where
from bot.rules import reports as rules
from bot.rules.permissions import Permission
from bot.turn import Turn
from cards import reports as cards
from cards.portfolio_link import with_view_button
from cards.system import message_card
from dialogs.portfolio_tab.link import has_a_view, personal_link
from dialogs.reports import posting
from dialogs.reports.common import access, area_due, cap, meeting_date, rollup_due, today
from storage import org
from storage.report_views import rollup

log = logging.getLogger("styra.reports")



def may_see_rollup(session, settings, aad_id: str) -> bool:
    """Portfolio office, portfolio management, administrators, and the chairs of the e-areas."""
    acc = access(session, settings, aad_id, org.PORTFOLIO_SCOPE)
    return acc.portfolio or acc.admin or bool(areas_where(session, aad_id, Permission.review_report))


def load(session, settings, aad_id: str, period):
    if not may_see_rollup(session, settings, aad_id):
        return None
    return rollup(session, period)


@cap.command("report.portfolio", r"(?:portfölj|portfolj|portföljen|portföljstatus|portfolio)(?: (?P<period>.+))?",
             where=Where.personal, examples=("portfölj", "portfolio"))
async def portfolio_command(turn: Turn, match: re.Match) -> None:
    t = turn.t
    text = (match.group("period") or "").strip()
    try:
        period = rules.parse_period(text) if text else rules.current_period(turn.now(), turn.settings.timezone)
    except ValueError as exc:
        await turn.say(t.gettext(str(exc)))
        return
    lines = await turn.db.run(load, turn.settings, turn.speaker.aad_id, period)
    personal = turn.conversation_kind == "personal"
    if lines is None:
        refusal = t("The portfolio roll-up is for the portfolio office, portfolio management, the steering groups' chairs and administrators.")
        url = personal_link(turn.settings, turn.speaker.aad_id, turn.now()) if personal else None
        if url and await turn.db.run(has_a_view, turn.settings, turn.speaker.aad_id):
            # The portfolio view still shows them the e-areas where they hold a role.
            lines_said = [refusal, t("The portfolio view shows you the e-areas where you hold a role.")]
            await turn.send_card(with_view_button(t, message_card(t("Portfolio"), lines_said), url))
        else:
            await turn.say(refusal)
        return
    services = turn.services
    view = posting.rollup_view(t.lang, lines, period, area_due(services, period), today(services),
                               turn.settings.timezone)
    card = cards.rollup_card(t, view)
    # The tab's link names the speaker: only in their own 1:1 chat, never in a channel or group.
    url = personal_link(turn.settings, turn.speaker.aad_id, turn.now()) if personal else None
    await turn.send_card(with_view_button(t, card, url) if url else card)


# --- the tick: late reports and the roll-up's due date -------------------------------------------


def due_work(session, settings, period, due, rolled_due, meeting, day, now) -> tuple[int, str]:
    told = posting.escalate_late(session, settings, period, due, meeting, now)
    posted = "not_due"
    if day >= rolled_due:
        posted = posting.post_rollup(session, settings, period, due, day, now, when_complete=False,
                                     update_key=f"rollup-due:{period}")
    return told, posted


@cap.on_tick
async def tick(services) -> None:
    day = today(services)
    period = rules.current_period(services.clock(), services.settings.timezone)
    if day.month != period.report_month:
        return
    due = area_due(services, period)
    if day <= due:
        return
    # Every minute of a late period: the outbox keys make a repeated round write nothing new.
    told, posted = await services.db.run(due_work, services.settings, period, due, rollup_due(services, period),
                                         meeting_date(services, period), day, services.clock())
    if told or posted in ("posted", "updated"):
        log.info("reports %s: %d chairs told of late reports, roll-up %s", period, told, posted)
        if services.outbox is not None:
            services.outbox.nudge()
