"""Need and plan cards: JSON snapshots (STYRA_UPDATE_SNAPSHOTS=1 rewrites them), known verbs only,
and user text that never becomes live markdown."""

from __future__ import annotations

import json

import pytest

from bot.i18n import translator
from bot.rules.needs import Step
from cards import need_lists as nl
from cards import needs as nc
from cards import plan as pc
from cards.common import MAX_CARD_BYTES
from cards.verbs import Verb
from tests.support.cards import inputs as input_map
from tests.support.cards import nodes, verbs
from tests.support.snapshots import assert_snapshot
from tests.support.verbs import REGISTRY

AREAS = [nc.Option("ekonomi", "Ekonomi och personal"), nc.Option("utbildning", "Utbildning")]
GOALS = [nc.Option("1", "Utbildning – Samlad digital kursanmälan"), nc.Option("2", "Utbildning – Enhetliga kursrum")]
EVIL = "**Viktigt** [klicka här](https://evil.example)"
VALUES = {"title": EVIL, "description": "Rad ett\n- rad två", "e_area": "utbildning", "source": "staff",
          "hours": "-4", "cost": "150 000", "wished_date": "2026-02-01", "goals": "1,2"}
ROW = nc.NeedRow(need_id=7, number="B-2026-0007", title=EVIL, status="registered", area="Utbildning",
                 created="2026-03-10", affected=2, excerpt="Studenter anmäler sig i # tre system")
DETAIL = nc.NeedDetail(
    row=ROW, description="Beskrivning med <b>html</b> och [länk](http://x.se)", benefit="Färre ärenden",
    source="user_group", raised_by="Isaiah Langer", on_behalf_of="Studentexpeditionen [SX]", hours=120,
    cost=150_000, wished_date="2026-09-01", goals=["Samlad digital kursanmälan"], affected=["Megan Bowen"],
    history=[("2026-03-10 10:00", "Isaiah Langer", "registered", {}),
             ("2026-03-11 09:30", "Alex Wilber", "status_changed", {"from": "registered", "to": "under_assessment"}),
             ("2026-03-12 08:00", "Megan *Bowen*", "affected_added", {})],
    can_assess=True)
PLAN = pc.PlanView(area_slug="utbildning", area="Utbildning", year=2026, title="E-förvaltningsplan Utbildning 2026",
                   status="decided", frame_sek=2_500_000, frame_hours=4000, used_sek=2_600_000, used_hours=1000,
                   goals=(pc.GoalView("Studieadministration", "Samlad digital kursanmälan", "2026-01", "2026-12",
                                      "Studentavdelningen"),
                          pc.GoalView("Lärplattform", "Enhetliga kursrum", "2026-02", "", "")))


def form(errors=None):
    return nc.FormView(form_id="f0rm1d0000000001", areas=AREAS, goals=GOALS, today="2026-03-10",
                       values=dict(VALUES), errors=errors or {})


CARDS = {
    "form_empty": lambda t: nc.need_form_card(t, nc.FormView("f0rm1d0000000001", AREAS, GOALS, "2026-03-10",
                                                             {"source": "staff"})),
    "form_errors": lambda t: nc.need_form_card(t, form({"hours": "The number cannot be negative.",
                                                        "wished_date": "The date has already passed. Choose today or a later date."})),
    "similar": lambda t: nc.similar_card(t, form(), [ROW]),
    "confirmation": lambda t: nc.confirmation_card(t, ROW, [Step("assess", {"names": ["Alex Wilber"]}), Step("routes"),
                                                            Step("draft_plan", {"year": 2026}), Step("follow")]),
    "joined": lambda t: nc.joined_card(t, ROW, added=True),
    "list": lambda t: nl.list_card(t, t("Your needs"), [ROW], total=30),
    "list_next_page": lambda t: nl.list_card(t, t("Open needs in {area}", area="Utbildning"), [ROW], total=60, first=26,
                                             more={"verb": "need.area_more", "rest": "utbildning", "after_id": 42}),
    "detail": lambda t: nc.detail_card(t, DETAIL),
    "notice": lambda t: nc.coordinator_notice_card(t, ROW, raised_by="Isaiah Langer", on_behalf_of="Kemi",
                                                   hours=40, cost=None, wished_date="2026-09-01"),
    "search": lambda t: nl.search_card(t, "bokning [labb](http://x.se)", [ROW], [nl.HiddenNeed("B-2026-0009", EVIL)]),
    "search_empty": lambda t: nl.search_card(t, "kvarkar", [], []),
    "plan": lambda t: pc.plan_card(t, PLAN),
    "plan_choice": lambda t: pc.plan_choice_card(t, [("utbildning", "Utbildning"), ("ekonomi", "Ekonomi")], 2026),
}


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("name", sorted(CARDS))
def test_card_snapshot(name, lang):
    content = CARDS[name](translator(lang))
    assert content["version"] == "1.5"
    used = set(verbs(content, refresh=True))
    assert used <= REGISTRY.known_verbs() | {"assess.open"}, used - REGISTRY.known_verbs()
    assert len(json.dumps(content, ensure_ascii=False).encode()) <= MAX_CARD_BYTES
    assert_snapshot(f"needs_{name}_{lang}.json", content)


