"""The draft form's inputs to report content: errors per input, nothing typed lost."""

from bot.rules import reports as r
from bot.rules.report_content import (
    DeviationEntry,
    GoalEntry,
    ReportContent,
    RiskEntry,
    carried_forward,
    parse_form,
    values_of,
)
from bot.rules.reports import Colour, DeviationKind

TEMPLATE = ReportContent(
    goals=(GoalEntry(1, "Kursanmälan", previous=Colour.green), GoalEntry(2, "Digital tentamen")),
    deviations=(DeviationEntry("ref-a", DeviationKind.delay, "Försenad leverans", need_id=7),),
    risks=(RiskEntry("Nyckelperson slutar", 2, 4, "Dokumentera"),),
)


def test_a_filled_form_round_trips():
    raw = values_of(TEMPLATE)
    raw.update({"g1_colour": "red", "g1_comment": "Leverantören är sen", "g2_colour": "gul",
                "d_time_colour": "yellow", "outcome_sek": "1 200 000", "outcome_hours": "800",
                "v1_kind": "cost", "v1_title": "Dyrare licens", "v1_sek": "50000", "v1_areas": "forskning,okänd"})
    content, errors = parse_form(raw, TEMPLATE, areas=frozenset({"forskning"}), extras=("security_review",))
    assert errors == {}
    assert [(g.colour, g.trend) for g in content.goals] == [(Colour.red, r.Trend.worse), (Colour.yellow, r.Trend.new)]
    assert content.outcome_sek == 1_200_000 and content.worst is Colour.red
    kept, added = content.deviations
    assert (kept.ref, kept.need_id) == ("ref-a", 7)  # the form cannot move a decision-basis link
    assert (added.kind, added.extra_sek, added.other_areas, added.need_id) == (DeviationKind.cost, 50_000, ("forskning",), None)
    assert content.risks == TEMPLATE.risks
    assert content.extras == {"security_review": ""}
    again, errors = parse_form(values_of(content), TEMPLATE, areas=frozenset({"forskning"}), extras=("security_review",))
    assert errors == {} and again.goals == content.goals


def test_bad_input_is_named_per_field():
    raw = values_of(TEMPLATE)
    raw.update({"g1_colour": "blå", "g2_comment": "x" * 50_000, "outcome_sek": "mycket", "outcome_hours": "-3",
                "v1_cause": "Orsak utan rubrik", "r1_title": "Ny risk", "r1_probability": "9"})
    content, errors = parse_form(raw, TEMPLATE)
    assert errors["g1_colour"] == (r.E_COLOUR, {})
    assert errors["g2_comment"] == (r.E_TOO_LONG, {"limit": r.MAX_COMMENT})
    assert errors["outcome_sek"] == (r.E_NOT_A_NUMBER, {})
    assert errors["outcome_hours"] == (r.E_NEGATIVE, {})
    assert errors["v1_title"] == (r.E_REQUIRED, {}) and errors["v1_kind"] == (r.E_KIND, {})
    assert errors["r1_probability"] == (r.E_SCALE, {}) and errors["r1_consequence"] == (r.E_SCALE, {})
    assert len(content.goals[1].comment) == 50_000  # kept for the form to show again


def test_empty_slots_add_nothing():
    content, errors = parse_form(values_of(TEMPLATE), TEMPLATE)
    assert errors == {} and len(content.deviations) == 1 and len(content.risks) == 1


def test_carried_forward_keeps_colours_as_previous_and_drops_closed_deviations():
    before = ReportContent(goals=(GoalEntry(1, "Kursanmälan", Colour.yellow, "kommentar", "prognos"),),
                           deviations=(DeviationEntry("a", DeviationKind.delay, "Öppen"),
                                       DeviationEntry("b", DeviationKind.cost, "Stängd", closed=True)))
    after = carried_forward(before, (GoalEntry(1, "Kursanmälan"), GoalEntry(9, "Nytt mål")))
    assert [(g.colour, g.previous, g.comment) for g in after.goals] == [
        (Colour.yellow, Colour.yellow, ""), (None, None, "")]
    assert [d.ref for d in after.deviations] == ["a"]


def test_a_page_reads_only_its_own_kind_of_rows():
    """Saving the deviations or risks page leaves the goals as stored (and the other way round)."""
    from bot.rules.report_content import (
        DeviationEntry,
        GoalEntry,
        ReportContent,
        RiskEntry,
        parse_form,
    )
    from bot.rules.reports import Colour, DeviationKind

    stored = ReportContent(goals=(GoalEntry(1, "A", Colour.green), GoalEntry(2, "B", Colour.red)),
                           deviations=(DeviationEntry("r1", DeviationKind.delay, "Sen"),),
                           risks=(RiskEntry("Risk", 2, 3),))
    for page in ("deviations-0", "risks-0", "general"):
        content, errors = parse_form({"v0_ref": "r1", "v0_kind": "delay", "v0_title": "Sen", "r0_title": "Risk",
                                      "r0_probability": "2", "r0_consequence": "3"}, stored, page=page)
        assert [g.colour for g in content.goals] == [Colour.green, Colour.red], page
        assert not errors
    content, _ = parse_form({"g1_colour": "yellow", "g2_colour": "red"}, stored, page="goals-0")
    assert content.deviations == stored.deviations and content.risks == stored.risks
