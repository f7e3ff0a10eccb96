"""Planned periods as seed 002 (a handlingsplan) and other plans write them."""

import datetime as dt

import pytest

from bot.rules.plan_periods import PeriodError, Span, goal_span, read_span

D = dt.date

READ = [
    # seed 002's own wording
    ("Första steg HT23 och fullt implementerat 2024", D(2023, 8, 1), D(2024, 12, 31)),
    ("Första steg 2024 och fullt implementerat 2025", D(2024, 1, 1), D(2025, 12, 31)),
    ("Första steg VT24 och fullt implementerat HT24", D(2024, 1, 1), D(2024, 12, 31)),
    ("VT23-HT23", D(2023, 1, 1), D(2023, 12, 31)),
    ("HT23-\nHT24", D(2023, 8, 1), D(2024, 12, 31)),
    ("Q4 2022-\nQ4 2023", D(2022, 10, 1), D(2023, 12, 31)),
    ("EDO VS skolor Q4 2023", D(2023, 10, 1), D(2023, 12, 31)),
    ("fram till och med september 2026", D(2026, 9, 1), D(2026, 9, 30)),
    ("2023—2025", D(2023, 1, 1), D(2025, 12, 31)),
    # terms, quarters, months, years in other spellings
    ("ht 2025", D(2025, 8, 1), D(2025, 12, 31)),
    ("hösten 2025", D(2025, 8, 1), D(2025, 12, 31)),
    ("våren 2026", D(2026, 1, 1), D(2026, 6, 30)),
    ("Spring 2026 to autumn 2026", D(2026, 1, 1), D(2026, 12, 31)),
    ("kv1 2025", D(2025, 1, 1), D(2025, 3, 31)),
    ("kvartal 2 2025", D(2025, 4, 1), D(2025, 6, 30)),
    ("2025 Q3", D(2025, 7, 1), D(2025, 9, 30)),
    ("Q1-25", D(2025, 1, 1), D(2025, 3, 31)),
    ("2024-09", D(2024, 9, 1), D(2024, 9, 30)),
    ("2024-02", D(2024, 2, 1), D(2024, 2, 29)),
    ("2024-09-15", D(2024, 9, 15), D(2024, 9, 15)),
    ("maj 2026 – dec. 2026", D(2026, 5, 1), D(2026, 12, 31)),
    ("2023-24", D(2023, 1, 1), D(2024, 12, 31)),
    ("2026", D(2026, 1, 1), D(2026, 12, 31)),
    # a quarter, term or month without its year takes the year of the next mention
    ("Q1-Q2 2025", D(2025, 1, 1), D(2025, 6, 30)),
    ("kv3–kv4 2025", D(2025, 7, 1), D(2025, 12, 31)),
    ("VT-HT 2024", D(2024, 1, 1), D(2024, 12, 31)),
    ("januari-mars 2025", D(2025, 1, 1), D(2025, 3, 31)),
    ("2025, från oktober", D(2025, 1, 1), D(2025, 10, 31)),
    ("First step may be 2024", D(2024, 1, 1), D(2024, 12, 31)),  # "may" alone is a verb
    # nothing dated: kept as text only
    ("Löpande", None, None),
    ("Kommande", None, None),
    ("Q1", None, None),
    ("", None, None),
]


@pytest.mark.parametrize(("text", "start", "end"), READ)
def test_free_text_periods_read_to_dates(text, start, end):
    assert read_span(text) == Span(start, end)


IMPOSSIBLE = [
    ("2024-13", "There is no month 13 in \"2024-13\"."),
    ("2024-00", "There is no month 0 in \"2024-00\"."),
    ("Q5 2024", "There is no quarter 5 in \"Q5 2024\"."),
    ("2025-02-30", "There is no day 30 in month 2 of 2025 (\"2025-02-30\")."),
    ("HT24-VT24", "The planned end (2024-06-30) is before the planned start (2024-08-01)."),
    ("2026 till 2025", "The planned end (2025-12-31) is before the planned start (2026-01-01)."),
    ("Q5-Q2 2025", "There is no quarter 5 in \"Q5\"."),
]


@pytest.mark.parametrize(("text", "message"), IMPOSSIBLE)
def test_impossible_dates_are_refused_not_guessed(text, message):
    with pytest.raises(PeriodError) as caught:
        read_span(text)
    assert str(caught.value) == message


SPANS = [
    # (start column, end column, start/end column) -> span
    (("2026-01", "2026-06", ""), Span(D(2026, 1, 1), D(2026, 6, 30))),
    (("HT23", "", ""), Span(D(2023, 8, 1), None)),
    (("", "2027", ""), Span(None, D(2027, 12, 31))),
    (("", "", "Första steg HT23 och fullt implementerat 2024"), Span(D(2023, 8, 1), D(2024, 12, 31))),
    (("VT24", "", "HT23-HT25"), Span(D(2024, 1, 1), D(2025, 12, 31))),
    (("Löpande", "Tills vidare", ""), Span(None, None)),
]


@pytest.mark.parametrize(("columns", "span"), SPANS)
def test_a_goal_span_takes_the_start_and_end_columns_before_the_period(columns, span):
    assert goal_span(*columns) == span


def test_end_column_before_start_column_is_refused():
    with pytest.raises(PeriodError, match="before the planned start"):
        goal_span("2026", "2025-06", "")
