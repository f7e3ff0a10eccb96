"""What a status report holds, and how the draft form's inputs become it (pure; table-tested).

The form's input ids are flat strings so Teams can send them back as they are:
    g<goal id>_colour / _comment / _forecast       per plan goal
    d_<dimension>_colour / _comment                 time, cost, resources, scope
    v<n>_kind / _title / _cause / _consequences / _options / _proposal / _hours / _sek /
        _goals / _portfolio / _areas / _closed / _ref   per deviation (one empty slot at the end)
    r<n>_title / _probability / _consequence / _mitigation   per risk (one empty slot)
    outcome_sek, outcome_hours, resources_comment, new_conditions, x_<extra section>
`parse_form` returns the content and, per input id, the error (msgid, params); the caller shows
the user's own text again beside the errors, so nothing typed is lost.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from bot.rules import reports as r
from bot.rules.reports import Colour, DeviationKind

DIMENSIONS = ("time", "cost", "resources", "scope")
# A card must stay under 25 KB with every field at its longest, so the form comes in pages:
# goals a few at a time, then the general part, then deviations and risks a few at a time.
GOALS_PER_PAGE = 5
DEVIATIONS_PER_PAGE = 2
RISKS_PER_PAGE = 5
GENERAL = "general"
MAX_DEVIATION_TEXT = 1000  # each of cause, consequences, options, proposed handling
MAX_MITIGATION = 500
MAX_FORECAST = 300
SCALE = ("1", "2", "3", "4", "5")
Errors = dict[str, tuple[str, dict[str, Any]]]


@dataclass(frozen=True)
class GoalEntry:
    goal_id: int
    title: str
    colour: Colour | None = None
    comment: str = ""
    forecast: str = ""
    previous: Colour | None = None  # the colour in the previous period's report

    @property
    def trend(self) -> r.Trend | None:
        return r.trend(self.colour, self.previous)


@dataclass(frozen=True)
class DimensionEntry:
    name: str
    colour: Colour | None = None
    comment: str = ""


@dataclass(frozen=True)
class DeviationEntry:
    ref: str  # stable across versions and reports: a carried deviation keeps its link
    kind: DeviationKind
    title: str
    cause: str = ""
    consequences: str = ""
    options: str = ""
    proposal: str = ""
    extra_hours: int = 0
    extra_sek: int = 0
    changes_goals: bool = False
    whole_portfolio: bool = False
    other_areas: tuple[str, ...] = ()
    closed: bool = False
    need_id: int | None = None  # the need carrying its decision basis, once made


@dataclass(frozen=True)
class RiskEntry:
    title: str
    probability: int
    consequence: int
    mitigation: str = ""


@dataclass(frozen=True)
class ReportContent:
    goals: tuple[GoalEntry, ...] = ()
    dimensions: tuple[DimensionEntry, ...] = tuple(DimensionEntry(d) for d in DIMENSIONS)
    deviations: tuple[DeviationEntry, ...] = ()
    risks: tuple[RiskEntry, ...] = ()
    outcome_sek: int | None = None
    outcome_hours: int | None = None
    resources_comment: str = ""
    new_conditions: str = ""
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def worst(self) -> Colour | None:
        return r.worst(g.colour for g in self.goals)

    @property
    def open_deviations(self) -> tuple[DeviationEntry, ...]:
        return tuple(d for d in self.deviations if not d.closed)


def pages(content: ReportContent) -> tuple[str, ...]:
    """The form's pages in order: 'goals-0', ..., 'general', 'deviations-0', ..., 'risks-0', ..."""
    def chunks(prefix: str, count: int, size: int, *, slot: bool) -> list[str]:
        total = count + (1 if slot else 0)
        return [f"{prefix}-{k}" for k in range(max(1, -(-total // size)))]

    goals = chunks("goals", len(content.goals), GOALS_PER_PAGE, slot=False) if content.goals else []
    return (*goals, GENERAL, *chunks("deviations", len(content.deviations), DEVIATIONS_PER_PAGE, slot=True),
            *chunks("risks", len(content.risks), RISKS_PER_PAGE, slot=True))


def page_range(page: str, count: int) -> range:
    """Which goals / deviations / risks (by index) a page holds; a deviation or risk page may
    also hold the empty slot at index `count`."""
    kind, _, k = page.partition("-")
    size = {"goals": GOALS_PER_PAGE, "deviations": DEVIATIONS_PER_PAGE, "risks": RISKS_PER_PAGE}.get(kind)
    if size is None or not k.isdigit():
        return range(0)
    top = count if kind == "goals" else count + 1
    return range(int(k) * size, min(top, (int(k) + 1) * size))


def new_ref() -> str:
    return uuid.uuid4().hex[:16]


def _text(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    text = "" if value is None else str(value)
    return text.replace("\x00", "").replace("\r\n", "\n").strip()


def _flag(raw: dict[str, Any], key: str) -> bool:
    return str(raw.get(key) or "").strip().lower() in ("true", "1", "yes", "on")


def _limit(errors: Errors, key: str, text: str, limit: int = r.MAX_COMMENT) -> str:
    if r.check_text(text, limit):
        errors[key] = (r.E_TOO_LONG, {"limit": limit})
    return text


def _colour(errors: Errors, key: str, raw: dict[str, Any]) -> Colour | None:
    try:
        return r.parse_colour(raw.get(key))
    except ValueError as exc:
        errors[key] = (str(exc), {})
        return None


def _amount(errors: Errors, key: str, raw: dict[str, Any]) -> int | None:
    try:
        return r.parse_outcome(raw.get(key))
    except ValueError as exc:
        errors[key] = (str(exc), {})
        return None


def parse_form(raw: dict[str, Any], template: ReportContent, *, page: str | None = None,
               areas: frozenset[str] = frozenset(), extras: tuple[str, ...] = ()) -> tuple[ReportContent, Errors]:
    """The report as the form says it, and the errors per input id (empty when all is fine).

    `template` is the draft as stored: it names the goals (and their previous colours) and the
    deviations already there, whose decision-basis links the form cannot change. With `page`,
    only that page's fields are read; everything else stays as stored.
    """
    errors: Errors = {}
    whole = page is None
    kind = "" if whole else page.partition("-")[0]

    def shown(name: str, count: int, slot: int) -> range:
        if whole:
            return range(count + slot)
        return page_range(page, count) if kind == name else range(0)

    goal_idx = shown("goals", len(template.goals), 0)
    dev_idx = shown("deviations", len(template.deviations), 1)
    risk_idx = shown("risks", len(template.risks), 1)
    general = whole or page == GENERAL
    goals = []
    for i, goal in enumerate(template.goals):
        if i not in goal_idx:
            goals.append(goal)
            continue
        key = f"g{goal.goal_id}"
        goals.append(replace(goal, colour=_colour(errors, f"{key}_colour", raw),
                             comment=_limit(errors, f"{key}_comment", _text(raw, f"{key}_comment")),
                             forecast=_limit(errors, f"{key}_forecast", _text(raw, f"{key}_forecast"), MAX_FORECAST)))
    dimensions = tuple(
        DimensionEntry(name, _colour(errors, f"d_{name}_colour", raw),
                       _limit(errors, f"d_{name}_comment", _text(raw, f"d_{name}_comment")))
        for name in DIMENSIONS) if general else template.dimensions

    known = {d.ref: d for d in template.deviations}
    deviations = []
    for n in range(len(template.deviations) + 1):
        if n not in dev_idx:
            if n < len(template.deviations):
                deviations.append(template.deviations[n])
            continue
        key = f"v{n}"
        title = _text(raw, f"{key}_title")
        cause = _text(raw, f"{key}_cause")
        ref = _text(raw, f"{key}_ref")
        if not title and not cause and ref not in known:
            continue  # the empty slot, left empty
        if not title:
            errors[f"{key}_title"] = (r.E_REQUIRED, {})
        try:
            kind = r.parse_kind(raw.get(f"{key}_kind"))
        except ValueError as exc:
            errors[f"{key}_kind"] = (str(exc), {})
            kind = DeviationKind.other
        hours = _amount(errors, f"{key}_hours", raw) or 0
        sek = _amount(errors, f"{key}_sek", raw) or 0
        other = tuple(sorted({a.strip() for a in _text(raw, f"{key}_areas").split(",") if a.strip() in areas}))
        before = known.get(ref)
        deviations.append(DeviationEntry(
            ref=ref if before else new_ref(), kind=kind, title=_limit(errors, f"{key}_title", title, r.MAX_SHORT),
            cause=_limit(errors, f"{key}_cause", cause, MAX_DEVIATION_TEXT),
            consequences=_limit(errors, f"{key}_consequences", _text(raw, f"{key}_consequences"), MAX_DEVIATION_TEXT),
            options=_limit(errors, f"{key}_options", _text(raw, f"{key}_options"), MAX_DEVIATION_TEXT),
            proposal=_limit(errors, f"{key}_proposal", _text(raw, f"{key}_proposal"), MAX_DEVIATION_TEXT),
            extra_hours=hours, extra_sek=sek, changes_goals=_flag(raw, f"{key}_goals"),
            whole_portfolio=_flag(raw, f"{key}_portfolio"), other_areas=other,
            closed=_flag(raw, f"{key}_closed"), need_id=before.need_id if before else None))
    if len(deviations) > r.MAX_ROWS:
        errors[f"v{r.MAX_ROWS}_title"] = (r.E_TOO_LONG, {"limit": r.MAX_ROWS})

    risks = []
    for n in range(len(template.risks) + 1):
        if n not in risk_idx:
            if n < len(template.risks):
                risks.append(template.risks[n])
            continue
        key = f"r{n}"
        title = _text(raw, f"{key}_title")
        mitigation = _text(raw, f"{key}_mitigation")
        if not title and not mitigation:
            continue
        if not title:
            errors[f"{key}_title"] = (r.E_REQUIRED, {})
        scores = []
        for part in ("probability", "consequence"):
            value = str(raw.get(f"{key}_{part}") or "").strip()
            if value not in SCALE:
                errors[f"{key}_{part}"] = (r.E_SCALE, {})
            scores.append(int(value) if value in SCALE else 0)
        risks.append(RiskEntry(_limit(errors, f"{key}_title", title, r.MAX_SHORT), scores[0], scores[1],
                               _limit(errors, f"{key}_mitigation", mitigation, MAX_MITIGATION)))

    if not general:
        return replace(template, goals=tuple(goals), deviations=tuple(deviations), risks=tuple(risks)), errors
    content = ReportContent(
        goals=tuple(goals), dimensions=dimensions, deviations=tuple(deviations), risks=tuple(risks),
        outcome_sek=_amount(errors, "outcome_sek", raw), outcome_hours=_amount(errors, "outcome_hours", raw),
        resources_comment=_limit(errors, "resources_comment", _text(raw, "resources_comment")),
        new_conditions=_limit(errors, "new_conditions", _text(raw, "new_conditions")),
        extras={name: _limit(errors, f"x_{name}", _text(raw, f"x_{name}")) for name in extras},
    )
    return content, errors


def values_of(content: ReportContent) -> dict[str, str]:
    """The form's inputs for a stored report (the inverse of `parse_form`)."""
    out: dict[str, str] = {}
    for goal in content.goals:
        key = f"g{goal.goal_id}"
        out[f"{key}_colour"] = goal.colour.value if goal.colour else ""
        out[f"{key}_comment"], out[f"{key}_forecast"] = goal.comment, goal.forecast
    for dim in content.dimensions:
        out[f"d_{dim.name}_colour"] = dim.colour.value if dim.colour else ""
        out[f"d_{dim.name}_comment"] = dim.comment
    for n, dev in enumerate(content.deviations):
        key = f"v{n}"
        out.update({f"{key}_ref": dev.ref, f"{key}_kind": dev.kind.value, f"{key}_title": dev.title,
                    f"{key}_cause": dev.cause, f"{key}_consequences": dev.consequences,
                    f"{key}_options": dev.options, f"{key}_proposal": dev.proposal,
                    f"{key}_hours": str(dev.extra_hours or ""), f"{key}_sek": str(dev.extra_sek or ""),
                    f"{key}_goals": "true" if dev.changes_goals else "false",
                    f"{key}_portfolio": "true" if dev.whole_portfolio else "false",
                    f"{key}_areas": ",".join(dev.other_areas), f"{key}_closed": "true" if dev.closed else "false"})
    for n, risk in enumerate(content.risks):
        key = f"r{n}"
        out.update({f"{key}_title": risk.title, f"{key}_probability": str(risk.probability or ""),
                    f"{key}_consequence": str(risk.consequence or ""), f"{key}_mitigation": risk.mitigation})
    out["outcome_sek"] = "" if content.outcome_sek is None else str(content.outcome_sek)
    out["outcome_hours"] = "" if content.outcome_hours is None else str(content.outcome_hours)
    out["resources_comment"], out["new_conditions"] = content.resources_comment, content.new_conditions
    for name, text in content.extras.items():
        out[f"x_{name}"] = text
    return out


def carried_forward(previous: ReportContent, goals: tuple[GoalEntry, ...]) -> ReportContent:
    """A new period's draft from the previous report: each goal starts at its last colour (and
    remembers it for the trend), open deviations and the risks come along; figures start empty."""
    before = {g.goal_id: g for g in previous.goals}
    carried = tuple(replace(g, colour=before[g.goal_id].colour if g.goal_id in before else None,
                            forecast=before[g.goal_id].forecast if g.goal_id in before else "",
                            previous=before[g.goal_id].colour if g.goal_id in before else None)
                    for g in goals)
    dims = tuple(DimensionEntry(d.name, d.colour) for d in previous.dimensions)
    return ReportContent(goals=carried, dimensions=dims or ReportContent().dimensions,
                         deviations=previous.open_deviations, risks=previous.risks)
