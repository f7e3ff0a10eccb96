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


def test_no_msgid_is_translated_two_ways_in_different_catalogues():
    from babel.messages.pofile import read_po

    from bot.i18n import LOCALE_DIR

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for po in sorted((LOCALE_DIR / "sv" / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            for message in read_po(fh):
                if not message.id:
                    continue
                msgid = message.id if isinstance(message.id, str) else message.id[0]
                text = message.string if isinstance(message.string, str) else message.string[0]
                first = seen.setdefault(msgid, (po.name, text))
                if first[1] != text:
                    clashes.append(f"{msgid!r}: {first[0]} says {first[1]!r}, {po.name} says {text!r}")
    assert not clashes, "\n".join(clashes)
