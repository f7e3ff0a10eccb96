"""From what storage holds to what the cards and documents show: a report, its draft form, the
words for a deviation's decision basis and for what happened since the last report."""

from __future__ import annotations

from dataclasses import replace

from bot.i18n import Translator, area_name
from bot.rules import report_content as rc
from bot.rules import reports as rules
from cards import assessment as assessment_cards
from cards import decision as decision_cards
from cards import report_form as forms
from cards import reports as cards
from cards.common import CardTooLarge, escape
from dialogs.reports.common import local_stamp
from storage.report_data import BasisLink, ReportData
from storage.report_views import Since

SHOWN = 5  # items named per line of "since the last report"; the rest are counted


def _names(items: list[str]) -> str:
    shown = ", ".join(items[:SHOWN])
    return shown + (f" (+{len(items) - SHOWN})" if len(items) > SHOWN else "")


def since_lines(t: Translator, since: Since, esc=escape) -> tuple[str, ...]:
    """What happened since the previous report, from Styra's own records, a line per kind
    (need titles escaped for a card; a document passes `esc=str`)."""
    lines = []
    if since.registered:
        lines.append(t("Needs registered ({n}): {items}", n=len(since.registered),
                       items=_names([f"{number} {esc(title)}" for number, title in since.registered])))
    if since.handled:
        lines.append(t("Needs assessed ({n}): {items}", n=len(since.handled), items=_names([
            f"{number} ({assessment_cards.outcome_label(t, outcome) if outcome else '–'})"
            for number, _title, outcome in since.handled])))
    if since.decisions:
        lines.append(t("Decisions taken ({n}): {items}", n=len(since.decisions), items=_names([
            f"{number} {decision_cards.outcome_label(t, outcome)}: {esc(title)}"
            for number, _registry, outcome, title in since.decisions])))
    return tuple(lines) or (t("Nothing registered, assessed or decided in Styra since the last report."),)


def basis_label(t: Translator, link: BasisLink) -> str:
    """'B-2026-0012, waiting for the area owners': where a deviation's decision basis stands."""
    if link.outcome:
        state = t("decided: {outcome}", outcome=decision_cards.outcome_label(t, link.outcome))
    elif link.basis_status == "anchoring":
        state = t("waiting for the area owners")
    elif link.basis_status == "ready":
        state = t("before the steering group")
    elif link.basis_status == "sent_back":
        state = t("sent back to the coordinators")
    else:
        state = t("the decision basis is being written")
    return f"{link.need_number}, {state}"


def deviation_lines(t: Translator, data: ReportData) -> tuple[cards.DeviationLine, ...]:
    out = []
    for dev in data.content.deviations:
        handling, escalate = data.routings.get(dev.ref, (rules.Handling.coordinators.value, False))
        link = data.links.get(dev.ref)
        out.append(cards.DeviationLine(
            ref=dev.ref, title=dev.title, kind=dev.kind.value, handling=handling, escalate=escalate,
            closed=dev.closed, cause=dev.cause, consequences=dev.consequences, proposal=dev.proposal,
            basis_id=link.basis_id if link else None, basis_label=basis_label(t, link) if link else ""))
    return tuple(out)


def report_view(t: Translator, data: ReportData, timezone: str, *, plain: bool = False, **kw) -> cards.ReportView:
    """The report as the cards (and, with `plain`, the documents) show it."""
    report, content = data.report, data.content
    lang_name = area_name(data.area, t)
    used = (rules.frame_used_percent(report.outcome_sek, report.frame_sek)
            if report.outcome_sek is not None else None)
    return cards.ReportView(
        report_id=report.id, area_name=lang_name, period=report.period, version=report.version,
        status=report.status, submitted_by=report.submitted_by_name or (report.submitted_by or ""),
        submitted_at=local_stamp(report.submitted_at, timezone),
        goals=tuple(cards.GoalLine(g.title, g.colour.value if g.colour else None,
                                   g.trend.value if g.trend else None, g.comment, g.forecast)
                    for g in content.goals),
        dimensions=tuple((d.name, d.colour.value if d.colour else None, d.comment) for d in content.dimensions),
        deviations=deviation_lines(t, data),
        risks=tuple((r.title, r.probability, r.consequence, r.mitigation) for r in content.risks),
        frame_sek=report.frame_sek, frame_hours=report.frame_hours, committed_sek=report.committed_sek,
        committed_hours=report.committed_hours, outcome_sek=report.outcome_sek, outcome_hours=report.outcome_hours,
        used_percent=used, resources_comment=content.resources_comment, new_conditions=content.new_conditions,
        extras=tuple((key, text) for key, text in content.extras.items() if text),
        since=since_lines(t, data.since, str if plain else escape), reviewed_by=report.reviewed_by_name or (report.reviewed_by or ""),
        reviewed_at=local_stamp(report.reviewed_at, timezone), review_comment=report.review_comment, **kw)


def report_card(t: Translator, data: ReportData, timezone: str, **kw) -> dict:
    return cards.report_card(t, report_view(t, data, timezone, **kw))


# --- the draft form -----------------------------------------------------------------------------


def translate_errors(t: Translator, errors: rc.Errors) -> dict[str, str]:
    return {key: t.gettext(msgid).format(**params) for key, (msgid, params) in errors.items()}


def form_card(t: Translator, data: ReportData, *, form: str, page: str | None = None,
              values: dict[str, str] | None = None, errors: dict[str, str] | None = None, notice: str = "",
              notice_style: str = "attention", areas: tuple[tuple[str, str], ...] = ()) -> dict:
    """One page of the draft. The user's own input is shown again whole when the card can hold it;
    an over-long text that would not fit is cut to its field's limit, and the notice says so."""
    report, content = data.report, data.content
    pages = rc.pages(content)
    shown = values if values is not None else rc.values_of(content)
    view = forms.FormView(
        report_id=report.id, revision=report.revision, form=form,
        area_name=area_name(data.area, t),
        period=report.period, version=report.version, template=content, values=shown,
        extras=rules.extras_for(rules.parse_period(report.period)), areas=areas, frame_sek=report.frame_sek,
        frame_hours=report.frame_hours, committed_sek=report.committed_sek, committed_hours=report.committed_hours,
        since=since_lines(t, data.since), errors=errors or {}, notice=notice, notice_style=notice_style,
        use_execute=True, page=page if page in pages else pages[0], pages=pages)
    try:
        return forms.report_form(t, view)
    except CardTooLarge:
        cut = {key: value[:limit_of(key)] for key, value in shown.items()}
        note = t("Some texts were too long to show in full, so they are cut to the limit of their field.")
        return forms.report_form(t, replace(view, values=cut, notice=f"{notice}\n\n{note}".strip()))


def limit_of(key: str) -> int:
    """The most characters the input with this id takes (bot.rules.report_content)."""
    if key.endswith("_title"):
        return rules.MAX_SHORT
    if key.endswith("_forecast"):
        return rc.MAX_FORECAST
    if key.endswith("_mitigation"):
        return rc.MAX_MITIGATION
    if key.endswith(("_cause", "_consequences", "_options", "_proposal")):
        return rc.MAX_DEVIATION_TEXT
    if key.endswith(("_hours", "_sek", "_areas", "_colour", "_kind", "_ref")):
        return 200
    return rules.MAX_COMMENT


def overlay(stored: dict[str, str], raw: dict) -> dict[str, str]:
    """The stored values with what the user typed on top (only text values: ids stay stored)."""
    out = dict(stored)
    for key, value in raw.items():
        if isinstance(value, str) and key not in ("verb", "form", "page", "go"):
            out[key] = value
    return out
