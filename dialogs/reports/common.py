"""What the status-report dialogs share: the capability, who may do what with a report, the
dates a period hangs on (its meeting, when reports and the roll-up are due), and answering."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import area_name as area_name  # re-exported: the one chooser of e-area names
from bot.registry import Capability
from bot.roles import areas_where, is_admin, roles_in
from bot.rules import reports as rules
from bot.rules.permissions import Permission, allows
from bot.rules.reports import Period
from bot.rules.wheel import Wheel, steering_meeting_date
from bot.rules.wheel_file import load_wheel
from bot.turn import Turn
from cards.system import error_card
from storage import org

cap = Capability("reports")

# A link to a document stays valid for a little more than a quarter: long enough to open the
# report again at the next meeting, short enough that an old link in a forwarded chat dies.
FILE_VALID = dt.timedelta(days=120)
PERIOD_RE = r"(?:\d{4}\s*[-/ ]?\s*[qk][1-4]|[qk][1-4]\s*[-/ ]?\s*\d{4})"
_TAIL = re.compile(rf"^(?P<head>.*?)\s*(?P<period>{PERIOD_RE})$")


@dataclass(frozen=True)
class Access:
    """What one person may do with one e-area's reports (DOMAIN.md §8)."""

    write: bool  # coordinators write the draft
    view: bool  # the e-area's roles read drafts and reports
    review: bool  # the chair and deputy chair mark a report reviewed
    portfolio: bool  # portfolio office and management (and administrators) read sent reports
    admin: bool

    def sees(self, status: str) -> bool:
        if self.view or self.write:
            return True
        return status != rules.ReportStatus.draft.value and (self.portfolio or self.admin)


def access(session, settings, aad_id: str, slug: str) -> Access:
    held = roles_in(session, aad_id, slug) if aad_id else set()
    portfolio = roles_in(session, aad_id, org.PORTFOLIO_SCOPE) if aad_id else set()
    admin = is_admin(settings, aad_id)
    return Access(write=allows(Permission.write_report, held, is_admin=False),
                  view=allows(Permission.view_report, held, is_admin=False),
                  review=allows(Permission.review_report, held, is_admin=False),
                  portfolio=allows(Permission.view_portfolio, portfolio, is_admin=False), admin=admin)


def split_period(text: str) -> tuple[str, str | None]:
    """'utbildning 2026-q2' -> ('utbildning', '2026-q2'); the period is optional."""
    found = _TAIL.match(text.strip())
    if found is None:
        return text.strip(), None
    return found.group("head").strip(), found.group("period")


# --- dates ------------------------------------------------------------------------------------


def wheel_of(services) -> Wheel:
    """The wheel loaded at start (app.py), or loaded now and kept."""
    if services.wheel is None:
        services.wheel = load_wheel(services.settings.wheel_file)
    return services.wheel


def today(services) -> dt.date:
    return rules.local_date(services.clock(), services.settings.timezone)


def meeting_date(services, period: Period) -> dt.date:
    return steering_meeting_date(wheel_of(services), period.year, period.report_month)


def area_due(services, period: Period) -> dt.date:
    return rules.area_due(meeting_date(services, period), services.settings.report_due_working_days)


def rollup_due(services, period: Period) -> dt.date:
    return rules.rollup_due(area_due(services, period), services.settings.rollup_working_days)


def local_start(day: dt.date, timezone: str) -> dt.datetime:
    """Midnight at the start of `day` in local time, as an aware UTC instant."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(timezone)).astimezone(dt.UTC)


def local_stamp(when: dt.datetime | None, timezone: str) -> str:
    return when.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M") if when else ""


def local_day(when: dt.datetime | None, timezone: str) -> dt.date | None:
    return when.astimezone(ZoneInfo(timezone)).date() if when else None


# --- answering --------------------------------------------------------------------------------


def inputs(turn: Turn) -> dict[str, Any]:
    """The form inputs that came with the click (Action.Submit value or Action.Execute data)."""
    value = turn.activity.value or {}
    if turn.is_invoke and isinstance(value, dict):
        value = (value.get("action") or {}).get("data") or {}
    return dict(value) if isinstance(value, dict) else {}


async def reply(turn: Turn, card: dict) -> dict | None:
    """Action.Execute shows the card in place; a message or Action.Submit gets it as a reply."""
    if turn.is_invoke:
        return card
    await turn.send_card(card)
    return None


async def say(turn: Turn, text: str) -> dict | None:
    if turn.is_invoke:
        return error_card(turn.t, text)
    await turn.say(text)
    return None


def file_url(settings, token: str | None) -> str:
    base = settings.document_base_url
    return f"{base}/files/{token}" if base and token else ""


async def wanted_area(turn: Turn, rest: str, permission: Permission, ask: str) -> tuple[str, Period, bool] | None:
    """(e-area asked for, period, whether it is a slug) from a command's words; without an e-area,
    the speaker's only e-area where `permission` holds. None when the answer has been given
    (a bad period, or `ask` when the e-area is not clear)."""
    wanted, period_text = split_period(rest)
    try:
        period = rules.parse_period(period_text) if period_text else rules.current_period(turn.now(), turn.settings.timezone)
    except ValueError as exc:
        await turn.say(turn.t.gettext(str(exc)))
        return None
    if wanted:
        return wanted, period, False
    mine = await turn.db.run(areas_where, turn.speaker.aad_id, permission)
    if len(mine) != 1:
        await turn.say(ask)
        return None
    return mine[0], period, True
