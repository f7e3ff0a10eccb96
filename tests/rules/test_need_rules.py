"""Pure rules for needs: validation, parsing, lifecycle and what happens next (similarity: test_similarity.py)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.rules import needs as rules

TODAY = date(2026, 3, 10)
AREAS = {"utbildning", "forskning"}
GOALS = {"utbildning": {1, 2}, "forskning": {3}}
GOOD = {"title": "  Bokning   av labbsalar ", "description": "Rad ett\r\nRad två", "e_area": "utbildning",
        "source": "user_group", "on_behalf_of": "Kemi", "benefit": "Mindre dubbelbokning", "hours": "1 200 h",
        "cost": "150 000 kr", "wished_date": "2026-03-10", "goals": "1,2,1"}


def check(**changes):
    return rules.validate({**GOOD, **changes}, today=TODAY, areas=AREAS, goals_by_area=GOALS)


def test_a_good_form_is_normalised():
    result = check()
    assert result.ok and result.errors == {}
    draft = result.draft
    assert draft.title == "Bokning av labbsalar" and draft.description == "Rad ett\nRad två"
    assert (draft.hours, draft.cost, draft.wished_date, draft.goals) == (1200, 150_000, TODAY, (1, 2))
    assert draft.source == "user_group"


@pytest.mark.parametrize(("changes", "field", "msgid"), [
    ({"title": ""}, "title", "Give the need a short title."),
    ({"title": " \t\n "}, "title", "Give the need a short title."),
    ({"title": "x" * 201}, "title", "The title is too long: at most 200 characters."),
    ({"description": "a" * 50_000}, "description", "The description is too long: at most 3,000 characters. I kept the first 3,000; shorten it or link to a document."),
    ({"hours": "-1"}, "hours", "The number cannot be negative."),
    ({"hours": "tio"}, "hours", "Write the hours as a whole number, for example 40."),
    ({"cost": "1e9"}, "cost", "Write the cost in whole kronor, for example 150 000."),
    ({"cost": "99999999999"}, "cost", "That number is too large to be a rough estimate. Check it."),
    ({"wished_date": "2026-03-09"}, "wished_date", "The date has already passed. Choose today or a later date."),
    ({"wished_date": "10/3/2026"}, "wished_date", "Write the date as YYYY-MM-DD, or pick it in the calendar."),
    ({"wished_date": "2026-02-30"}, "wished_date", "Write the date as YYYY-MM-DD, or pick it in the calendar."),
    ({"e_area": ""}, "e_area", "Choose the e-area the need belongs to."),
    ({"e_area": "okänt"}, "e_area", "That e-area does not exist. Choose one from the list."),
    ({"source": "rykten"}, "source", "Choose where the need comes from in the list."),
    ({"goals": "3"}, "goals", "Some of the chosen goals belong to another e-area's plan. Choose goals of the e-area you picked."),
    ({"goals": "1;drop table"}, "goals", "Choose plan goals from the list."),
    ({"title": ["a"]}, "title", "This value could not be read. Please fill it in again."),
    ({"hours": {"n": 1}}, "hours", "This value could not be read. Please fill it in again."),
    ({"hours": True}, "hours", "This value could not be read. Please fill it in again."),
])
def test_each_bad_input_marks_its_field(changes, field, msgid):
    result = check(**changes)
    assert not result.ok
    assert result.errors[field] == msgid
    assert result.kept["on_behalf_of"] == "Kemi"  # the rest is kept


def test_missing_fields_count_as_empty_and_extra_fields_are_ignored():
    result = rules.validate({"title": "Ny tjänst", "e_area": "forskning", "evil": "<script>"}, today=TODAY,
                            areas=AREAS, goals_by_area=GOALS)
    assert result.ok and result.draft.hours is None and result.draft.source == "staff"
    assert "evil" not in result.kept


def test_fields_named_unreadable_are_marked_and_the_rest_kept():
    result = rules.validate({k: v for k, v in GOOD.items() if k != "hours"}, today=TODAY, areas=AREAS,
                            goals_by_area=GOALS, unreadable=("hours",))
    assert not result.ok
    assert result.errors == {"hours": "This value could not be read. Please fill it in again."}
    assert result.kept["hours"] == "" and result.kept["title"] == "Bokning av labbsalar"


def test_numbers_typed_as_numbers_are_accepted():
    assert check(hours=40, cost=1500.0).draft.hours == 40


def test_overlong_text_is_kept_cut_to_the_limit():
    result = check(description="a" * 50_000, benefit="b" * 2000)
    assert len(result.kept["description"]) == rules.DESCRIPTION_MAX
    assert len(result.kept["benefit"]) == rules.BENEFIT_MAX


def test_control_characters_are_removed():
    assert check(title="Bok\x00ning\x1b").draft.title == "Bokning"


@pytest.mark.parametrize(("text", "value"), [("1 500", 1500), ("1\u00a0500 kr", 1500), ("40 h", 40),
                                             ("2 500 000", 2_500_000), ("12.0", 12), ("12,5", None), ("", None)])
def test_parse_whole(text, value):
    assert rules.parse_whole(text) == value


def test_title_from_free_text():
    assert rules.title_from_text("Vi behöver ett bokningssystem") == ("Ett bokningssystem", "")
    title, description = rules.title_from_text("We need exam rooms. They are always full.")
    assert title == "Exam rooms" and description == "exam rooms. They are always full."
    assert len(rules.title_from_text("Vi behöver " + "x" * 400)[0]) == rules.TITLE_MAX


def test_need_numbers():
    assert rules.parse_number("b-2026-0042") == (2026, 42)
    assert rules.parse_number("B-26-1") is None
    assert rules.format_number(2026, 7) == "B-2026-0007"


def test_lifecycle():
    assert rules.can_transition("registered", "under_assessment")
    assert rules.can_transition("awaiting_decision", "approved")
    assert not rules.can_transition("done", "registered")
    assert not rules.can_transition("registered", "approved")
    assert set(rules.TRANSITIONS) == set(rules.STATUSES)


def test_what_happens_next_for_a_new_need():
    steps = rules.next_steps("registered", coordinators=["Alex"], wished_date=date(2026, 3, 20), today=TODAY,
                             plan_status="decided", year=2026)
    assert [s.key for s in steps] == ["assess", "routes", "soon", "follow"]
    steps = rules.next_steps("registered", coordinators=[], wished_date=None, today=TODAY, plan_status=None, year=2026)
    assert [s.key for s in steps] == ["no_coordinator", "routes", "no_plan", "follow"]
    assert [s.key for s in rules.next_steps("inventory", coordinators=[], wished_date=None, today=TODAY,
                                            plan_status="draft", year=2026)] == ["inventory", "follow"]
