import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.rules.calendar import is_working_day
from bot.rules.wheel import (
    QUARTER_REPORT_EXTRAS,
    BeforeSteeringMeeting,
    NthWeekday,
    WorkingDay,
    due_between,
    occurrences_for_year,
    steering_meeting_date,
)
from bot.rules.wheel_file import WheelError, load_wheel, parse_wheel

D = dt.date
UTC = dt.UTC
STOCKHOLM = ZoneInfo("Europe/Stockholm")

MEETINGS = """
[steering_meetings]
3 = "nth_weekday = 3 tuesday"
6 = "nth_weekday = 3 tuesday"
9 = "nth_weekday = 3 tuesday"
12 = "nth_weekday = 3 tuesday"
"""


def activity(key="a-one", month=3, when="working_day = 1", **extra) -> str:
    fields = {
        "key": key,
        "month": month,
        "when": when,
        "audience": "coordinators",
        "title_sv": "Rubrik",
        "body_sv": "Text om vad som ska göras.",
        **extra,
    }
    lines = ["[[activity]]"]
    for name, value in fields.items():
        lines.append(f"{name} = {value}" if isinstance(value, int) else f'{name} = "{value}"')
    return "\n".join(lines) + "\n"


def wheel_text(*activities: str, reminder='"09:00"', meetings=MEETINGS) -> str:
    return f"reminder_time = {reminder}\n{meetings}\n" + "\n".join(activities)


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return hits[occurrence - 1]


@pytest.fixture(scope="module")
def default_wheel():
    return load_wheel(None)


# --- the default wheel ---------------------------------------------------------------------


def test_default_wheel_covers_every_month_but_july(default_wheel):
    months = {a.month for a in default_wheel.activities}
    assert months == set(range(1, 13)) - {7}
    assert default_wheel.reminder_time == dt.time(9, 0)
    assert set(default_wheel.steering_meetings) == {3, 6, 9, 12}


def test_default_wheel_has_swedish_and_english_text_everywhere(default_wheel):
    for a in default_wheel.activities:
        assert a.title["sv"] and a.title["en"] and a.title["sv"] != a.title["en"], a.key
        assert a.body["sv"] and a.body["en"] and a.body["sv"] != a.body["en"], a.key


def test_default_wheel_quarter_reports_follow_the_domain(default_wheel):
    reports = {
        a.month: a.quarter_report for a in default_wheel.activities if a.action == "status_report"
    }
    assert reports == {3: "q1", 6: "q2", 9: "q3", 12: "q4"}
    assert "security_review" in QUARTER_REPORT_EXTRAS["q2"]
    assert "draft_plan" in QUARTER_REPORT_EXTRAS["q3"]
    assert QUARTER_REPORT_EXTRAS["q4"] == ("completed_plan",)


@pytest.mark.parametrize("year", [2026, 2027, 2028])
def test_every_activity_occurs_once_a_year_in_its_month_on_a_working_day(default_wheel, year):
    found = occurrences_for_year(default_wheel, year, STOCKHOLM)
    keys = [o.activity_key for o in found]
    assert sorted(keys) == sorted(a.key for a in default_wheel.activities)
    for occurrence in found:
        a = default_wheel.activity(occurrence.activity_key)
        local = occurrence.due_at.astimezone(STOCKHOLM)
        assert occurrence.period == f"{year}-{a.month:02d}"
        assert (local.year, local.month) == (year, a.month)
        assert is_working_day(local.date()), occurrence
        assert (local.hour, local.minute) == (9, 0)
        assert occurrence.answer_by > local.date()
        assert is_working_day(occurrence.answer_by)


