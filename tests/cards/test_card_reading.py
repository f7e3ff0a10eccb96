"""The one card walker of the tests (tests/support/cards.py) reads a card as Teams shows it."""

import pytest

from tests.support.cards import button, buttons, input_ids, inputs, nodes, press, text, verbs

CARD = {
    "type": "AdaptiveCard", "version": "1.5",
    "refresh": {"action": {"type": "Action.Execute", "verb": "x.view", "data": {"verb": "x.view"}}},
    "body": [
        {"type": "TextBlock", "text": "Rubrik"},
        {"type": "Input.Text", "id": "title", "label": "Titel", "value": "Bokning"},
        {"type": "ActionSet", "actions": [
            {"type": "Action.ShowCard", "title": "Skjut upp", "card": {"type": "AdaptiveCard", "body": [
                {"type": "Input.Number", "id": "days", "value": 3.0}],
                "actions": [{"type": "Action.Execute", "title": "Spara", "verb": "x.snooze", "data": {"verb": "x.snooze"}}]}},
        ]},
    ],
    "actions": [{"type": "Action.Submit", "title": "Skicka", "data": {"verb": "x.send", "id": 7}},
                {"type": "Action.OpenUrl", "title": "Läs mer", "url": "https://example.org"}],
}


def test_buttons_are_what_a_person_can_press_in_reading_order():
    assert verbs(CARD) == ["x.snooze", "x.send"]
    assert verbs(CARD, refresh=True) == ["x.view", "x.snooze", "x.send"]
    assert [b["title"] for b in buttons(CARD)] == ["Spara", "Skicka"]
    assert button(CARD, "Skicka") is button(CARD, "x.send")


def test_inputs_texts_and_nodes_reach_into_show_cards():
    assert input_ids(CARD) == ["title", "days"] and inputs(CARD)["days"]["value"] == 3.0
    assert text(CARD).splitlines() == ["Rubrik", "Titel", "Bokning", "Skjut upp", "Spara", "Skicka", "Läs mer"]
    assert sum(1 for node in nodes(CARD) if node.get("type") == "AdaptiveCard") == 2


def test_pressing_sends_every_input_as_text_with_the_button_data_on_top():
    assert press(CARD, "Skicka") == {"title": "Bokning", "days": "3", "verb": "x.send", "id": 7}
    assert press(CARD, "x.snooze", days=5, id=1) == {"title": "Bokning", "days": "5", "id": "1", "verb": "x.snooze"}


def test_a_button_name_must_be_unique_and_known():
    with pytest.raises(AssertionError, match="0 buttons named 'Avbryt'"):
        button(CARD, "Avbryt")
