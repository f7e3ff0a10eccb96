"""Every card Styra can show: schema 1.5, under the size limit, and only verbs the bot handles."""

import json

import pytest

from bot.i18n import translator
from cards.common import MAX_CARD_BYTES
from cards.system import HELP_TOPICS, help_card, help_topic_card, welcome_card
from tests.support.cards import verbs
from tests.support.snapshots import SNAPSHOTS
from tests.support.verbs import REGISTRY


def _system_cards():
    for lang in ("sv", "en"):
        t = translator(lang)
        yield f"welcome-{lang}", welcome_card(t, "Alex Wilber")
        yield f"welcome-team-{lang}", welcome_card(t, None, in_team=True)
        yield f"help-{lang}", help_card(t)
        for topic in (*HELP_TOPICS, "overview"):
            yield f"help-{topic}-{lang}", help_topic_card(t, topic)


def _all_cards():
    yield from _system_cards()
    for path in sorted(SNAPSHOTS.glob("*.json")):
        yield path.name, json.loads(path.read_text())


@pytest.mark.parametrize("name,card", list(_all_cards()), ids=lambda v: v if isinstance(v, str) else "")
def test_card_is_valid_for_teams(name, card):
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert card.get("$schema", "").startswith("http://adaptivecards.io/schemas/")
    assert len(json.dumps(card, ensure_ascii=False).encode()) < MAX_CARD_BYTES
    unknown = {verb for verb in verbs(card, refresh=True) if verb not in REGISTRY.known_verbs()}
    assert not unknown, f"{name} uses verbs no handler accepts: {unknown}"