def test_nothing_is_due_on_a_swedish_holiday_in_2027(default_wheel):
    holidays_2027 = {
        D(2027, 1, 1),  # nyårsdagen
        D(2027, 1, 6),  # trettondedag jul
        D(2027, 3, 26),  # långfredagen
        D(2027, 3, 29),  # annandag påsk
        D(2027, 5, 1),  # första maj
        D(2027, 5, 6),  # Kristi himmelsfärdsdag
        D(2027, 6, 6),  # nationaldagen
        D(2027, 6, 25),  # midsommarafton
        D(2027, 12, 24),  # julafton
        D(2027, 12, 25),  # juldagen
        D(2027, 12, 26),  # annandag jul
        D(2027, 12, 31),  # nyårsafton
    }
    found = occurrences_for_year(default_wheel, 2027, STOCKHOLM)
    assert not {o.due_at.date() for o in found} & holidays_2027
    assert not {o.answer_by for o in found} & holidays_2027


def test_default_steering_material_lands_before_the_meeting(default_wheel):
    by_key = {o.activity_key: o for o in occurrences_for_year(default_wheel, 2027, STOCKHOLM)}
    # Third Tuesdays of 2027: 16 March, 15 June, 21 September, 21 December.
    assert steering_meeting_date(default_wheel, 2027, 3) == D(2027, 3, 16)
    assert steering_meeting_date(default_wheel, 2027, 12) == D(2027, 12, 21)
    assert by_key["mar-steering-material"].due_at.date() == D(2027, 3, 9)
    assert by_key["mar-steering-material"].answer_by == D(2027, 3, 15)
    assert by_key["mar-steering-meeting"].due_at.date() == D(2027, 3, 12)
    assert by_key["dec-steering-material"].due_at.date() == D(2027, 12, 14)
    assert by_key["dec-steering-material"].answer_by == D(2027, 12, 20)
    assert by_key["dec-steering-meeting"].answer_by == D(2027, 12, 21)


# --- day rules ------------------------------------------------------------------------------


def test_before_steering_meeting_counts_working_days_over_a_holiday():
    # June 2028: meeting Tuesday 20 June; nationaldagen is Tuesday 6 June.
    wheel = parse_wheel(wheel_text(activity(month=6, when="before_steering_meeting = 10")))
    assert wheel.activities[0].when == BeforeSteeringMeeting(10)
    [occurrence] = occurrences_for_year(wheel, 2028, STOCKHOLM)
    assert occurrence.due_at.date() == D(2028, 6, 5)
    assert occurrence.answer_by == D(2028, 6, 19)  # default: the working day before


def test_before_steering_meeting_never_leaves_its_month_and_answer_by_stops_at_the_meeting():
    meetings = MEETINGS.replace('3 = "nth_weekday = 3 tuesday"', '3 = "working_day = 2"')
    text = wheel_text(
        activity(when="before_steering_meeting = 4", due_working_days=4), meetings=meetings
    )
    wheel = parse_wheel(text)
    [occurrence] = occurrences_for_year(wheel, 2027, STOCKHOLM)
    # Meeting on 2 March 2027; four working days earlier is February, so the reminder
    # goes out on the month's first working day and is due by the meeting.
    assert occurrence.due_at.date() == D(2027, 3, 1)
    assert occurrence.answer_by == D(2027, 3, 2)


def test_nth_weekday_on_good_friday_moves_to_the_next_working_day():
    wheel = parse_wheel(wheel_text(activity(when="nth_weekday = 4 friday")))
    assert wheel.activities[0].when == NthWeekday(4, 4)
    [occurrence] = occurrences_for_year(wheel, 2027, STOCKHOLM)
    assert occurrence.due_at.date() == D(2027, 3, 30)  # 26 March långfredag, 29 annandag påsk


def test_first_and_last_working_day_rules():
    wheel = parse_wheel(
        wheel_text(
            activity("jan-first", 1, "first_working_day"),
            activity("dec-last", 12, "last_working_day"),
        )
    )
    dates = {o.activity_key: o.due_at.date() for o in occurrences_for_year(wheel, 2027, STOCKHOLM)}
    assert dates == {"jan-first": D(2027, 1, 4), "dec-last": D(2027, 12, 30)}


