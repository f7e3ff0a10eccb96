"""How a need's changes read on its card: "Ändrad 3 dec av Anna: titel, uppskattning", and a
history line per edit with old → new values of the short fields. Pure."""

from __future__ import annotations

from datetime import date

from bot.i18n import Translator
from cards.common import escape, status_label
from cards.wheel import month_names


def source_label(t: Translator, source: str) -> str:
    return {
        "staff": t("Staff member"),
        "user_group": t("User group"),
        "reference_group": t("Reference group"),
        "service_desk": t("Service desk"),
        "other_area": t("Another e-area"),
        "other": t("Other"),
    }.get(source, source)


SHORT_FIELDS = ("title", "e_area", "source", "on_behalf_of", "hours", "cost", "wished_date", "goals")
VALUE_CHARS = 60


def field_names(t: Translator) -> dict[str, str]:
    """What a change line calls each field, in a sentence ("Ändrad 3 dec av Anna: titel, uppskattning")."""
    return {
        "title": t("title"), "description": t("description"),
        "e_area": t("e-area"), "source": t("source"),
        "on_behalf_of": t("on behalf of"), "benefit": t("benefit"),
        "hours": t("estimate"), "cost": t("estimate"),
        "wished_date": t("wished-for date"), "goals": t("plan goals"),
    }


def fields_text(t: Translator, fields: list[str] | tuple[str, ...]) -> str:
    names = field_names(t)
    return ", ".join(dict.fromkeys(names.get(f, f) for f in fields))


def short_date(t: Translator, day: date) -> str:
    month = month_names(t)[day.month - 1][:3]
    return f"{day.day} {month.lower() if t.lang == 'sv' else month}"


def last_change_text(t: Translator, day: date, who: str, fields: list[str] | tuple[str, ...]) -> str:
    return t("Changed {date} by {who}: {fields}", date=short_date(t, day), who=escape(who),
             fields=fields_text(t, fields))


def _value(t: Translator, name: str, value: str) -> str:
    if not value:
        return "–"
    if name == "source":
        value = source_label(t, value)
    value = value if len(value) <= VALUE_CHARS else value[: VALUE_CHARS - 1] + "…"
    return f"“{escape(value)}”"


def change_text(t: Translator, who: str, kind: str, detail: dict) -> str:
    """A history line of an edit (which fields, old → new for the short ones) or a withdrawal."""
    if kind == "withdrawn":
        return t("{who} withdrew the need", who=escape(who))
    values = detail.get("values") or {}
    fields = [f for f in detail.get("fields") or values if isinstance(f, str)]
    line = t("{who} changed the need: {fields}", who=escape(who), fields=fields_text(t, fields))
    names = field_names(t)
    shown = [f"{names.get(f, f)}: {_value(t, f, str(values[f][0]))} → {_value(t, f, str(values[f][1]))}"
             for f in fields if f in SHORT_FIELDS and isinstance(values.get(f), list) and len(values[f]) == 2]
    return line + (" (" + "; ".join(shown) + ")" if shown else "")


def event_text(t: Translator, kind: str, who: str, detail: dict) -> str:
    """One line of a need's history (its events, and its edits from the need-history table)."""
    if kind in ("edited", "withdrawn"):
        return change_text(t, who, kind, detail)
    if kind == "registered":
        return t("{who} registered the need", who=escape(who))
    if kind == "affected_added":
        return t("{who} is also affected", who=escape(who))
    if kind == "status_changed":
        return t("{who} changed the status: {old} → {new}", who=escape(who),
                 old=status_label(t, str(detail.get("from", ""))), new=status_label(t, str(detail.get("to", ""))))
    if kind == "assessed":
        return t("{who} assessed the need", who=escape(who))
    if kind == "decided":
        return t("{who} recorded a decision", who=escape(who))
    if kind == "basis_created":
        return t("{who} wrote decision basis version {version}", who=escape(who), version=detail.get("version", "?"))
    if kind == "basis_agreed":
        return t("{who} agreed to the decision basis", who=escape(who))
    if kind == "basis_sent_back":
        return t("{who} sent the decision basis back to the coordinators", who=escape(who))
    if kind == "basis_ready":
        return t("The area owners have anchored the decision basis; it is ready for the steering group")
    if kind == "plan_changed":
        return t("{who} changed the plan's frame", who=escape(who))
    if kind == "escalated":
        return t("{who} escalated the need to portfolio management", who=escape(who))
    if kind == "commission_started":
        return t("{who} started a commission from the need", who=escape(who))
    return f"{escape(who)}: {escape(kind.replace('_', ' '))}"
