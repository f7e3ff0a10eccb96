"""Assessment and decision-basis cards: JSON snapshots (STYRA_UPDATE_SNAPSHOTS=1 rewrites them),
version 1.5, every verb one the bot handles, user text never live markdown."""

import json

import pytest

from bot.i18n import translator
from bot.rules import frames
from bot.rules.routing import R_FITS_FRAME, R_NO_ROOM_HOURS, R_URGENT, Frame
from cards import assessment as ca
from cards import decision_basis as cb
from tests.support.cards import verbs
from tests.support.snapshots import assert_snapshot
from tests.support.verbs import REGISTRY

NEED = ca.NeedInfo(42, "B-2026-0042", "Digital tentamen *nu*", "Studenter vill [skriva](http://x.se) hemma.",
                   "Utbildning", "Isaiah Langer", "Färre resor", 120, 80_000)
FRAME = Frame(4000, 2_500_000, 1000, 500_000)
VIEW = ca.AssessView(
    need=NEED, goals=(ca.GoalChoice(1, "Digital examination i större skala", 70), ca.GoalChoice(2, "Enhetliga kursrum", 20)),
    similar=(ca.GoalChoice(1, "Digital examination i större skala", 70),), areas=(("forskning", "Forskning"),),
    frame=FRAME, plan_title="E-förvaltningsplan Utbildning 2026", form="form-1", after=0,
    values={"hours": "120", "cost": "80000"})
REVIEW = ca.Review("within_plan", (R_FITS_FRAME,), False, FRAME.after(120, 80_000))
BASIS = cb.BasisView(
    basis_id=7, need_number="B-2026-0042", need_title="Digital tentamen", area_name="Utbildning", version=1,
    status="anchoring", business_goals="Snabbare examination", risk="Leverantören **hinner inte**", risk_likelihood=3,
    risk_impact=4, resources="Två utvecklare", hours=300, cost_sek=400_000, dependencies="Forskning",
    proposal="Utöka ramen", frame_change_hours=300, frame_change_sek=400_000, escalate=True,
    created_by_name="Alex Wilber", waiting_for=("Adele Vance",))

CARDS = {
    "assess_form": lambda t: ca.assessment_form(t, VIEW),
    "assess_form_execute": lambda t: ca.assessment_form(t, ca.AssessView(**{**VIEW.__dict__, "use_execute": True})),
    "assess_review": lambda t: ca.assessment_form(t, ca.AssessView(**{**VIEW.__dict__, "review": REVIEW, "check": "abc"})),
    "assess_errors": lambda t: ca.assessment_form(t, ca.AssessView(**{**VIEW.__dict__, "errors": {"hours": "Fel"}})),
    "assess_result": lambda t: ca.assessment_result(t, ca.ResultView(NEED, "decision_basis", (R_NO_ROOM_HOURS, R_URGENT), "Brådskande", True, FRAME, "Alex Wilber")),
    "outcome_notice": lambda t: ca.outcome_notice(t, ca.NoticeView("B-2026-0042", "Digital tentamen", "declined", (), "Finns redan", "Utbildning")),
    "basis_form": lambda t: cb.basis_form(t, cb.BasisFormView(42, "B-2026-0042", "Digital tentamen", 3, 0, values={"hours": 300})),
    "basis_form_needed": lambda t: cb.basis_form(t, cb.BasisFormView(
        42, "B-2026-0042", "Digital tentamen", 3, 0, values={"hours": 300, "cost": 400_000, "frame_hours": 240,
                                                               "frame_sek": 300_000},
        outlook=frames.outlook(Frame(100, 100_000, 40, 0), 300, 400_000, 240, 300_000))),
    "basis_form_short": lambda t: cb.basis_form(t, cb.BasisFormView(
        42, "B-2026-0042", "Digital tentamen", 3, 0, values={"hours": 300, "cost": 400_000, "frame_hours": 100,
                                                               "frame_sek": 300_000},
        notice="Kontrollera ramen.", outlook=frames.outlook(Frame(100, 100_000, 40, 0), 300, 400_000, 100, 300_000),
        accept_short="140:0")),
    "assess_form_over_frame": lambda t: ca.assessment_form(t, ca.AssessView(
        **{**VIEW.__dict__, "frame": Frame(4080, 2_600_000, 12_020, 2_650_000)})),
    "basis_card": lambda t: cb.basis_card(t, BASIS),
    "anchoring_request": lambda t: cb.anchoring_request(t, BASIS),
    "basis_sent_back": lambda t: cb.sent_back_card(t, BASIS, "Adele Vance", "Räkna om"),
}


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("name", sorted(CARDS))
def test_card_snapshot(name, lang):
    content = CARDS[name](translator(lang))
    assert content["version"] == "1.5"
    used = set(verbs(content, refresh=True))
    assert used <= REGISTRY.known_verbs(), used - REGISTRY.known_verbs()
    assert_snapshot(f"assessment_{name}_{lang}.json", content)


def test_user_text_is_never_live_markdown():
    dumped = json.dumps(ca.assessment_form(translator("sv"), VIEW), ensure_ascii=False)
    assert "Digital tentamen \\\\*nu\\\\*" in dumped  # escaped in the heading
    assert '"type": "TextRun", "text": "Studenter vill [skriva](http://x.se) hemma."' in dumped.replace("\n", "")
    assert "Leverantören **hinner inte**" in json.dumps(cb.basis_card(translator("sv"), BASIS), ensure_ascii=False)


def test_review_shows_confirm_and_the_frame_after():
    content = ca.assessment_form(translator("sv"), ca.AssessView(**{**VIEW.__dict__, "review": REVIEW, "check": "abc"}))
    verbs = [a["data"]["verb"] for a in content["actions"]]
    assert verbs == ["assess.confirm", "assess.review"]
    assert content["actions"][0]["data"] == {"verb": "assess.confirm", "need_id": 42, "form": "form-1", "after": 0, "check": "abc"}
    assert "2\u00a0880 timmar, 1\u00a0920\u00a0000 kr" in json.dumps(content, ensure_ascii=False)


def test_over_frame_is_never_a_negative_left():
    content = json.dumps(CARDS["assess_form_over_frame"](translator("sv")), ensure_ascii=False)
    assert "7\u00a0940 timmar över ramen, 50\u00a0000 kr över ramen" in content
    assert "-7" not in content and "−7" not in content


def test_a_short_proposal_is_sent_anyway_only_with_what_was_seen():
    content = CARDS["basis_form_short"](translator("sv"))
    data = content["actions"][0]["data"]
    assert data["accept_short"] == "140:0" and content["actions"][0]["title"] == "Skicka ändå till de e-områdesansvariga"
    assert "140 timmar över sin ram" in json.dumps(content, ensure_ascii=False)
    assert "accept_short" not in CARDS["basis_form_needed"](translator("sv"))["actions"][0]["data"]
