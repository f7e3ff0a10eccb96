"""Shared pieces for building Adaptive Cards with the typed builders of microsoft-teams-cards."""

from __future__ import annotations

import functools
import re
from typing import Any

from microsoft_teams.cards import (
    AdaptiveCard,
    CardElement,
    ExecuteAction,
    RefreshDefinition,
    RichTextBlock,
    SubmitAction,
    TextBlock,
    TextRun,
)

from cards.fit import CardTooLarge as CardTooLarge  # re-exported: where builders look for it
from cards.fit import shorten

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"  # Teams renders 1.5; Action.Execute needs it; 1.6 fails in some clients
MAX_CARD_BYTES = 25_000  # Teams refuses ~28-40 KB; stay well under
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|>~<])")
_LIST_START = re.compile(r"^(\s*)(\d+)\.", re.MULTILINE)
_DASH_START = re.compile(r"^(\s*)-", re.MULTILINE)




def escape(text: str) -> str:
    """User text safe for a markdown-rendering TextBlock or FactSet: literal, never live."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _LIST_START.sub(r"\1\2\\.", text)
    text = _DASH_START.sub(r"\1\\-", text)
    # Break bare URLs so clients do not turn them into links.
    return text.replace("://", ":\u2060//").replace("www.", "www\u2060.")


def number(t: Any, value: int) -> str:
    """Grouped digits: 1 200 000 (non-breaking spaces) in Swedish, 1,200,000 in English."""
    grouped = f"{value:,}"
    return grouped.replace(",", "\u00a0") if t.lang == "sv" else grouped


def hours(t: Any, value: int, *, signed: bool = False) -> str:
    """'120 timmar' / '120 hours': the one way hours are written on every card."""
    sign = "+" if signed and value > 0 else ""
    return t.ngettext("{n} hour", "{n} hours", abs(value)).format(n=sign + number(t, value))


def sek(t: Any, value: int, *, signed: bool = False) -> str:
    """'150 000 kr' / '150,000 SEK': the one way amounts are written on every card."""
    sign = "+" if signed and value > 0 else ""
    return t("{n} SEK", n=sign + number(t, value))


def effort(t: Any, hours_value: int, sek_value: int, *, signed: bool = False) -> str:
    """Hours first, then money: '120 timmar, 80 000 kr'."""
    return f"{hours(t, hours_value, signed=signed)}, {sek(t, sek_value, signed=signed)}"


def nonzero(t: Any, hours_value: int, sek_value: int) -> str:
    """Only the parts that are not zero: '8 020 hours', '150 000 SEK' or both."""
    parts = ([hours(t, hours_value)] if hours_value else []) + ([sek(t, sek_value)] if sek_value else [])
    return ", ".join(parts) or hours(t, 0)


def frame_left(t: Any, left_hours: int, left_sek: int) -> str:
    """What is left of a frame; an overspent part reads '8 020 hours over the frame', never '−8 020'."""
    parts = [hours(t, left_hours) if left_hours >= 0 else t("{amount} over the frame", amount=hours(t, -left_hours)),
             sek(t, left_sek) if left_sek >= 0 else t("{amount} over the frame", amount=sek(t, -left_sek))]
    return ", ".join(parts)


def status_label(t: Any, status: Any, *, in_sentence: bool = False) -> str:
    """The one wording of a need's or a plan's status (NeedStatus, PlanStatus, or their values),
    on every card, list, export and answer. `in_sentence`: starting lower-case, for use mid-sentence."""
    value = str(getattr(status, "value", status))
    try:
        labels = _status_labels(t)
    except TypeError:  # a translator that cannot be a cache key
        labels = _status_labels.__wrapped__(t)
    label = labels.get(value, value)
    return label[:1].lower() + label[1:] if in_sentence else label


@functools.lru_cache(maxsize=16)
def _status_labels(t: Any) -> dict[str, str]:
    """Once per language: a list of 25 needs asked for these 11 labels per row."""
    return {
        "registered": t("Registered"),
        "under_assessment": t("Under assessment"),
        "within_plan": t("Handled within the plan"),
        "awaiting_decision": t("Awaiting decision"),
        "inventory": t("In the needs inventory"),
        "declined": t("Declined"),
        "approved": t("Approved"),
        "done": t("Done"),
        "withdrawn": t("Withdrawn"),
        "draft": t("Draft"),
        "decided": t("Decided"),
    }


def heading(text: str, *, size: str = "Large") -> TextBlock:
    return TextBlock(text=text, wrap=True, weight="Bolder", size=size, style="heading")


def para(text: str, **kw: Any) -> TextBlock:
    """Styra's own text (translated strings), may use markdown deliberately."""
    return TextBlock(text=text, wrap=True, **kw)


