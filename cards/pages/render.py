"""Render the tab's pages: view data in, HTML out (Jinja2, autoescaped).

Why Jinja2: the pages are server-rendered HTML with a little JavaScript; a template engine keeps
markup out of Python and escapes every value by default, so a need's title can never become live
HTML. Sorting and filtering happen here too, as pure functions over the rows.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from bot.i18n import Translator
from cards.decision import outcome_label
from cards.needs import status_label as need_status
from cards.pages import charts, labels
from cards.pages.views import AreaView, ConfigView, Mark, Page, PortfolioView, Row

HERE = Path(__file__).parent
STATIC = HERE / "static"
SORTS = ("name", "period", "worst", "used", "deviations", "awaiting", "punctuality")
SEVERITY = {"red": 3, "yellow": 2, "green": 1, None: 0}
LATENESS = {"missing": 3, "late": 2, "open": 1, "on_time": 0}


@cache
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(glyphs=labels.GLYPHS, arrows=labels.ARROWS)
    for name in ("portfolio.html", "area.html", "config.html", "signin.html", "message.html"):
        env.get_template(name)  # compiled once, at the first page
    return env


def mark_html(m: Mark, colours: dict, words: dict) -> Markup:
    """One goal's mark: a shape (the colour is never alone), a trend arrow, and the same in words
    for screen readers and as a tooltip. Built here rather than in a macro: a page has hundreds."""
    said = escape(f"{m.goal}: {colours[m.colour]}" + (f", {words['trend_' + m.trend]}" if m.trend else ""))
    arrow = f'<span class="arrow" aria-hidden="true">{labels.ARROWS[m.trend]}</span>' if m.trend else ""
    kind = m.colour if m.colour in ("green", "yellow", "red") else "none"
    return Markup(f'<span class="mark mark-{kind}" title="{said}"><span class="glyph" aria-hidden="true">'
                  f'{labels.GLYPHS[m.colour]}</span>{arrow}<span class="sr">{said}</span></span>')


def _common(t: Translator, page: Page) -> dict:
    words, colours = labels.words(t), labels.colour_names(t)
    return {"t": words, "page": page, "colours": colours, "lang": t.lang,
            "mark": lambda m: mark_html(m, colours, words),
            "amount": lambda v: charts.amount(v, t.lang),
            "report_status": lambda s: labels.report_status(t, s),
            "punctuality": lambda p: labels.punctuality(t, p)}


def render_portfolio(t: Translator, page: Page, view: PortfolioView) -> str:
    return _env().get_template("portfolio.html").render(_common(t, page), view=view)


def render_area(t: Translator, page: Page, view: AreaView) -> str:
    words = labels.words(t)
    frame = charts.frame_chart(view.frame, t.lang, words["frame_caption"], words["of"]) if view.frame else ""
    needs = charts.count_chart(view.needs, words["needs_caption"])
    return _env().get_template("area.html").render(
        _common(t, page), view=view, frame_svg=Markup(frame), needs_svg=Markup(needs),
        wheel_svg=Markup(view.wheel_svg), need_status=lambda s: need_status(t, s),
        outcome=lambda o: outcome_label(t, o))


def render_config(t: Translator, page: Page, view: ConfigView) -> str:
    return _env().get_template("config.html").render(_common(t, page), view=view)


def render_signin(t: Translator, page: Page, *, exchange: str, minutes: int) -> str:
    return _env().get_template("signin.html").render(_common(t, page), exchange=exchange, minutes=minutes)


def render_message(t: Translator, page: Page, title_key: str, text_key: str, *, home: str | None = None) -> str:
    return _env().get_template("message.html").render(_common(t, page), title_key=title_key, text_key=text_key,
                                                       home=home)


# --- sorting and filtering ------------------------------------------------------------------------


def needs_attention(row: Row) -> bool:
    return (row.worst in ("red", "yellow") or row.punctuality in ("late", "missing")
            or row.open_deviations > 0 or row.awaiting_chair > 0)


def _key(sort: str):
    return {
        "name": lambda r: r.name.casefold(),
        "period": lambda r: r.period or r.latest,
        "worst": lambda r: SEVERITY[r.worst],
        "used": lambda r: -1 if r.used_percent is None else r.used_percent,
        "deviations": lambda r: (r.open_deviations, r.escalations),
        "awaiting": lambda r: r.awaiting_chair,
        "punctuality": lambda r: LATENESS.get(r.punctuality, 0),
    }[sort]


def arrange(view: PortfolioView) -> PortfolioView:
    """The rows filtered by the text and the 'needing attention' choice, then sorted (by name
    within equal values, so the order is stable)."""
    wanted = view.query.casefold().strip()
    rows = [r for r in view.rows if (not wanted or wanted in r.name.casefold())
            and (view.only != "attention" or needs_attention(r))]
    rows.sort(key=lambda r: r.name.casefold())
    rows.sort(key=_key(view.sort if view.sort in SORTS else "name"), reverse=view.desc)
    return replace(view, rows=tuple(rows), total=len(view.rows))


def static_files() -> dict[str, Path]:
    """The files served under /tab/static/, by name."""
    return {p.name: p for p in sorted(STATIC.iterdir()) if p.suffix in (".css", ".js")}