@pytest.mark.parametrize("name", sorted(CARDS))
def test_user_text_never_reaches_a_markdown_block_unescaped(name):
    content = CARDS[name](translator("sv"))
    for node in nodes(content):
        if node.get("type") == "TextBlock" or node.get("type") == "Fact":
            for key in ("text", "title", "value"):
                value = node.get(key) or ""
                assert "](http" not in value and "**Viktigt**" not in value, (name, value)
    runs = [n["text"] for n in nodes(content) if n.get("type") == "TextRun"]
    if name in ("similar", "confirmation", "joined", "list", "detail", "notice", "search"):
        assert EVIL in runs


def test_the_form_marks_bad_fields_and_keeps_values():
    content = CARDS["form_errors"](translator("sv"))
    inputs = input_map(content)
    assert inputs["hours"]["value"] == "-4" and inputs["hours"]["errorMessage"] == "Talet kan inte vara negativt."
    assert inputs["title"]["value"] == EVIL and inputs["goals"]["value"] == "1,2"
    red = [n["text"] for n in nodes(content) if n.get("type") == "TextBlock" and n.get("color") == "Attention"]
    assert any("Kontrollera de markerade fälten" in text for text in red)
    assert any("Talet kan inte vara negativt." in text for text in red)


def test_a_full_form_with_the_longest_texts_fits_in_a_card():
    values = {"title": "😀" * 200, "description": "😀" * 3000, "benefit": "😀" * 1000, "on_behalf_of": "😀" * 200,
              "e_area": "utbildning", "hours": "1", "cost": "1", "wished_date": "2026-03-10"}
    view = nc.FormView("f0rm1d0000000001", AREAS, GOALS, "2026-03-10", values, {})
    nc.similar_card(translator("sv"), view, [ROW, ROW, ROW])  # raises CardTooLarge if not


def test_plan_card_warns_when_the_frame_is_overspent():
    text = json.dumps(CARDS["plan"](translator("sv")), ensure_ascii=False)
    assert "Mer är intecknat än ramen tillåter" in text
    assert "2\u00a0600\u00a0000 av 2\u00a0500\u00a0000 kr intecknade, 100\u00a0000 över ramen ⚠" in text


def test_plan_card_shows_a_free_text_period_as_the_plan_wrote_it():
    import dataclasses

    goal = pc.GoalView("Utbildningsadministrativt stöd", "Inresande utbytesstudenter", "", "", "VS-skolorna",
                       period="Första steg HT23 och fullt implementerat 2024")
    text = json.dumps(pc.plan_card(translator("sv"), dataclasses.replace(PLAN, goals=(goal,))), ensure_ascii=False)
    assert "Första steg HT23 och fullt implementerat 2024 · VS-skolorna" in text
    assert "Inga datum satta" not in text


def test_a_list_row_is_what_the_typed_builders_give():
    """The lists build their rows as plain dicts (for speed): the same JSON as the typed models."""
    from microsoft_teams.cards import ActionSet, Column, ColumnSet, Container

    from cards.common import para, submit, user_text

    typed = Container(separator=True, items=[
        ColumnSet(columns=[Column(width="auto", items=[para("**B-2026-0001**")]),
                           Column(width="stretch", items=[user_text(EVIL)])]),
        para("Registrerat · Utbildning", size="Small", is_subtle=True, spacing="None"),
        ActionSet(actions=[submit("Visa", {"verb": Verb.NEED_SHOW, "need_id": 1})]),
    ]).model_dump(by_alias=True, exclude_none=True, mode="json")
    plain = nl.row_element("B-2026-0001", EVIL, "Registrerat · Utbildning",
                           [nl.submit_element("Visa", {"verb": Verb.NEED_SHOW.value, "need_id": 1})])
    assert json.dumps(plain, sort_keys=True) == json.dumps(typed, sort_keys=True)
    assert nl.row_element("B-1", "", "x")["items"][0]["columns"][1]["items"][0]["inlines"][0]["text"] == "–"
