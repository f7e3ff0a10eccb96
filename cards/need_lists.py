"""Pages of needs: a list (mine, an e-area's) and search results, each with "Show more".

Pure: view data + translator in, card dict out; what a user typed goes through user_text() or
escape().
"""

from __future__ import annotations

from dataclasses import dataclass

from microsoft_teams.cards import Column, ColumnSet, Container

from bot.i18n import Translator
from cards.common import card, escape, execute, heading, para, status_label, user_text
from cards.needs import NeedRow


def list_card(t: Translator, title: str, rows: list[NeedRow], *, total: int | None = None,
              empty: str = "", hint: str | None = None, more: dict | None = None, first: int = 1) -> dict:
    """A page of needs; `more` is the data of the "Show more" button (the next page), `first` the
    position of this page's first row in the whole list."""
    body: list = [heading(title, size="Medium")]
    if not rows:
        body.append(para(empty or t("No needs to show.")))
    body.extend(_list_row(t, row) for row in rows)
    shown = len(rows)
    if total is not None and first > 1 and rows:
        body.append(para(t("Showing {first}–{last} of {total}.", first=first, last=first + shown - 1, total=total),
                         is_subtle=True))
    elif total is not None and total > shown:
        body.append(para(t("Showing {shown} of {total}.", shown=shown, total=total), is_subtle=True))
    body.append(para(hint or t("Write **need B-2026-0042** (with the need's number) to see one need with its history."),
                     size="Small", is_subtle=True))
    actions = [execute(t("Show more"), more)] if more else None
    return card(body, actions, fallback_text=title, shorten_here=False)  # fitted where sent


def _list_row(t: Translator, row: NeedRow) -> dict:
    line = f"{status_label(t, row.status)} · {escape(row.area)} · {row.created}"
    if row.affected:
        line += " · " + t("{count} also affected", count=row.affected)
    return row_element(row.number, row.title, line)


def row_element(number: str, title: str, line: str, actions: list[dict] | None = None) -> dict:
    """One need in a list, serialised as it is sent (what Container, ColumnSet, para and
    user_text would give, tests/cards/test_need_cards.py compares them): a page builds 25 of
    these, and as typed models they were most of the turn's time. `line` is Styra's markdown
    (status, e-area, date), the title is the user's text (a TextRun, never markdown)."""
    items: list[dict] = [
        {"type": "ColumnSet", "columns": [
            {"type": "Column", "width": "auto", "items": [{"type": "TextBlock", "text": f"**{number}**", "wrap": True}]},
            {"type": "Column", "width": "stretch",
             "items": [{"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": title or "–"}]}]},
        ]},
        {"type": "TextBlock", "spacing": "None", "text": line, "size": "Small", "isSubtle": True, "wrap": True},
    ]
    if actions:
        items.append({"type": "ActionSet", "actions": actions})
    return {"type": "Container", "separator": True, "items": items}


def submit_element(title: str, data: dict) -> dict:
    """An Action.Submit as `cards.common.submit` serialises it."""
    return {"type": "Action.Submit", "title": title, "data": data}


@dataclass(frozen=True)
class HiddenNeed:
    """A need the reader may not open: only its number and title are shown (DOMAIN.md §8)."""

    number: str
    title: str


def search_card(t: Translator, words: str, rows: list[NeedRow], hidden: list[HiddenNeed], *,
                more: dict | None = None) -> dict:
    """`sök <ord>`: the needs the reader may see in full, then the others by number and title only;
    `more` is the data of the "Show more" button (the next page of the first kind)."""
    title = t("Needs matching “{words}”", words=escape(words))
    body: list = [heading(title, size="Medium")]
    if not rows and not hidden:
        body.append(para(t("No needs match those words. Try other or fewer words, or write **new need** to register one.")))
    body.extend(_list_row(t, row) for row in rows)
    if hidden:
        body.append(heading(t("Similar needs you cannot open"), size="Small"))
        body.append(para(t("They belong to e-areas where you have no role. To join one, ask that e-area's coordinators."),
                         size="Small", is_subtle=True, spacing="None"))
        for need in hidden:
            body.append(Container(separator=True, items=[ColumnSet(columns=[
                Column(width="auto", items=[para(f"**{need.number}**")]),
                Column(width="stretch", items=[user_text(need.title)]),
            ])]))
    if rows:
        body.append(para(t("Write **need B-2026-0042** (with the need's number) to see one need with its history."),
                         size="Small", is_subtle=True))
    return card(body, [execute(t("Show more"), more)] if more else None, fallback_text=title,
                shorten_here=False)  # fitted where sent
