"""Snapshots of the status-report cards (sv and en), their size with 15 goals, and what each
must show. Regenerate with STYRA_UPDATE_SNAPSHOTS=1."""

import json
import os
from pathlib import Path

import pytest

from bot.i18n import translator
from bot.rules import report_content as rc
from bot.rules.report_content import DeviationEntry, GoalEntry, ReportContent, RiskEntry, values_of
from bot.rules.reports import Colour, DeviationKind
from cards import report_form as forms
from cards import reports as cards
from cards.verbs import Verb

SNAPSHOTS = Path(__file__).parent / "snapshots"
KNOWN = {v.value for v in Verb if v.startswith("report.")} | {Verb.BASIS_VIEW.value}
COLOURS = (Colour.green, Colour.yellow, Colour.red)
GOAL_TITLES = ["Samlad digital kursanmälan", "Digital examination i större skala", "Enhetliga kursrum",
               "Nytt schemaläggningsverktyg", "Lagring av forskningsdata för [alla](http://x)"]


def check(name: str, card: dict) -> None:
    path = SNAPSHOTS / f"{name}.json"
    text = json.dumps(card, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if os.environ.get("STYRA_UPDATE_SNAPSHOTS") == "1":
        path.write_text(text, encoding="utf-8")
    if not path.exists():
        pytest.fail(f"missing snapshot {path.name} (run with STYRA_UPDATE_SNAPSHOTS=1)")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed (STYRA_UPDATE_SNAPSHOTS=1 to accept)"
    assert card["version"] == "1.5"
    assert len(json.dumps(card, ensure_ascii=False).encode()) < 25_000
    assert set(_verbs(card)) <= KNOWN


def _verbs(node) -> list[str]:
    out = []
    if isinstance(node, dict):
        if node.get("type") in ("Action.Execute", "Action.Submit"):
            out.append(node["data"]["verb"])
        for value in node.values():
            out.extend(_verbs(value))
    elif isinstance(node, list):
        for value in node:
            out.extend(_verbs(value))
    return out


def _inputs(node) -> list[str]:
    out = []
    if isinstance(node, dict):
        if str(node.get("type", "")).startswith("Input."):
            out.append(node["id"])
        for value in node.values():
            out.extend(_inputs(value))
    elif isinstance(node, list):
        for value in node:
            out.extend(_inputs(value))
    return out


def _goals(n: int) -> tuple[GoalEntry, ...]:
    return tuple(GoalEntry(i + 1, f"{GOAL_TITLES[i % 5]} ({i + 1})", previous=COLOURS[(i + 1) % 3] if i else None)
                 for i in range(n))


DEV = DeviationEntry("ref-a", DeviationKind.cost, "Licensen blev dyrare", cause="Ny prismodell",
                     consequences="Ramen räcker inte", proposal="Utöka ramen med 300 000 kr", extra_sek=300_000)
TEMPLATE = ReportContent(goals=_goals(3), deviations=(DEV,), risks=(RiskEntry("Nyckelperson slutar", 3, 4, "Dokumentera"),))


def _form(lang, **kw):
    t = translator(lang)
    base = dict(report_id=7, revision=3, form="f1", area_name="Utbildning", period="2026-Q2", version=1,
                template=TEMPLATE, values=values_of(TEMPLATE),
                extras=("security_review", "agreements_and_service_levels", "needs_next_year"),
                areas=(("forskning", "Forskning"),), frame_sek=2_500_000, frame_hours=4_000,
                committed_sek=900_000, committed_hours=1_200, since=("2 needs registered", "1 decision taken"))
    base.update(kw)
    base["pages"] = rc.pages(base["template"])
    return forms.report_form(t, forms.FormView(**base))


PAGE_INPUTS = {
    "goals-0": {"g1_colour", "g1_comment", "g1_forecast", "g3_colour"},
    "general": {"d_time_colour", "d_scope_comment", "outcome_sek", "outcome_hours", "x_needs_next_year"},
    "deviations-0": {"v0_kind", "v0_ref", "v0_title", "v0_hours", "v0_portfolio", "v1_title", "v1_areas"},
    "risks-0": {"r0_probability", "r0_mitigation", "r1_title"},
}


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("page", list(PAGE_INPUTS))
def test_draft_form_pages(lang, page):
    card = _form(lang, page=page)
    check(f"report_form_{page}_{lang}", card)
    assert PAGE_INPUTS[page] <= set(_inputs(card))
    others = set().union(*(v for k, v in PAGE_INPUTS.items() if k != page))
    assert not others & set(_inputs(card))  # a page holds only its own fields
    verbs = [a["data"]["verb"] for a in card["actions"]]
    assert verbs[-1] == "report.submit" and set(verbs[:-1]) == {"report.save"}
    assert all(a["data"]["page"] == page for a in card["actions"])


def test_pages_in_order():
    assert rc.pages(TEMPLATE) == ("goals-0", "general", "deviations-0", "risks-0")
    big = ReportContent(goals=_goals(15), deviations=(DEV, DEV), risks=TEMPLATE.risks * 5)
    assert rc.pages(big) == ("goals-0", "goals-1", "goals-2", "general", "deviations-0", "deviations-1",
                             "risks-0", "risks-1")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_draft_form_keeps_input_and_marks_errors(lang):
    t = translator(lang)
    values = values_of(TEMPLATE) | {"d_cost_comment": "x" * 3000, "outcome_sek": "mycket"}
    errors = {"d_cost_comment": t("At most {limit} characters here; shorten the text (it is kept below).", limit=2000),
              "outcome_sek": t("Write whole numbers only, for example 120.")}
    card = _form(lang, page="general", values=values, errors=errors,
                 notice=t("{name} changed the report while you were writing. Nothing was saved; your text is below.",
                          name="Megan Bowen"))
    check(f"report_form_errors_{lang}", card)
    text = json.dumps(card, ensure_ascii=False)
    assert '"value": "mycket"' in text and "x" * 3000 in text
    assert errors["outcome_sek"] in text and "Megan Bowen" in text


SWEDISH = "Arbetet går vidare enligt planen, och nästa steg är att upphandla stödet. " * 40


def test_every_page_of_a_fifteen_goal_report_fits_with_every_field_full():
    full = ReportContent(goals=_goals(15), deviations=(DEV,) * 3, risks=TEMPLATE.risks * 6)
    values = values_of(full)
    for key in list(values):
        limit = {"_title": 200, "_forecast": rc.MAX_FORECAST, "_mitigation": rc.MAX_MITIGATION}.get(key[key.rfind("_"):], None)
        if key.endswith(("_comment", "new_conditions")) or key.startswith("x_"):
            values[key] = SWEDISH[:2000]
        elif key.endswith(("_cause", "_consequences", "_options", "_proposal")):
            values[key] = SWEDISH[:rc.MAX_DEVIATION_TEXT]
        elif limit:
            values[key] = SWEDISH[:limit]
    for extra in ("security_review", "agreements_and_service_levels", "needs_next_year"):
        values[f"x_{extra}"] = SWEDISH[:2000]
    for page in rc.pages(full):
        try:
            card = _form("sv", template=full, values=values, page=page)
        except Exception as exc:
            raise AssertionError(f"{page}: {exc}") from None
        assert len(json.dumps(card, ensure_ascii=False).encode()) < 25_000, page


def _report(lang, n=3, **kw):
    goals = tuple(cards.GoalLine(g.title, COLOURS[i % 3].value, ("new", "better", "same", "worse")[i % 4],
                                 "Enligt plan" if i % 2 else "", "Klart i december" if i == 0 else "")
                  for i, g in enumerate(_goals(n)))
    base = dict(report_id=7, area_name="Utbildning", period="2026-Q2", version=1, status="submitted",
                submitted_by="Alex Wilber", submitted_at="2026-06-09 10:15", goals=goals,
                dimensions=(("time", "yellow", "Två veckor sent"), ("cost", "green", ""), ("resources", "red", ""),
                            ("scope", None, "")),
                deviations=(cards.DeviationLine("ref-a", "Licensen blev dyrare", "cost", "steering_group",
                                                cause="Ny prismodell", proposal="Utöka ramen"),
                            cards.DeviationLine("ref-b", "Leverantören är sen", "delay", "steering_group",
                                                basis_id=12, basis_label="B-2026-0012"),
                            cards.DeviationLine("ref-c", "Två veckors försening", "delay", "coordinators")),
                risks=(("Nyckelperson slutar", 3, 4, "Dokumentera"),), frame_sek=2_500_000, frame_hours=4_000,
                outcome_sek=1_250_000, outcome_hours=1_900, used_percent=50, new_conditions="Ny lag om arkiv.",
                extras=(("security_review", "Inga allvarliga brister."),), since=("2 needs registered",),
                refresh_ids=("user-id-0",))
    base.update(kw)
    return cards.report_card(translator(lang), cards.ReportView(**base))


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_submitted_report_for_the_channel(lang):
    card = _report(lang, n=5)
    check(f"report_submitted_{lang}", card)
    assert card["refresh"]["userIds"] == ["user-id-0"] and card["refresh"]["action"]["verb"] == "report.view"
    text = json.dumps(card, ensure_ascii=False)
    assert ("🔴 Röd" if lang == "sv" else "🔴 Red") in text  # the colour and its word
    assert "report.deviation_basis" in text and "basis.view" in text
    assert "report.review" not in text  # the channel's copy has no chair buttons
    assert "\\\\[alla\\\\]" in text  # user text is escaped


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_chairs_view_and_reviewed(lang):
    chair = _report(lang, can_review=True)
    check(f"report_chair_{lang}", chair)
    assert "comment" in _inputs(chair) and "report.review" in _verbs(chair)
    done = _report(lang, status="reviewed", reviewed_by="Alex Wilber", reviewed_at="2026-06-16 14:00",
                   review_comment="Bra rapport", can_review=True)
    check(f"report_reviewed_{lang}", done)
    assert "refresh" not in done and "report.review" not in _verbs(done)


def test_fifteen_goal_report_card_fits():
    card = _report("sv", n=15)
    assert len(json.dumps(card, ensure_ascii=False).encode()) < 25_000


def _rollup(lang, n=5):
    statuses = ("submitted", "reviewed", "draft", "none", "submitted")
    lines = tuple(cards.RollupLine(f"E-område {i + 1}", "2026-Q2" if statuses[i % 5] != "none" else "",
                                   statuses[i % 5], {"green": 3, "yellow": i % 3, "red": i % 2}, COLOURS[i % 3].value,
                                   i % 3, i % 2, 40 + i, ("on_time", "late", "missing", "missing", "on_time")[i % 5])
                  for i in range(n))
    return cards.rollup_card(translator(lang), cards.RollupView("2026-Q2", "2026-06-09", lines))


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_rollup(lang):
    card = _rollup(lang)
    check(f"report_rollup_{lang}", card)
    text = json.dumps(card, ensure_ascii=False)
    assert "E-område 2, E-område 3, E-område 4" in text


def test_rollup_over_thirty_areas_fits():
    assert len(json.dumps(_rollup("sv", 30), ensure_ascii=False).encode()) < 25_000


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_meeting_pack(lang):
    t = translator(lang)
    view = cards.MeetingView(
        "Utbildning", "2026-Q2", "2026-06-16", t("{status}, version {version}; worst status: {colour}", status=t("Submitted"),
                                                   version=1, colour="🔴"), 7,
        bases=((12, "B-2026-0012", "Licensen blev dyrare"),),
        deviations=(cards.DeviationLine("ref-a", "Licensen blev dyrare", "cost", "steering_group"),),
        wheel_items=("Uppföljning av andra kvartalet", "Avtal och säkerhet"),
        decisions=(("D-2026-0003", "UFV 2026/123", "Approved", "Licensen blev dyrare"),))
    card = cards.meeting_card(t, view)
    check(f"report_meeting_{lang}", card)
    assert "basis.view" in _verbs(card) and "D-2026-0003" in json.dumps(card, ensure_ascii=False)
