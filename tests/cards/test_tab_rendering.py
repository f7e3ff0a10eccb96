"""The tab's pure rendering: its SVG charts (snapshots), the goal mark, sorting and filtering, and
the chat card's "Öppna portföljvyn" button."""

from __future__ import annotations

from bot.i18n import translator
from cards.pages import charts, render
from cards.pages.views import Count, FrameLine, Mark, PortfolioView, Row
from cards.portfolio_link import with_view_button
from cards.system import message_card
from tests.support.snapshots import assert_snapshot


def test_the_frame_chart_says_its_figures_and_marks_an_overrun():
    svg = charts.frame_chart((FrameLine("Pengar", 1_250_000, 2_500_000, "SEK"), FrameLine("Timmar", 4_400, 4_000, "tim")),
                             "sv", "Intecknat mot ramen", "av")
    assert "1\u202f250\u202f000 av 2\u202f500\u202f000 SEK (50 %)" in svg and "4\u202f400 av 4\u202f000 tim (110 %)" in svg
    assert svg.count('class="bar-over"') == 1 and 'class="bar-edge"' in svg
    assert_snapshot("tab_frame_chart_sv.svg", svg)


def test_the_count_chart_leaves_out_empty_statuses_and_escapes_labels():
    svg = charts.count_chart((Count("registered", "Registrerat <b>", 3), Count("done", "Klart", 0),
                              Count("inventory", "I behovsinventeringen", 12)), "Antal behov")
    assert "Klart" not in svg and "Registrerat &lt;b&gt;" in svg and ">12<" in svg
    assert_snapshot("tab_needs_chart_sv.svg", svg)
    assert charts.count_chart((Count("done", "Klart", 0),), "x") == ""


def test_a_goal_mark_is_a_shape_and_words_never_colour_alone():
    html = render.mark_html(Mark("Goal <i>one</i>", "red", "worse"), {"red": "Red"}, {"trend_worse": "worse"})
    assert "■" in html and "↓" in html and "Goal &lt;i&gt;one&lt;/i&gt;: Red, worse" in html
    assert "<i>" not in html


def _row(name, worst=None, punctuality="on_time", used=None, deviations=0):
    return Row(name, None, "2026-Q2", "submitted", (), worst, used, deviations, 0, 0, punctuality)


def test_sorting_and_filtering_are_stable_and_keep_the_total():
    rows = (_row("Beta", "yellow", used=80), _row("alfa", "red", "late", 120, 2), _row("Gamma", None, "missing"))
    view = PortfolioView("2026-Q2", "2026-06-12", rows, 3, ("2026-Q2",))
    names = lambda v: [r.name for r in v.rows]  # noqa: E731
    assert names(render.arrange(view)) == ["alfa", "Beta", "Gamma"]
    assert names(render.arrange(PortfolioView(**{**view.__dict__, "sort": "worst", "desc": True}))) == ["alfa", "Beta", "Gamma"]
    assert names(render.arrange(PortfolioView(**{**view.__dict__, "sort": "used"}))) == ["Gamma", "Beta", "alfa"]
    attention = render.arrange(PortfolioView(**{**view.__dict__, "only": "attention", "query": "a"}))
    assert names(attention) == ["alfa", "Beta", "Gamma"] and attention.total == 3
    assert names(render.arrange(PortfolioView(**{**view.__dict__, "query": "GAM"}))) == ["Gamma"]
    assert names(render.arrange(PortfolioView(**{**view.__dict__, "sort": "bogus"}))) == ["alfa", "Beta", "Gamma"]


def test_the_chat_button_is_added_last_and_the_card_is_otherwise_unchanged():
    t = translator("sv")
    card = message_card("Portfölj", ["Text"])
    with_button = with_view_button(t, card, "https://styra.example.se/tab/portfolio?s=abc")
    assert with_button["actions"][-1] == {"type": "Action.OpenUrl", "title": "Öppna portföljvyn",
                                          "url": "https://styra.example.se/tab/portfolio?s=abc"}
    assert {k: v for k, v in with_button.items() if k != "actions"} == card and "actions" not in card
    assert_snapshot("tab_view_button_sv.json", with_button)
