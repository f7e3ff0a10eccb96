"""Every word the tab's templates show, translated here (English msgids, Swedish in tab.po), so
the catalogue check sees them; the templates only place them."""

from __future__ import annotations

from typing import Any

from bot.i18n import Translator
from cards.report_labels import colour_word, punctuality_label, status_label

GLYPHS = {"green": "●", "yellow": "▲", "red": "■", None: "○"}
ARROWS = {"better": "↑", "same": "→", "worse": "↓", "new": "•"}


def words(t: Translator) -> dict[str, Any]:
    return {
        "app": t("Styra"),
        "portfolio": t("Portfolio"),
        "portfolio_title": t("Portfolio status {period}"),
        "skip": t("Skip to the content"),
        "language": t("Language"),
        "swedish": "Svenska",
        "english": "English",
        "signed_in_as": t("Signed in as {name}"),
        "due": t("Reports due {due}"),
        "shown_of": lambda shown, total: t.n("{shown} of {n} e-area shown", "{shown} of {n} e-areas shown", total, shown=shown),
        "filter_label": t("Find an e-area"),
        "show": t("Show"),
        "show_all": t("All e-areas"),
        "show_attention": t("Needing attention"),
        "period": t("Period"),
        "apply": t("Apply"),
        "clear": t("Clear"),
        "table_caption": t("E-areas and their latest status report, sorted by {column}"),
        "sorted_asc": t("ascending"),
        "sorted_desc": t("descending"),
        "col_area": t("E-area"),
        "col_period": t("Report"),
        "col_goals": t("Plan goals"),
        "col_worst": t("Worst status"),
        "col_used": t("Frame used"),
        "col_deviations": t("Open deviations"),
        "col_escalations": t("escalated"),
        "col_awaiting": t("Awaiting the chair"),
        "col_punctuality": t("Submitted"),
        "no_report": t("No report"),
        "latest_was": t("latest {period}"),
        "draft_hidden": t("Draft being written"),
        "no_goals": t("No goals reported"),
        "none_match": t("No e-area matches the filter."),
        "legend": t("Legend"),
        "trend": t("Trend since the previous report"),
        "trend_better": t("better"),
        "trend_same": t("unchanged"),
        "trend_worse": t("worse"),
        "trend_new": t("new"),
        # the e-area page
        "back": t("Back to the portfolio"),
        "goals_title": t("Plan goals {year}, status per quarter"),
        "goal": t("Goal"),
        "no_plan": t("There is no plan for {year}."),
        "frame_title": t("Resource frame {year}"),
        "frame_caption": t("Committed against the frame, in SEK and hours"),
        "of": t("of"),
        "needs_title": t("Needs by status"),
        "needs_caption": t("Number of needs in each status"),
        "status": t("Status"),
        "no_needs": t("No needs registered yet."),
        "inventory_title": t("Needs inventory for next year"),
        "inventory_more": t("The first {shown} of {total} are listed."),
        "inventory_none": t("The needs inventory is empty."),
        "awaiting_title": t("Before the steering group"),
        "decisions_title": t("Decisions"),
        "decisions_more": t("The {shown} newest of {total} are listed."),
        "decisions_none": t("No decisions yet."),
        "number": t("Number"),
        "registry": t("Registry no."),
        "date": t("Date"),
        "outcome": t("Outcome"),
        "need": t("Need"),
        "level_portfolio": t("portfolio management"),
        "commissions_title": t("Active commissions"),
        "commissions_none": t("No active commission comes from this e-area's needs."),
        "commissions_off": t("Commissions are not kept in Styra yet."),
        "lead": t("Lead"),
        "wheel_title": t("Annual wheel {year}"),
        "wheel_caption": t("This year's activities and their status"),
        "month": t("Month"),
        "activity": t("Activity"),
        # sign-in, configuration, errors
        "signin_title": t("Signing in"),
        "signin_teams": t("Signing you in with your Teams account…"),
        "signin_outside": t("Open the portfolio view from Styra's tab in Teams, or write \"portfolio\" to Styra in a 1:1 chat and choose \"Open the portfolio view\". Links from the chat work for {minutes} minutes."),
        "signin_failed": t("Teams did not give Styra a sign-in. Close the tab and open it again; if it keeps failing, ask your administrator to check the app registration."),
        "config_title": t("Show an e-area in this channel"),
        "config_intro": t("Choose the e-area whose status this tab shows. Everyone in the channel sees only what their own roles allow."),
        "config_none": t("You hold no role in any e-area, so there is nothing to choose."),
        "not_found_title": t("Page not found"),
        "not_found": t("There is nothing here. Go back to the portfolio view."),
        "bad_request_title": t("The address could not be read"),
        "bad_request": t("Some part of the address is too long or not valid. Open the view again from Teams or from the chat."),
        "off_title": t("The portfolio view is not switched on"),
        "off": t("An administrator has to set STYRA_TAB_SECRET before the portfolio view can be opened."),
    }


def colour_names(t: Translator) -> dict[str | None, str]:
    return {c: colour_word(t, c) for c in ("green", "yellow", "red", None)}


def report_status(t: Translator, status: str) -> str:
    return status_label(t, status)


def punctuality(t: Translator, value: str) -> str:
    return punctuality_label(t, value)
