"""Decision cards in every state: JSON snapshots (STYRA_UPDATE_SNAPSHOTS=1 rewrites them), schema
version, known verbs and inputs, escaped user text."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.i18n import translator
from bot.rules import frames
from bot.rules.routing import Frame
from cards.decision import (
    BasisView,
    CardContext,
    DecisionRow,
    DecisionView,
    chair_card,
    decided_card,
    decisions_list_card,
    notice_card,
    read_only_card,
    refusal_card,
    sent_back_card,
)
from cards.plan import OverFrameView, over_frame_notice
from dialogs.decisions import Approve
from tests.support.cards import buttons, verbs
from tests.support.snapshots import assert_snapshot
from tests.support.verbs import REGISTRY

WHEN = datetime(2026, 11, 21, 13, 5, tzinfo=UTC)
CTX = CardContext(refresh_ids=("29:chair", "29:deputy"))
SV, EN = translator("sv"), translator("en")

VIEW = BasisView(
    basis_id=7, level="steering", area_name="Utbildning", need_number="B-2026-0042",
    need_title="Bokning av *labb* [länk](https://x.example)", need_description="Kalkylark i dag.",
    raised_by_name="Megan Bowen", version=2, business_goals="Bättre nyttjande.", risk="Liten leverantör.",
    risk_likelihood=2, risk_impact=3, resources="Två utvecklare.", hours=120, cost_sek=150_000,
    dependencies="Forskning använder labben.", proposal="Utöka ramen.", frame_change_sek=100_000,
    frame_change_hours=80, escalate=True, anchored_by=("Adele Vance", "Isaiah Langer"),
    plan_title="E-förvaltningsplan Utbildning 2026",
    outlook=frames.outlook(Frame(4000, 2_500_000, 3900, 2_400_000), 120, 150_000, 80, 100_000),
)
OVER_VIEW = BasisView(**{**VIEW.__dict__, "hours": 8020,
                         "outlook": frames.outlook(Frame(4000, 2_500_000, 4000, 2_500_000), 8020, 150_000, 80, 100_000)})
OVER_FRAME = OverFrameView(area="Utbildning", plan_title="E-förvaltningsplan Utbildning 2026",
                           need_number="B-2026-0042", need_title="Bokning av *labb*", decision_number="D-2026-0007",
                           frame_hours=4080, frame_sek=2_600_000, committed_hours=12_020, committed_sek=2_650_000)
PORTFOLIO_VIEW = BasisView(**{**VIEW.__dict__, "level": "portfolio"})
STEERING = DecisionView(number="D-2026-0007", level="steering", outcome="approved", decided_by_name="Alex Wilber",
                        decided_at=WHEN, comment="Bra *underlag*", registry_number="UTB 2026/42")
ESCALATED = DecisionView(number="D-2026-0007", level="steering", outcome="escalated", decided_by_name="Alex Wilber",
                         decided_at=WHEN)
PORTFOLIO = DecisionView(number="D-2026-0008", level="portfolio", outcome="rejected", decided_by_name="Patti Fernandez",
                         decided_at=WHEN, comment="Inte i år.")
SENT_BACK = DecisionView(number="D-2026-0009", level="steering", outcome="sent_back", decided_by_name="Alex Wilber",
                         decided_at=WHEN, comment="Beskriv beroendena.")

STATES = {
    "read_only": lambda: read_only_card(SV, VIEW, CTX),
    "read_only_portfolio": lambda: read_only_card(SV, PORTFOLIO_VIEW, CardContext(refresh_ids=("29:patti",))),
    "chair": lambda: chair_card(SV, VIEW, CTX),
    "chair_en": lambda: chair_card(EN, VIEW, CTX),
    "chair_portfolio": lambda: chair_card(SV, PORTFOLIO_VIEW, CTX),
    "chair_over_frame": lambda: chair_card(SV, OVER_VIEW, CTX),
    "chair_over_frame_en": lambda: chair_card(EN, OVER_VIEW, CTX),
    "read_only_over_frame": lambda: read_only_card(SV, OVER_VIEW, CTX),
    "over_frame_notice_sv": lambda: over_frame_notice(SV, OVER_FRAME),
    "over_frame_notice_en": lambda: over_frame_notice(EN, OVER_FRAME),
    "decided": lambda: decided_card(SV, VIEW, [STEERING], CTX),
    "already_decided": lambda: decided_card(SV, VIEW, [STEERING], CTX, already=True),
    "escalated_waiting": lambda: decided_card(SV, VIEW, [ESCALATED], CTX, pending_note=SV("Waiting for portfolio management's decision.")),
    "portfolio_decided": lambda: decided_card(SV, PORTFOLIO_VIEW, [ESCALATED, PORTFOLIO], CTX),
    "sent_back": lambda: decided_card(SV, VIEW, [SENT_BACK], CTX),
    "stale_replaced": lambda: sent_back_card(SV, BasisView(**{**VIEW.__dict__, "status": "superseded"}), CTX, []),
    "stale_not_escalated": lambda: sent_back_card(SV, PORTFOLIO_VIEW, CTX, []),
    "refusal": lambda: refusal_card(SV, VIEW, CTX, "Bara styrgruppens ordförande eller vice ordförande kan besluta om det här underlaget. Fråga Alex Wilber."),
    "notice_sv": lambda: notice_card(SV, VIEW, STEERING, "Europe/Stockholm"),
    "notice_en_sent_back": lambda: notice_card(EN, VIEW, SENT_BACK, "Europe/Stockholm"),
    "list_empty": lambda: decisions_list_card(SV, "Utbildning", [], "Europe/Stockholm"),
    "list": lambda: decisions_list_card(SV, "Utbildning", [
        DecisionRow("D-2026-0008", WHEN, "B-2026-0042", "Bokning", "portfolio", "rejected", "Patti Fernandez"),
        DecisionRow("D-2026-0007", WHEN, "B-2026-0042", "Bokning", "steering", "escalated", "Alex Wilber"),
    ], "Europe/Stockholm"),
    "list_more": lambda: decisions_list_card(SV, "Utbildning", [
        DecisionRow("D-2026-0008", WHEN, "B-2026-0042", "Bokning", "portfolio", "rejected", "Patti Fernandez"),
    ], "Europe/Stockholm", more={"verb": "decisions.more", "area": "utbildning", "before_id": 8}),
}


@pytest.mark.parametrize("name", sorted(STATES))
def test_snapshot(name):
    assert_snapshot(f"decision_{name}.json", STATES[name]())


@pytest.mark.parametrize("name", sorted(STATES))
def test_schema_and_verbs_are_known(name):
    content = STATES[name]()
    assert content["version"] == "1.5"
    assert content["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    for button in buttons(content, refresh=True):
        if button["type"] == "Action.Execute":
            assert button["data"]["verb"] == button["verb"]
    assert set(verbs(content, refresh=True)) <= REGISTRY.known_verbs()


def test_chair_inputs_are_read_by_the_decision_verbs():
    content = chair_card(SV, VIEW, CTX)
    ids = {e["id"] for e in content["body"] if e["type"].startswith("Input.")}
    assert ids == {"comment", "registry_number"} <= set(Approve.model_fields)
    parsed = REGISTRY.parse({"verb": "decision.approve", "basis_id": 7, "comment": " ok\x00 ", "registry_number": "x" * 99})
    assert parsed.comment == "ok" and len(parsed.registry_number) == 60


def test_everyone_sees_the_read_only_card_and_chairs_get_a_refresh():
    content = read_only_card(SV, VIEW, CTX)
    assert "actions" not in content
    assert content["refresh"]["userIds"] == ["29:chair", "29:deputy"]
    assert content["refresh"]["action"] == {
        "type": "Action.Execute", "verb": "decision.view",
        "data": {"verb": "decision.view", "basis_id": 7, "level": "steering"},
    }


def test_user_text_never_becomes_markdown():
    text = json.dumps(read_only_card(SV, VIEW, CTX), ensure_ascii=False)
    assert "[länk](https" not in text and "\\\\*labb\\\\*" in text
    decided = decided_card(SV, VIEW, [STEERING], CTX)
    runs = [i for e in decided["body"] if e.get("type") == "Container" for i in e["items"] if i["type"] == "RichTextBlock"]
    assert runs and runs[0]["inlines"][0]["text"] == "Bra *underlag*"


def test_times_are_shown_in_swedish_time():
    assert "Beslutat av Alex Wilber den 2026-11-21 14:05." in json.dumps(decided_card(SV, VIEW, [STEERING], CTX), ensure_ascii=False)


def test_the_chair_sees_the_frame_now_after_and_who_anchored():
    content = json.dumps(chair_card(SV, VIEW, CTX), ensure_ascii=False)
    assert "Förankrat av" in content and "Adele Vance, Isaiah Langer" in content
    assert "100 timmar, 100\u00a0000 kr" in content  # left now
    assert "60 timmar, 50\u00a0000 kr" in content  # left after: 4 080 - 4 020, 2 600 000 - 2 550 000
    assert "täcker inte" not in content


def test_a_short_proposal_is_flagged_before_the_chair_approves():
    content = json.dumps(chair_card(SV, OVER_VIEW, CTX), ensure_ascii=False)
    assert "7\u00a0940 timmar över ramen, 50\u00a0000 kr över ramen" in content
    assert "planen hamnar 7\u00a0940 timmar, 50\u00a0000 kr över sin ram" in content


def test_a_decided_card_shows_no_frame_outlook():
    content = json.dumps(decided_card(SV, OVER_VIEW, [STEERING], CTX), ensure_ascii=False)
    assert "Kvar efter beslutet" not in content and "Förankrat av" in content
