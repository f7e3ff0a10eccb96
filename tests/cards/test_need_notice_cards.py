"""Snapshot of the coordinators' daily digest of new needs (sv and en): schema 1.5, only verbs
the bot handles, user text literal, a plural that agrees."""

import json

from bot.i18n import translator
from cards import need_notices as nc
from tests.cards.test_reminder_cards import check
from tests.support.cards import buttons

SV, EN = translator("sv"), translator("en")
AREAS = [
    nc.DigestArea("Utbildning", "utbildning", (
        nc.DigestNeed(1, "B-2026-0001", "Samlad [kursanmälan](http://x)", "Isaiah Langer"),
        nc.DigestNeed(2, "B-2026-0002", "Bokningssystem för labbsalar", "Megan Bowen"),
    )),
    nc.DigestArea("Forskning", "forskning", (nc.DigestNeed(3, "B-2026-0003", "Lagring av forskningsdata", ""),)),
]


def test_digest_lists_each_need_with_its_buttons_in_swedish_and_english():
    sv = nc.digest_card(SV, "2026-03-11", AREAS)
    check("need_digest_sv", sv)
    en = nc.digest_card(EN, "2026-03-11", AREAS[1:])
    check("need_digest_en", en)
    assert sv["fallbackText"] == "3 nya behov sedan förra sammanfattningen"
    assert en["fallbackText"] == "1 new need since the last digest"
    assert [b["data"] for b in buttons(sv)][:2] == [{"verb": "assess.open", "need_id": 1},
                                                    {"verb": "need.show", "need_id": 1}]
    runs = [b["inlines"][0]["text"] for b in sv["body"][3]["items"]
            if b.get("type") == "RichTextBlock"]
    assert runs == ["Samlad [kursanmälan](http://x)"]  # a TextRun: never a live link


def test_a_long_digest_stops_at_its_limit_and_says_how_many_more():
    many = [nc.DigestArea("Utbildning", "utbildning", tuple(
        nc.DigestNeed(i, f"B-2026-{i:04d}", f"Behov {i}", "Isaiah Langer") for i in range(1, 41)))]
    content = nc.digest_card(SV, "2026-03-11", many)
    assert len(json.dumps(content).encode()) < 25_000
    assert "… och 15 till." in json.dumps(content, ensure_ascii=False)
