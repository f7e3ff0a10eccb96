"""The data fed to the wheel picture: numbered marks in date order, failed deliveries apart from
missed ones, past unposted activities not upcoming, a legend that never overlaps; and a PNG."""

import datetime as dt
import zoneinfo
from types import SimpleNamespace

import pytest

from bot.documents.wheel_picture import (
    CHAR_WIDTH,
    COLOURS,
    SIZE,
    Mark,
    WheelPicture,
    legend_layout,
    numbered,
    render_svg,
    to_png,
)
from bot.i18n import translator
from cards import wheel as wc
from dialogs.wheel.overview import picture_data

ZONE = zoneinfo.ZoneInfo("Europe/Stockholm")
ALL = ("done", "not_applicable", "started", "open", "snoozed", "missed", "failed", "none", "upcoming")


def activity(key: str, month: int) -> SimpleNamespace:
    """What the picture reads of a wheel activity: its month and its titles."""
    return SimpleNamespace(key=key, month=month, title={"sv": f"Aktivitet {key}", "en": f"Activity {key}"})


def test_marks_are_numbered_in_date_order_whatever_order_they_come_in():
    marks = numbered([(3, "2026-03-10", "B", "done"), (1, "2026-01-07", "A", "none"), (3, "2026-03-03", "C", "missed")])
    assert [(m.number, m.month, m.day, m.label, m.status) for m in marks] == [
        (1, 1, 7, "A", "none"), (2, 3, 3, "C", "missed"), (3, 3, 10, "B", "done")]


def test_failed_and_missed_have_different_markers_and_both_are_in_the_legend():
    picture = WheelPicture("Årshjul 2026", "Utbildning", wc.short_month_names(translator("sv")), 3,
                           (Mark(2, "Budget", "failed", 1, 17), Mark(3, "Tratten", "missed", 2, 3)),
                           wc.status_names(translator("sv")))
    svg = render_svg(picture)
    assert COLOURS["failed"] != COLOURS["missed"]
    # a failed delivery is a diamond (a path with its tooltip), a missed one a circle
    assert '<title>Budget</title></path>' in svg and '<title>Tratten</title></circle>' in svg
    assert [(s.status, s.label) for s in legend_layout(picture)] == [("missed", "Missad"), ("failed", "Kunde inte skickas")]
    assert ">1</text>" in svg and ">2</text>" in svg  # the numbers on the marks


def test_an_unposted_past_activity_is_fed_as_not_posted_and_a_future_one_as_upcoming():
    t = translator("en")
    entries = [(activity("jan", 1), dt.datetime(2026, 1, 7, 8, tzinfo=dt.UTC), "none"),
               (activity("nov", 11), dt.datetime(2026, 11, 4, 8, tzinfo=dt.UTC), "upcoming")]
    picture = picture_data(t, 2026, "Education", 3, entries, ZONE)
    assert [(m.number, m.status, m.day) for m in picture.marks] == [(1, "none", 7), (2, "upcoming", 4)]
    assert [s.label for s in legend_layout(picture)] == ["Not posted", "Upcoming"]
    assert COLOURS["none"] != COLOURS["upcoming"]


def boxes_overlap(a, b) -> bool:
    return a.x < b.x + b.width and b.x < a.x + a.width and abs(a.y - b.y) < 20


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_legend_labels_never_overlap_and_stay_inside_the_picture(lang):
    t = translator(lang)
    picture = WheelPicture("x", "y", wc.short_month_names(t), None,
                           tuple(Mark(i % 12 + 1, s, s, i + 1) for i, s in enumerate(ALL)), wc.status_names(t))
    slots = legend_layout(picture)
    assert [s.status for s in slots] == list(ALL)
    assert [s.label for s in slots] == [wc.status_names(t)[s] for s in ALL]  # none shortened
    for i, a in enumerate(slots):
        assert a.x >= 0 and a.x + a.width <= SIZE
        for b in slots[i + 1:]:
            assert not boxes_overlap(a, b), (a, b)


def test_a_label_too_long_for_its_column_is_shortened_not_run_into_the_next():
    long = {"done": "Klar " * 20, "missed": "Missad"}
    picture = WheelPicture("x", "y", tuple("abcdefghijkl"), None, (Mark(1, "a", "done"), Mark(2, "b", "missed")), long)
    first, second = legend_layout(picture)
    assert first.label.endswith("…") and first.x + first.width <= second.x
    assert first.width == 26 + len(first.label) * CHAR_WIDTH


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_png_is_produced_in_both_languages(lang):
    pytest.importorskip("cairosvg")
    t = translator(lang)
    marks = numbered((m, f"2026-{m:02d}-0{1 + i % 3}", f"A{m}{i}", s) for i, (m, s) in
                     enumerate(zip([1, 2, 2, 3, 3, 3, 4, 5, 6, 9], ALL + ("upcoming",), strict=True)))
    png = to_png(render_svg(WheelPicture(t("Annual wheel {year}", year=2026), "Utbildning",
                                         wc.short_month_names(t), 3, marks, wc.status_names(t))))
    assert png is not None and png.startswith(b"\x89PNG")


def test_a_long_wheel_is_drawn_smaller_so_the_card_with_its_list_still_fits():
    pytest.importorskip("cairosvg")
    from cards.common import MAX_CARD_BYTES
    from cards.fit import size_of
    from dialogs.wheel.overview import wheel_picture

    statuses = ("done", "missed", "failed", "open", "none", "upcoming")
    entries = [(SimpleNamespace(month=m, title={"sv": f"Förbered styrgruppens möte nummer {m}-{i} med underlag",
                                                "en": "x"}),
                dt.datetime(2026, m, 2 + 5 * i, 8, tzinfo=dt.UTC), statuses[(m + i) % 6])
               for m in range(1, 13) for i in range(4)]
    card = wheel_picture(translator("sv"), 2026, "Utbildning", 3, entries, ZONE)
    assert size_of(card) <= MAX_CARD_BYTES
    facts = next(b for b in card["body"] if b.get("type") == "FactSet")["facts"]
    assert [f["title"] for f in facts] == [str(n) for n in range(1, 49)]
    assert not [f for f in facts if "…" in f["value"]]  # the list is whole: the picture gave way
