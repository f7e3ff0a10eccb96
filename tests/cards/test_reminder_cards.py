"""Snapshot tests of the annual wheel's cards (schema 1.5, only verbs the bot handles, inputs
named as the handlers read them). Regenerate with STYRA_UPDATE_SNAPSHOTS=1."""

import datetime as dt
import json

from bot.documents.wheel_picture import Mark, WheelPicture, render_svg
from bot.i18n import translator
from cards import reminder as rc
from cards import wheel as wc
from tests.support.cards import buttons, input_ids
from tests.support.snapshots import assert_snapshot
from tests.support.verbs import REGISTRY

SV, EN = translator("sv"), translator("en")

VIEW = rc.ReminderView(
    occurrence_id=42,
    title="Skriv underlaget till styrgruppens möte",
    body="Styrgruppen möts snart. Skriv statusrapporten med avvikelser.",
    area_name="Utbildning",
    audience="coordinators",
    period="2026-03",
    answer_by=dt.date(2026, 3, 16),
    status="sent",
    action="status_report",
    coordinator_ids=("user-id-0",),
)
DONE = rc.ReminderView(**{**VIEW.__dict__, "status": "answered", "answer": "done",
                          "answered_by_name": "Alex [Wilber](http://x)",
                          "answered_at": dt.datetime(2026, 3, 11, 13, 0, tzinfo=dt.UTC)})


def check(name: str, card: dict) -> None:
    assert_snapshot(f"{name}.json", card)
    assert card["version"] == "1.5" and card["$schema"].endswith("adaptive-card.json")
    assert len(json.dumps(card, ensure_ascii=False).encode()) < 25_000
    for verb in _verbs(card):
        assert verb in REGISTRY.known_verbs(), verb


def _verbs(card: dict) -> list[str]:
    """The verbs of the card's Action.Execute buttons (refresh included), each also in its data."""
    out = []
    for button in buttons(card, refresh=True):
        if button["type"] == "Action.Execute":
            assert button["verb"] == button["data"]["verb"]
            out.append(button["verb"])
    return out


def test_posted_reminder_is_read_only_with_a_refresh_for_the_coordinators():
    card = rc.reminder_card(SV, VIEW, interactive=False)
    check("reminder_posted_sv", card)
    assert "actions" not in card
    assert card["refresh"] == {"action": {"type": "Action.Execute", "verb": "reminder.refresh",
                                          "data": {"verb": "reminder.refresh", "occurrence_id": 42}},
                               "userIds": ["user-id-0"]}


def test_interactive_reminder_has_the_four_answers_and_named_inputs():
    card = rc.reminder_card(SV, VIEW, interactive=True)
    check("reminder_interactive_sv", card)
    assert _verbs(card) == ["reminder.refresh", "reminder.done", "reminder.start", "reminder.snooze", "reminder.na"]
    assert input_ids(card) == ["snooze_until", "reason"]


def test_interactive_reminder_in_english():
    check("reminder_interactive_en", rc.reminder_card(EN, VIEW, interactive=True))


def test_answered_reminder_escapes_the_name_and_drops_buttons_and_refresh():
    card = rc.reminder_card(SV, DONE, interactive=True)
    check("reminder_done_sv", card)
    assert "actions" not in card and "refresh" not in card
    texts = [b.get("text", "") for b in card["body"]]
    assert "Markerad som klar av Alex \\[Wilber\\]\\(http:\u2060//x\\) den 2026-03-11." in texts


def test_refusal_notice_in_the_card():
    check("reminder_refused_sv", rc.reminder_card(
        SV, VIEW, interactive=False,
        notice=SV("Only the coordinators of {area} can answer this reminder. Ask {names}.",
                  area="Utbildning", names="Alex Wilber")))


def test_digest_escalation_and_status_report():
    items = [rc.DigestItem("Skriv underlaget", "2026-03", "Öppen", dt.date(2026, 3, 16))]
    check("reminder_digest_sv", rc.digest_card(SV, "Utbildning", "2026-W12", items))
    check("reminder_escalation_sv", rc.escalation_card(SV, VIEW, 5))
    check("reminder_status_report_q2_sv", rc.status_report_card(SV, "Utbildning", "q2",
                                                       ("security_review", "agreements_and_service_levels", "needs_next_year")))


