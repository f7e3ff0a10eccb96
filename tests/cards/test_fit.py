"""A card never goes out over 25 KB: the longest texts are shortened with a note in the reader's
language, inputs are never cut, and a card that cannot fit is replaced, not sent."""

import json
import logging

import pytest

from bot.cardsize import fitted
from bot.i18n import translator
from cards import decision_basis as basis_cards
from cards.common import MAX_CARD_BYTES, card, para
from cards.fit import SHORTENED_ID, CardTooLarge, shorten, size_of

SV, EN = translator("sv"), translator("en")
FULL = "å" * 3000


def full_basis() -> basis_cards.BasisView:
    return basis_cards.BasisView(
        basis_id=7, need_number="B-2026-0001", need_title="😀" * 200, area_name="Utbildning", version=1,
        status="anchoring", business_goals=FULL, risk=FULL, risk_likelihood=3, risk_impact=4, resources=FULL,
        hours=1, cost_sek=1, dependencies=FULL, proposal=FULL, frame_change_hours=0, frame_change_sek=0,
        escalate=False, created_by_name="Alex Wilber",
        anchoring=tuple((f"Ägare {i}", False, "😀" * 2000) for i in range(3)))


def texts(content) -> str:
    return json.dumps(content, ensure_ascii=False)


def test_a_basis_with_every_field_full_is_shortened_to_fit_and_says_so():
    content = basis_cards.anchoring_request(SV, full_basis())
    assert size_of(content) <= MAX_CARD_BYTES
    assert any(b.get("id") == SHORTENED_ID for b in content["body"])
    assert [i["id"] for i in content["body"] if i.get("type") == "Input.Text"] == ["comment"]
    shown = fitted(content, SV)
    assert "Långa texter är förkortade för att få plats i Teams; hela texten finns kvar i Styra." in texts(shown)
    assert size_of(shown) <= MAX_CARD_BYTES and " …" in texts(shown)
    assert "Some long texts are shortened" in texts(fitted(content, EN))


def test_a_card_that_fits_is_left_alone():
    small = card([para("Hej")])
    assert shorten(small, MAX_CARD_BYTES) is small and fitted(small, SV) == small


def test_inputs_are_never_cut_and_a_card_of_inputs_alone_is_replaced_and_logged(caplog):
    body = [{"type": "Input.Text", "id": f"f{i}", "value": "😀" * 2000} for i in range(5)]
    too_big = {"type": "AdaptiveCard", "version": "1.5", "body": body}
    with pytest.raises(CardTooLarge):
        shorten(too_big, MAX_CARD_BYTES)
    with caplog.at_level(logging.WARNING, logger="styra.cards"):
        shown = fitted(too_big, SV)
    assert "Det här kan jag inte visa här: det är för stort för Teams. Inget har gått förlorat." in texts(shown)
    assert size_of(shown) < 1000 and len(caplog.records) == 1


def test_texts_already_as_short_as_they_get_end_the_shortening_instead_of_looping():
    # An image too large for the card and texts of 81 characters: a cut ("80 chars …") would be
    # longer than the text, so shortening gives up at once.
    body = [{"type": "Image", "url": "data:image/png;base64," + "A" * 26_000}]
    body += [{"type": "TextBlock", "text": "x" * 81} for _ in range(3)]
    with pytest.raises(CardTooLarge, match="as short as they get"):
        shorten({"type": "AdaptiveCard", "version": "1.5", "body": body}, MAX_CARD_BYTES)
