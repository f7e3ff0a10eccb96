"""From what storage read to what the pages show, in the reader's language: only the lines and
details the reader's roles allow (dialogs/portfolio_tab/access.py)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.documents.wheel_picture import WheelPicture, numbered, render_svg
from bot.i18n import Translator, area_name
from bot.rules import reports as rules
from bot.rules.reports import Colour, Period
from cards import wheel as wheel_cards
from cards.needs import status_label as need_status
from cards.pages.views import (
    AreaView,
    CommissionItem,
    Count,
    DecisionItem,
    FrameLine,
    GoalHistory,
    Links,
    Mark,
    PortfolioView,
    Quarter,
    Row,
    WheelItem,
)
from dialogs.portfolio_tab.access import Viewer
from storage.models import NeedStatus
from storage.portfolio import AreaDetail, Overview

SENT = ("submitted", "reviewed")


def _colour(value: str | None) -> Colour | None:
    return Colour(value) if value in ("green", "yellow", "red") else None


def _trend(colour: str | None, previous: str | None) -> str | None:
    found = rules.trend(_colour(colour), _colour(previous))
    return found.value if found else None


def rows(t: Translator, who: Viewer, data: Overview, links: Links, due: dt.date, today: dt.date,
         timezone: str) -> tuple[Row, ...]:
    out = []
    for line in data.lines:
        if not who.sees_line(line.slug):
            continue
        area_id = data.area_ids.get(line.slug)
        href = links(f"/tab/area/{area_id}") if area_id and who.sees_area(line.slug) else None
        name = area_name(line, t)
        sent = line.status in SENT
        on = line.submitted_on.astimezone(ZoneInfo(timezone)).date() if sent and line.submitted_on else None
        punctual = rules.punctuality(on, due, today).value
        latest = data.latest_sent.get(line.slug, "") if not sent else ""
        awaiting = data.awaiting_chair.get(line.slug, 0)
        if line.status == "draft" and not who.sees_drafts(line.slug):
            out.append(Row(name, href, line.period, line.status, punctuality=punctual, awaiting_chair=awaiting,
                           latest=latest, draft_hidden=True))
            continue
        marks = tuple(Mark(g.title, _colour(g.colour) and g.colour, _trend(g.colour, g.previous))
                      for g in data.goals.get(line.report_id, []))
        out.append(Row(name, href, line.period, line.status, marks, line.worst.value if line.worst else None,
                       line.used_percent, line.open_deviations, line.escalations, awaiting, punctual, latest))
    return tuple(out)


def portfolio_view(t: Translator, who: Viewer, data: Overview | None, links: Links, period: Period,
                   periods: tuple[str, ...], due: dt.date, today: dt.date, timezone: str, *, sort: str,
                   desc: bool, query: str, only: str) -> PortfolioView:
    if data is None or who.nobody:
        return PortfolioView(str(period), due.isoformat(), (), 0, periods, empty_reason=t(
            "You have no role in Styra that shows a status report: the portfolio view is for the portfolio office, portfolio management, the steering groups and the e-areas' coordinators and owners. Ask an administrator if you should have one."))
    found = rows(t, who, data, links, due, today, timezone)
    return PortfolioView(str(period), due.isoformat(), found, len(found), periods, sort, desc, query, only)


def default_period(today: dt.date) -> Period:
    """The quarter being reported: the running one in its report month, else the one before."""
    current = rules.period_of_month(today.year, today.month)
    return current if today.month == current.report_month else current.previous()


def recent_periods(today: dt.date, count: int = 8) -> tuple[str, ...]:
    period = rules.period_of_month(today.year, today.month)
    out = []
    for _ in range(count):
        out.append(str(period))
        period = period.previous()
    return tuple(out)


# --- one e-area ------------------------------------------------------------------------------------

NEED_ORDER = (NeedStatus.registered, NeedStatus.under_assessment, NeedStatus.awaiting_decision,
              NeedStatus.within_plan, NeedStatus.approved, NeedStatus.inventory, NeedStatus.done,
              NeedStatus.declined)


def area_view(t: Translator, detail: AreaDetail, wheel_rows, year: int, current_month: int | None,
              timezone: str, back: str | None) -> AreaView:
    area = detail.area
    name = area_name(area, t)
    by_period = {q.period: q for q in detail.quarters}
    quarters = tuple(Quarter(f"Q{n}", f"{year}-Q{n}", by_period[f"{year}-Q{n}"].status
                             if f"{year}-Q{n}" in by_period else "none") for n in range(1, 5))
    goals = tuple(GoalHistory(g.title, tuple(
        Mark(g.title, by_period[q.period].colours.get(g.id) if q.period in by_period else None)
        for q in quarters)) for g in detail.goals)
    plan = detail.plan
    frame = () if plan is None else (
        FrameLine(t("Money"), plan.committed_sek, plan.frame_sek, "SEK"),
        FrameLine(t("Hours"), plan.committed_hours, plan.frame_hours, t("h")))
    needs = tuple(Count(s.value, need_status(t, s.value), detail.needs_by_status.get(s.value, 0)) for s in NEED_ORDER)
    decisions = tuple(DecisionItem(d.number, d.registry_number, d.decided_at.astimezone(ZoneInfo(timezone))
                                   .date().isoformat(), d.outcome, d.title, d.level) for d in detail.decisions)
    commissions = None if detail.commissions is None else tuple(
        CommissionItem(c.number, c.title, c.lead, f"{c.start} – {c.end}" if c.start or c.end else "")
        for c in detail.commissions)
    svg, items = wheel(t, year, name, current_month, wheel_rows, ZoneInfo(timezone))
    return AreaView(name, year, plan.title if plan else "", quarters, goals, frame, needs,
                    sum(c.count for c in needs), tuple(detail.inventory), detail.inventory_total,
                    tuple(detail.awaiting_chair), decisions, detail.decisions_total, commissions, svg, items, back)


def wheel(t: Translator, year: int, area_name: str, current_month: int | None, entries,
          zone: dt.tzinfo) -> tuple[str, tuple[WheelItem, ...]]:
    """The annual wheel picture of the e-area with this year's statuses, and the same as a list
    numbered as the picture's marks."""
    names = wheel_cards.status_names(t)
    months = wheel_cards.month_names(t)
    marks = numbered((a.month, due.astimezone(zone).date().isoformat(), a.title[t.lang], status)
                     for a, due, status in entries)
    svg = render_svg(WheelPicture(t("Annual wheel {year}", year=year), area_name,
                                  wheel_cards.short_month_names(t), current_month, marks, names))
    items = tuple(WheelItem(months[m.month - 1], m.label, m.status, names.get(m.status, m.status), m.number)
                  for m in marks)
    return svg, items
