"""Cards for following a need up: the edit form, the withdraw confirmation, the edited need's card
with its change lines, and the `att bedöma` list. JSON snapshots (STYRA_UPDATE_SNAPSHOTS=1
rewrites them), known verbs only, user text never live markdown."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest

from bot.i18n import translator
from cards import need_edit as ec
from cards import needs as nc
from cards.common import MAX_CARD_BYTES
from tests.support.cards import inputs as input_map
from tests.support.cards import nodes, text, verbs
from tests.support.snapshots import assert_snapshot
from tests.support.verbs import REGISTRY

AREAS = [nc.Option("ekonomi", "Ekonomi och personal"), nc.Option("utbildning", "Utbildning")]
GOALS = [nc.Option("1", "Utbildning – Samlad digital kursanmälan")]
EVIL = "**Viktigt** [klicka här](https://evil.example)"
VALUES = {"title": EVIL, "description": "Rad ett", "e_area": "utbildning", "source": "staff", "hours": "40",
          "cost": "", "wished_date": "2026-02-01", "goals": "1"}
ROW = nc.NeedRow(need_id=7, number="B-2026-0007", title=EVIL, status="registered", area="Utbildning",
                 created="2026-03-10", affected=2)
OLDER = dataclasses.replace(ROW, need_id=3, number="B-2026-0003", title="Digitala tentor", created="2026-02-01",
                            affected=0, area="Forskning")
EDIT = {"fields": ["title", "hours", "description"],
        "values": {"title": ["Bokning", EVIL], "hours": ["40", "60"], "description": ["kort", "längre text"]}}
DETAIL = nc.NeedDetail(
    row=ROW, description="Beskrivning", benefit="", source="staff", raised_by="Isaiah Langer", on_behalf_of="",
    hours=60, cost=None, wished_date="", goals=[], affected=[],
    history=[("2026-03-10 10:00", "Isaiah Langer", "registered", {}),
             ("2026-12-03 09:30", "Anna *Berg*", "edited", EDIT),
             ("2026-12-04 08:00", "Isaiah Langer", "withdrawn", {"fields": ["status"], "values": {}})],
    can_assess=True, can_edit=True, can_withdraw=True, basis="revise",  # never all at once: every button shown
    last_change=(date(2026, 12, 3), "Anna *Berg*", ("title", "hours", "description")))


def form(errors=None):
    return nc.FormView(form_id="f0rm1d0000000001", areas=AREAS, goals=GOALS, today="2026-02-01",
                       values=dict(VALUES), errors=errors or {})


CARDS = {
    "edit_form": lambda t: ec.edit_form_card(t, form(), need_id=7, number="B-2026-0007", after=4),
    "edit_errors": lambda t: ec.edit_form_card(t, form({"hours": "Write the hours as a whole number, for example 40."}),
                                               need_id=7, number="B-2026-0007"),
    "withdraw": lambda t: ec.withdraw_card(t, ROW),
    "edited_detail": lambda t: nc.detail_card(t, DETAIL),
    "to_assess": lambda t: ec.to_assess_card(t, ec.ToAssess([OLDER, ROW], ["Forskning", "Utbildning"], 30)),
    "to_assess_empty": lambda t: ec.to_assess_card(t, ec.ToAssess([], ["Utbildning"], 0)),
}


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("name", sorted(CARDS))
def test_card_snapshot(name, lang):
    content = CARDS[name](translator(lang))
    assert content["version"] == "1.5"
    used = set(verbs(content, refresh=True))
    assert used <= REGISTRY.known_verbs(), used - REGISTRY.known_verbs()
    assert len(json.dumps(content, ensure_ascii=False).encode()) <= MAX_CARD_BYTES
    assert_snapshot(f"need_followup_{name}_{lang}.json", content)


@pytest.mark.parametrize("name", sorted(CARDS))
def test_user_text_never_reaches_a_markdown_block_unescaped(name):
    content = CARDS[name](translator("sv"))
    for node in nodes(content):
        if node.get("type") in ("TextBlock", "Fact"):
            for key in ("text", "title", "value"):
                value = node.get(key) or ""
                assert "](http" not in value and "**Viktigt**" not in value, (name, value)


def test_the_edited_card_says_who_changed_what_and_when_in_both_languages():
    sv = text(CARDS["edited_detail"](translator("sv")))
    assert "Ändrad 3 dec av Anna \\*Berg\\*: titel, uppskattning, beskrivning" in sv
    assert "uppskattning: “40” → “60”" in sv and "kort" not in sv  # long fields: named, not quoted
    assert "Isaiah Langer drog tillbaka behovet" in sv
    en = CARDS["edited_detail"](translator("en"))
    assert "Changed 3 Dec by Anna \\*Berg\\*: title, estimate, description" in text(en)
    assert verbs(en) == ["need.edit", "need.withdraw", "need.basis", "assess.open"]


def test_the_edit_form_keeps_what_was_typed_and_saves_with_action_execute():
    content = CARDS["edit_errors"](translator("sv"))
    assert input_map(content)["title"]["value"] == EVIL and input_map(content)["hours"]["value"] == "40"
    assert "Skriv timmarna som ett heltal, till exempel 40." in text(content)
    save = content["actions"][0]
    assert save["type"] == "Action.Execute" and save["data"] == {"verb": "need.update", "need_id": 7,
                                                                  "form_id": "f0rm1d0000000001", "after": 0}


def test_the_list_is_in_the_given_order_with_an_assess_button_each():
    content = CARDS["to_assess"](translator("sv"))
    assess = [n["data"]["need_id"] for n in nodes(content) if (n.get("data") or {}).get("verb") == "assess.open"]
    assert assess == [3, 7]
    assert "Visar 2 av 30." in text(content)
