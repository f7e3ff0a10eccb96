"""Words shared by the status-report cards and documents: colours (always a sign AND a word,
so colour-blind readers and text-only clients lose nothing), trends, deviation kinds."""

from __future__ import annotations

from bot.i18n import Translator

SIGNS = {"green": "🟢", "yellow": "🟡", "red": "🔴"}


def colour_word(t: Translator, colour: str | None) -> str:
    return {"green": t("Green"), "yellow": t("Yellow"), "red": t("Red")}.get(colour or "", t("Not set"))


def colour_label(t: Translator, colour: str | None) -> str:
    """'🔴 Röd' / '⚪ Inte satt'."""
    return f"{SIGNS.get(colour or '', '⚪')} {colour_word(t, colour)}"


def meaning(t: Translator, colour: str) -> str:
    return {
        "green": t("On track: the goal will be met as planned."),
        "yellow": t("At risk: the goal can still be met if action is taken."),
        "red": t("Off track: the goal will not be met as planned without a decision."),
    }[colour]


def trend_label(t: Translator, trend: str | None) -> str:
    return {
        "new": t("new since the last report"),
        "better": t("↑ better"),
        "same": t("→ unchanged"),
        "worse": t("↓ worse"),
    }.get(trend or "", "")


def kind_label(t: Translator, kind: str) -> str:
    return {
        "resource_conflict": t("Resource conflict"),
        "reprioritisation": t("Reprioritisation"),
        "delay": t("Delay"),
        "cost": t("Cost"),
        "other": t("Other"),
    }.get(kind, kind)


def handling_label(t: Translator, handling: str) -> str:
    return {
        "coordinators": t("Within the plan: handled by the coordinators"),
        "steering_group": t("Outside the plan: the steering group decides"),
        "portfolio": t("Affects the whole portfolio: escalated to portfolio management"),
    }.get(handling, handling)


def dimension_label(t: Translator, name: str) -> str:
    return {"time": t("Time"), "cost": t("Cost"), "resources": t("Resources"), "scope": t("Scope")}.get(name, name)


def status_label(t: Translator, status: str) -> str:
    return {
        "draft": t("Draft"),
        "submitted": t("Submitted"),
        "reviewed": t("Reviewed by the steering group"),
        "none": t("Not started"),
    }.get(status, status)


def extra_title(t: Translator, key: str) -> str:
    return {
        "security_review": t("Result of the information security review"),
        "agreements_and_service_levels": t("Status of agreements and service levels"),
        "needs_next_year": t("The e-area's needs for next year"),
        "annual_commission": t("The annual commission fitted to the budget"),
        "time_estimates": t("Time estimates per proposed action"),
        "draft_plan": t("Draft of next year's plan"),
        "completed_plan": t("The completed plan for next year"),
    }.get(key, key)


def punctuality_label(t: Translator, value: str) -> str:
    return {
        "on_time": t("on time"),
        "late": t("late"),
        "missing": t("missing"),
        "open": t("not due yet"),
    }.get(value, value)
