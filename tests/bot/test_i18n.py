"""Language choice and catalogue completeness: no English leaks into a Swedish conversation."""

import sys
from pathlib import Path

from bot.i18n import choose_language, translator

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from i18n_check import missing_swedish  # noqa: E402


def test_every_msgid_in_the_code_has_a_swedish_translation():
    missing = missing_swedish()
    assert not missing, "\n".join(f"{where}: {msgid}" for msgid, where in missing.items())


def test_the_users_choice_beats_the_client_which_beats_the_default():
    assert choose_language("en", "sv-SE") == "en"
    assert choose_language(None, "en-US") == "en"
    assert choose_language(None, "de-DE") == "sv"
    assert choose_language(None, None, "en") == "en"


def test_translation_with_values():
    assert translator("sv")("Hi {name}, I am Styra!", name="Alex") == "Hej Alex, jag heter Styra!"
    assert translator("en")("Hi {name}, I am Styra!", name="Alex") == "Hi Alex, I am Styra!"