def test_wheel_card():
    entries = (wc.WheelEntry(3, "Skriv underlaget", "done", "2026-03-10"),
               wc.WheelEntry(3, "Förbered Trattenmötet", "missed", "2026-03-03"),
               wc.WheelEntry(11, "Förbered Trattenmötet Q1", "upcoming", "2026-11-04"))
    card = wc.wheel_card(SV, 2026, [wc.AreaYear("Utbildning", True, entries),
                                    wc.AreaYear("Ekonomi", False, entries)], 3)
    check("wheel_year_sv", card)


def test_wheel_picture_svg_has_twelve_segments_and_highlights_the_current_month():
    picture = WheelPicture("Årshjul 2026", "Utbildning <&>", wc.short_month_names(SV), 11,
                           (Mark(3, "Skriv", "done"), Mark(3, "Förbered", "missed"), Mark(11, "Q1", "upcoming")),
                           {"done": "Klar", "missed": "Missad", "upcoming": "Kommande"})
    svg = render_svg(picture)
    assert svg.count("<path ") == 12
    assert svg.count('stroke="#1f6feb"') == 1  # only November is highlighted
    assert svg.count("<circle ") == 3 + 3  # marks + legend
    assert ">nov</text>" in svg and 'font-weight="700"' in svg
    assert "Utbildning &lt;&amp;&gt;" in svg
    assert_snapshot("wheel_picture.svg", svg)


MISSED = rc.ReminderView(**{**VIEW.__dict__, "missed_due": dt.date(2026, 3, 10),
                            "mentions": (("user-id-0", "Alex Wilber"), ("user-id-1", "Megan <Bowen>"))})


def test_missed_reminder_asks_whether_it_is_still_relevant_and_mentions_the_coordinators():
    posted = rc.reminder_card(SV, MISSED, interactive=False)
    check("reminder_missed_posted_sv", posted)
    text = json.dumps(posted, ensure_ascii=False)
    assert posted["fallbackText"] == "Missad, fortfarande aktuell? Skriv underlaget till styrgruppens möte"
    assert "Styra var nere när detta skulle ut den 2026-03-10" in text
    entities = posted["msteams"]["entities"]
    assert [(e["type"], e["text"], e["mentioned"]["id"]) for e in entities] == [
        ("mention", "<at>Alex Wilber</at>", "user-id-0"), ("mention", "<at>Megan Bowen</at>", "user-id-1")]
    assert posted["body"][-1]["text"] == "Att svara: <at>Alex Wilber</at>, <at>Megan Bowen</at>"
    assert posted["msteams"]["width"] == "Full"
    interactive = rc.reminder_card(EN, MISSED, interactive=True)
    check("reminder_missed_interactive_en", interactive)
    assert sorted(_verbs(interactive)) == ["reminder.done", "reminder.na", "reminder.refresh",
                                           "reminder.snooze", "reminder.start"]  # the usual answers
    assert "Missed: Styra was down when this was due on 2026-03-10. Is it still relevant?" in json.dumps(interactive)


def test_an_answered_missed_reminder_no_longer_asks_nor_mentions():
    done = rc.reminder_card(SV, rc.ReminderView(**{**MISSED.__dict__, "status": "answered", "answer": "done",
                                                   "answered_by_name": "Alex Wilber",
                                                   "answered_at": dt.datetime(2026, 3, 17, 9, 0, tzinfo=dt.UTC)}),
                            interactive=False)
    text = json.dumps(done, ensure_ascii=False)
    assert "fortfarande aktuell" not in text and "entities" not in done["msteams"]
    assert done["fallbackText"] == "Skriv underlaget till styrgruppens möte"
    assert rc.status_label(SV, "sent", None, missed=True) == "Missad, fortfarande aktuell?"
    assert rc.status_label(SV, "failed", None, missed=True) == "Kunde inte skickas"


def test_a_woken_snooze_shows_the_reminder_open_again_with_a_note():
    woke = rc.reminder_card(SV, VIEW, interactive=False, notice_style="emphasis",
                            notice=SV("The snooze is over: posted again on {date}.", date="2026-03-12"))
    check("reminder_woken_sv", woke)
    text = json.dumps(woke, ensure_ascii=False)
    assert "Pausen är slut: publicerad igen den 2026-03-12." in text and "Pausad" not in text
