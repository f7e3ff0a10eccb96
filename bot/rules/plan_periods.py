"""Planned periods as action plans write them, read to dates where they can be.

Plans say "Första steg HT23 och fullt implementerat 2024", "VT23-HT23", "Q4 2022-Q4 2023",
"kv1 2025", "september 2026", "2023—2025" or "Löpande". The text is always kept as written;
this rule finds the dated mentions in it and gives the span from the start of the first to the
end of the last. A mention that names no real date (month 13, quarter 5, 30 February) is an
error, never a guess. Terms: VT (spring) is January-June, HT (autumn) is August-December.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    "januari": 1, "january": 1, "jan": 1,
    "februari": 2, "february": 2, "feb": 2,
    "mars": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "maj": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "augusti": 8, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
SPRING = ("vt", "våren", "vår", "spring")
AUTUMN = ("ht", "hösten", "höst", "autumn", "fall")
_MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))
_TERM_WORDS = "|".join(SPRING + AUTUMN)
_YEAR = r"(\d{4}|\d{2})"

# Most specific first; each match consumes its text so "2024-09" is not also read as "2024".
PATTERNS = (
    ("day", re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")),
    ("month", re.compile(r"(?<!\d)(\d{4})-(\d{1,2})(?![\d-])")),
    ("quarter", re.compile(r"(?<![\w])(?:q|kv|kvartal)\s?(\d)\s*[-/ ]?\s*" + _YEAR + r"(?!\d)", re.I)),
    ("quarter_year_first", re.compile(r"(?<!\d)(\d{4})\s*[-/ ]?\s*(?:q|kv|kvartal)\s?(\d)(?!\d)", re.I)),
    ("term", re.compile(r"(?<![\w])(" + _TERM_WORDS + r")\s?[-']?\s?" + _YEAR + r"(?!\d)", re.I)),
    ("month_name", re.compile(r"(?<![\w])(" + _MONTH_WORDS + r")\.?\s+(\d{4})(?!\d)", re.I)),
    ("year", re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")),
)


@dataclass(frozen=True)
class Span:
    start: dt.date | None
    end: dt.date | None


class PeriodError(ValueError):
    """An impossible date in a plan's period; `message` is an English msgid with `values`."""

    def __init__(self, message: str, **values):
        super().__init__(message.format(**values))
        self.message = message
        self.values = values


def _year(text: str) -> int:
    return int(text) + 2000 if len(text) == 2 else int(text)


def _month_span(year: int, month: int, text: str) -> Span:
    if not 1 <= month <= 12:
        raise PeriodError("There is no month {month} in \"{text}\".", month=month, text=text)
    last = calendar.monthrange(year, month)[1]
    return Span(dt.date(year, month, 1), dt.date(year, month, last))


def _quarter_span(year: int, quarter: int, text: str) -> Span:
    if not 1 <= quarter <= 4:
        raise PeriodError("There is no quarter {quarter} in \"{text}\".", quarter=quarter, text=text)
    first = 3 * quarter - 2
    return Span(dt.date(year, first, 1), _month_span(year, first + 2, text).end)


def _mention(kind: str, match: re.Match) -> Span:
    text = match.group(0)
    if kind == "day":
        year, month, day = (int(g) for g in match.groups())
        _month_span(year, month, text)
        try:
            day_date = dt.date(year, month, day)
        except ValueError:
            raise PeriodError("There is no day {day} in month {month} of {year} (\"{text}\").",
                              day=day, month=month, year=year, text=text) from None
        return Span(day_date, day_date)
    if kind == "month":
        year, month = int(match.group(1)), int(match.group(2))
        if month > 12 and len(match.group(2)) == 2 and month > year % 100:
            # "2023-24" is a span of years, as plans often write it; "2024-13" is not.
            return Span(dt.date(year, 1, 1), dt.date(year // 100 * 100 + month, 12, 31))
        return _month_span(year, month, text)
    if kind == "quarter":
        return _quarter_span(_year(match.group(2)), int(match.group(1)), text)
    if kind == "quarter_year_first":
        return _quarter_span(int(match.group(1)), int(match.group(2)), text)
    if kind == "term":
        year = _year(match.group(2))
        if match.group(1).casefold() in SPRING:
            return Span(dt.date(year, 1, 1), dt.date(year, 6, 30))
        return Span(dt.date(year, 8, 1), dt.date(year, 12, 31))
    if kind == "month_name":
        return _month_span(int(match.group(2)), MONTHS[match.group(1).casefold()], text)
    year = int(match.group(1))
    return Span(dt.date(year, 1, 1), dt.date(year, 12, 31))


# A quarter, term or month without its year ("Q1-Q2 2025", "VT-HT 2024", "januari-mars 2025")
# takes the year of the next dated mention (else the one before). Full month names only: "jul"
# is also Christmas.
BARE = re.compile(r"(?<![\w])(?:(?:q|kv|kvartal)\s?(?P<quarter>\d)|(?P<term>HT|VT)|(?P<month>"
                  + "|".join(sorted((m for m in MONTHS if len(m) > 4 or m in ("mars", "maj", "juni", "juli", "june", "july")),
                                    key=len, reverse=True))
                  + r"))(?![\w])", re.I)


def mentions(text: str) -> list[Span]:
    """Every dated mention in the text, in reading order. Raises PeriodError on an impossible one."""
    found: list[tuple[int, Span]] = []
    rest = text
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(rest):
            found.append((match.start(), _mention(kind, match)))
        rest = pattern.sub(lambda m: " " * len(m.group(0)), rest)
    if found:
        for match in BARE.finditer(rest):
            after = [span for at, span in found if at > match.start()]
            before = [span for at, span in found if at < match.start()]
            year = (after[0] if after else before[-1]).end.year
            found.append((match.start(), _bare(match, year)))
    return [span for _, span in sorted(found, key=lambda item: item[0])]


def _bare(match: re.Match, year: int) -> Span:
    text = match.group(0)
    if match.group("quarter"):
        return _quarter_span(year, int(match.group("quarter")), text)
    if match.group("term"):
        spring = match.group("term").casefold() == "vt"
        return Span(dt.date(year, 1, 1), dt.date(year, 6, 30)) if spring else Span(dt.date(year, 8, 1), dt.date(year, 12, 31))
    return _month_span(year, MONTHS[match.group("month").casefold()], text)


def read_span(text: str) -> Span:
    """From the start of the first mention to the end of the last (both None when none is dated)."""
    found = mentions(text or "")
    if not found:
        return Span(None, None)
    return check(Span(found[0].start, found[-1].end))


def check(span: Span) -> Span:
    if span.start and span.end and span.end < span.start:
        raise PeriodError("The planned end ({end}) is before the planned start ({start}).",
                          start=span.start.isoformat(), end=span.end.isoformat())
    return span


def goal_span(start_text: str = "", end_text: str = "", period_text: str = "") -> Span:
    """A goal's planned span: the start column (else the period's first mention) to the end column
    (else the period's last mention)."""
    period = mentions(period_text or "")
    starts = mentions(start_text or "")
    ends = mentions(end_text or "")
    start = starts[0].start if starts else (period[0].start if period else None)
    end = ends[-1].end if ends else (period[-1].end if period else None)
    return check(Span(start, end))