def test_english_text_falls_back_to_swedish():
    wheel = parse_wheel(wheel_text(activity(title_en="Heading")))
    a = wheel.activities[0]
    assert a.title == {"sv": "Rubrik", "en": "Heading"}
    assert a.body == {"sv": "Text om vad som ska göras.", "en": "Text om vad som ska göras."}
    assert a.when == WorkingDay(1)
    assert a.due_working_days == 10


# --- time of day and daylight saving ------------------------------------------------------


def test_due_at_is_nine_local_on_both_sides_of_the_spring_change():
    # DST starts Sunday 28 March 2027: the week before is +01:00, the days after +02:00.
    wheel = parse_wheel(
        wheel_text(
            activity("mar-early", 3, "working_day = 15"),
            activity("mar-late", 3, "last_working_day"),
        )
    )
    by_key = {o.activity_key: o.due_at for o in occurrences_for_year(wheel, 2027, STOCKHOLM)}
    assert by_key["mar-early"] == dt.datetime(2027, 3, 19, 8, 0, tzinfo=UTC)
    assert by_key["mar-late"] == dt.datetime(2027, 3, 31, 7, 0, tzinfo=UTC)
    for due in by_key.values():
        local = due.astimezone(STOCKHOLM)
        assert (local.hour, local.minute) == (9, 0)


def test_due_at_is_nine_local_on_both_sides_of_the_autumn_change():
    # DST ends Sunday 31 October 2027.
    wheel = parse_wheel(
        wheel_text(
            activity("oct-last", 10, "last_working_day"),
            activity("nov-first", 11, "first_working_day"),
        )
    )
    by_key = {o.activity_key: o.due_at for o in occurrences_for_year(wheel, 2027, STOCKHOLM)}
    assert by_key["oct-last"] == dt.datetime(2027, 10, 29, 7, 0, tzinfo=UTC)
    assert by_key["nov-first"] == dt.datetime(2027, 11, 1, 8, 0, tzinfo=UTC)


def test_reminder_time_is_read_in_the_time_zone_given():
    wheel = parse_wheel(wheel_text(activity("mar-early", 3, "working_day = 15")))
    [stockholm] = occurrences_for_year(wheel, 2027, STOCKHOLM)
    [helsinki] = occurrences_for_year(wheel, 2027, ZoneInfo("Europe/Helsinki"))
    assert stockholm.due_at == dt.datetime(2027, 3, 19, 8, 0, tzinfo=UTC)
    assert helsinki.due_at == dt.datetime(2027, 3, 19, 7, 0, tzinfo=UTC)  # 09:00 in Helsinki
    assert (helsinki.period, helsinki.answer_by) == (stockholm.period, stockholm.answer_by)


@pytest.mark.parametrize("value", ['"02:30"', "02:30:00", '"06:59"', '"18:01"', '"23:00"'])
def test_reminder_time_outside_working_hours_is_refused(value):
    text = wheel_text(activity(), reminder=value)
    with pytest.raises(WheelError) as caught:
        parse_wheel(text)
    assert caught.value.line == 1
    assert "outside working hours" in caught.value.reason
    assert "daylight saving" in caught.value.reason


@pytest.mark.parametrize(
    ("value", "expected"),
    [('"07:00"', dt.time(7, 0)), ('"18:00"', dt.time(18, 0)), ("10:15:00", dt.time(10, 15))],
)
def test_reminder_time_inside_working_hours_is_accepted(value, expected):
    assert parse_wheel(wheel_text(activity(), reminder=value)).reminder_time == expected


@pytest.mark.parametrize("value", ['"9am"', '"25:00"', "9"])
def test_reminder_time_must_be_a_time(value):
    with pytest.raises(WheelError, match="reminder_time"):
        parse_wheel(wheel_text(activity(), reminder=value))