def user_text(text: str, **kw: Any) -> RichTextBlock:
    """Text typed by a user: a TextRun renders no markdown at all."""
    return RichTextBlock(inlines=[TextRun(text=text or "–", **kw)])


def submit(title: str, data: dict[str, Any], **kw: Any) -> SubmitAction:
    return SubmitAction(title=title, data=data, **kw)


def execute(title: str, data: dict[str, Any], **kw: Any) -> ExecuteAction:
    return ExecuteAction(title=title, verb=data["verb"], data=data, **kw)


def card(
    body: list[CardElement],
    actions: list | None = None,
    *,
    refresh: tuple[dict[str, Any], list[str]] | None = None,
    fallback_text: str | None = None,
    shorten_here: bool = True,
) -> dict[str, Any]:
    """Assemble, serialise and size-check a card. `refresh` is (action data, user ids).
    `shorten_here=False`: only for a card that is always sent through bot/cardsize.py's
    `fitted` (a reply or an invoke's answer), which checks it anyway: one size pass, not two.

    Body elements may come serialised already (plain dicts, as the lists build their rows):
    they are placed as they are, where validating them as models would cost more than the rest
    of a list's turn."""
    typed = [element for element in body if not isinstance(element, dict)]
    model = AdaptiveCard(version=VERSION, body=typed, actions=actions or None, fallback_text=fallback_text)
    if refresh is not None:
        data, user_ids = refresh
        model.refresh = RefreshDefinition(
            action=ExecuteAction(verb=data["verb"], data=data), user_ids=user_ids[:60]
        )
    out = {"$schema": SCHEMA, **model.model_dump(by_alias=True, exclude_none=True, mode="json")}
    out.pop("schema", None)
    if len(typed) < len(body):
        dumped = iter(out.get("body") or [])
        out["body"] = [element if isinstance(element, dict) else next(dumped) for element in body]
    out["msteams"] = {"width": "Full"}
    # Too large: the longest texts are shortened (cards/fit.py); only oversized inputs raise.
    return shorten(out, MAX_CARD_BYTES) if shorten_here else out


def mention_text(name: str) -> str:
    """How a mention is written in a card's text; the same string is the entity's `text`."""
    clean = " ".join(name.replace("<", "").replace(">", "").split()) or "?"
    return f"<at>{clean}</at>"


def with_mentions(content: dict[str, Any], line: str, people: list[tuple[str, str]]) -> dict[str, Any]:
    """Add a line that @mentions `people` ((Teams or AAD id, name) pairs) to a built card: each
    `<at>name</at>` in `line` and a matching entity in `msteams.entities`, the way Teams
    notifies the people named in an Adaptive Card. `line` holds `{names}`."""
    if not people:
        return content
    entities = [{"type": "mention", "text": mention_text(name), "mentioned": {"id": pid, "name": name}}
                for pid, name in people]
    names = ", ".join(e["text"] for e in entities)
    content["body"] = [*content.get("body", []),
                       {"type": "TextBlock", "text": line.replace("{names}", names), "wrap": True}]
    content.setdefault("msteams", {})["entities"] = entities
    return content


def attachment(content: dict[str, Any]) -> dict[str, Any]:
    return {"contentType": CONTENT_TYPE, "content": content}
