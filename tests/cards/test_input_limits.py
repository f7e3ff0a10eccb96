"""Every text input a card shows has a server-side limit (bot/envelope.py INPUTS) equal to the
length the card lets a person type, so over-long input is answered, never stored or re-shown."""

import json

from bot.envelope import INPUTS, MAX_INPUT_CHARS
from tests.support.cards import nodes, verbs
from tests.support.snapshots import SNAPSHOTS


def _cards():
    for path in sorted(SNAPSHOTS.glob("*.json")):
        yield path.name, json.loads(path.read_text())


def test_each_text_input_is_limited_by_a_verb_of_its_card_to_its_max_length():
    checked = 0
    for name, card in _cards():
        on_card = set(verbs(card))
        for node in nodes(card):
            if node.get("type") != "Input.Text":
                continue
            limits = {verb: INPUTS[verb][node["id"]] for verb in on_card if node["id"] in INPUTS.get(verb, {})}
            if not node.get("maxLength"):  # a short answer (hours, cost): any input's limit holds
                assert not limits, (name, node["id"], limits)
                continue
            assert node["maxLength"] <= MAX_INPUT_CHARS
            assert limits, f"{name}: no verb of the card ({sorted(on_card)}) limits input {node['id']!r}"
            assert set(limits.values()) == {node["maxLength"]}, (name, node["id"], limits, node["maxLength"])
            checked += 1
    assert checked >= 20


def test_every_limit_belongs_to_a_known_verb():
    from tests.support.verbs import REGISTRY

    arriving = ("commission.", "report.")  # verbs of capabilities on their way (bot/rules/policy.py)
    assert {verb for verb in INPUTS if not verb.startswith(arriving)} <= REGISTRY.known_verbs()