def test_hourly_ticks_across_the_dst_changes_deliver_each_occurrence_once():
    wheel = parse_wheel(
        wheel_text(
            activity("mar-late", 3, "last_working_day"),
            activity("mar-material", 3, "before_steering_meeting = 5"),
            activity("oct-last", 10, "last_working_day"),
            activity("nov-first", 11, "first_working_day"),
        )
    )
    delivered = []
    for start_day, end_day in ((D(2027, 3, 1), D(2027, 4, 5)), (D(2027, 10, 25), D(2027, 11, 5))):
        tick = dt.datetime.combine(start_day, dt.time(0), tzinfo=UTC)
        stop = dt.datetime.combine(end_day, dt.time(0), tzinfo=UTC)
        while tick < stop:
            following = tick + dt.timedelta(hours=1)
            delivered += due_between(wheel, tick, following, STOCKHOLM)
            tick = following
    keys = [(o.activity_key, o.period) for o in delivered]
    assert sorted(keys) == [
        ("mar-late", "2027-03"),
        ("mar-material", "2027-03"),
        ("nov-first", "2027-11"),
        ("oct-last", "2027-10"),
    ]


def test_one_window_across_the_autumn_change_has_no_duplicates(default_wheel):
    start = dt.datetime(2027, 10, 1, tzinfo=UTC)
    end = dt.datetime(2027, 11, 30, tzinfo=UTC)
    found = due_between(default_wheel, start, end, STOCKHOLM)
    assert [o.activity_key for o in found] == ["oct-plan-finetune", "nov-funnel-q1"]


def test_due_between_is_exclusive_at_start_and_inclusive_at_end(default_wheel):
    [kickoff] = [
        o for o in occurrences_for_year(default_wheel, 2027, STOCKHOLM) if o.activity_key == "jan-kickoff"
    ]
    second = dt.timedelta(seconds=1)
    assert due_between(default_wheel, kickoff.due_at - second, kickoff.due_at, STOCKHOLM) == [kickoff]
    assert due_between(default_wheel, kickoff.due_at, kickoff.due_at + second, STOCKHOLM) == []
    assert due_between(default_wheel, kickoff.due_at, kickoff.due_at - second, STOCKHOLM) == []


def test_due_between_crosses_the_year_boundary(default_wheel):
    start = dt.datetime(2027, 12, 15, tzinfo=UTC)
    end = dt.datetime(2028, 1, 31, tzinfo=UTC)
    found = due_between(default_wheel, start, end, STOCKHOLM)
    assert [(o.activity_key, o.period) for o in found] == [
        ("dec-steering-meeting", "2027-12"),
        ("jan-kickoff", "2028-01"),
    ]


def test_due_between_refuses_naive_datetimes(default_wheel):
    with pytest.raises(ValueError, match="naive"):
        due_between(default_wheel, dt.datetime(2027, 1, 1), dt.datetime(2027, 2, 1), STOCKHOLM)


# --- errors with line numbers -------------------------------------------------------------


def expect_error(text: str) -> WheelError:
    with pytest.raises(WheelError) as caught:
        parse_wheel(text, source="wheel.toml")
    return caught.value


def test_bad_toml_syntax_names_the_line():
    text = wheel_text(activity(), activity("a-two").replace("month = 3", "month = = 3"))
    error = expect_error(text)
    assert error.line == line_of(text, "month = = 3")
    assert str(error).startswith(f"wheel.toml line {error.line}: not valid TOML")


def test_unknown_audience():
    text = wheel_text(activity(), activity("a-two", audience="boss"))
    error = expect_error(text)
    assert error.line == line_of(text, 'audience = "boss"')
    assert (
        str(error)
        == f"wheel.toml line {error.line}: unknown audience 'boss' (use coordinators or steering_group)"
    )


def test_month_13():
    text = wheel_text(activity(), activity("a-two", month=13))
    error = expect_error(text)
    assert error.line == line_of(text, "month = 13")
    assert "month must be a number from 1 to 12" in error.reason


def test_missing_swedish_title_points_at_the_activity():
    second = activity("a-two").replace('title_sv = "Rubrik"\n', 'title_en = "Heading"\n')
    text = wheel_text(activity(), second)
    error = expect_error(text)
    assert error.line == line_of(text, "[[activity]]", occurrence=2)
    assert "Swedish title" in error.reason


def test_duplicate_key_points_at_the_second_one():
    text = wheel_text(activity("same"), activity("other"), activity("same"))
    error = expect_error(text)
    assert error.line == line_of(text, 'key = "same"', occurrence=2)
    assert error.reason == "duplicate key 'same'"


def test_unknown_action():
    text = wheel_text(activity(action="make_coffee"))
    error = expect_error(text)
    assert error.line == line_of(text, 'action = "make_coffee"')
    assert "unknown action 'make_coffee'" in error.reason


def test_unknown_field_is_a_typo_not_silently_ignored():
    text = wheel_text(activity(titel_en="Heading"))
    error = expect_error(text)
    assert error.line == line_of(text, "titel_en")
    assert "unknown field 'titel_en'" in error.reason


def test_unknown_day_rule():
    text = wheel_text(activity(when="second_monday"))
    error = expect_error(text)
    assert error.line == line_of(text, 'when = "second_monday"')
    assert "unknown day rule" in error.reason


@pytest.mark.parametrize("when", ["working_day = 0", "working_day = 16", "working_day = x"])
def test_working_day_out_of_range(when):
    text = wheel_text(activity(when=when))
    error = expect_error(text)
    assert error.line == line_of(text, "when =")
    assert "from 1 to 15" in error.reason


def test_before_steering_meeting_needs_a_meeting_month():
    text = wheel_text(activity(month=4, when="before_steering_meeting = 3"))
    error = expect_error(text)
    assert error.line == line_of(text, "when =")
    assert "3, 6, 9 or 12" in error.reason


def test_answer_due_after_the_meeting_is_refused():
    text = wheel_text(activity(when="before_steering_meeting = 3", due_working_days=5))
    error = expect_error(text)
    assert error.line == line_of(text, "due_working_days")
    assert "after the steering-group meeting" in error.reason


def test_quarter_report_only_with_status_report():
    text = wheel_text(activity(quarter_report="q2"))
    error = expect_error(text)
    assert error.line == line_of(text, "quarter_report")


def test_steering_meeting_in_a_month_that_is_not_a_quarter_end():
    meetings = MEETINGS + '4 = "working_day = 3"\n'
    text = wheel_text(activity(), meetings=meetings)
    error = expect_error(text)
    assert error.line == line_of(text, '4 = "working_day = 3"')
    assert "quarterly" in error.reason


def test_missing_steering_meeting_month():
    meetings = MEETINGS.replace('9 = "nth_weekday = 3 tuesday"\n', "")
    text = wheel_text(activity(), meetings=meetings)
    error = expect_error(text)
    assert error.line == line_of(text, "[steering_meetings]")
    assert "month 9" in error.reason


def test_steering_meeting_cannot_be_relative_to_itself():
    meetings = MEETINGS.replace(
        '6 = "nth_weekday = 3 tuesday"', '6 = "before_steering_meeting = 2"'
    )
    text = wheel_text(activity(), meetings=meetings)
    error = expect_error(text)
    assert error.line == line_of(text, '6 = "before_steering_meeting')


def test_line_numbers_skip_multiline_strings():
    tricky = activity().replace(
        'body_sv = "Text om vad som ska göras."',
        'body_sv = """Första raden\n[[activity]]\naudience = "x"\n"""',
    )
    text = wheel_text(tricky, activity("a-two", audience="boss"))
    error = expect_error(text)
    assert error.line == line_of(text, 'audience = "boss"')


def test_nul_character_is_refused():
    text = wheel_text(activity(body_sv="Text\\u0000mer"))
    error = expect_error(text)
    assert error.line == line_of(text, "body_sv")
    assert "NUL" in error.reason


def test_load_wheel_reports_a_missing_file(tmp_path):
    with pytest.raises(WheelError, match="cannot read"):
        load_wheel(str(tmp_path / "missing.toml"))


def test_load_wheel_names_the_file_in_errors(tmp_path):
    path = tmp_path / "custom.toml"
    path.write_text(wheel_text(activity(month=13)), encoding="utf-8")
    with pytest.raises(WheelError, match=r"^custom\.toml line \d+: "):
        load_wheel(str(path))
