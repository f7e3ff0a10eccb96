"""Language choice and catalogue completeness: no English leaks into a Swedish conversation."""

import subprocess
import sys
from pathlib import Path

import pytest

from bot import i18n
from bot.i18n import LOCALE_DIR, choose_language, load, read_po, translator

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from i18n_check import missing_swedish, msgids_in  # noqa: E402
from write_po import render  # noqa: E402

SAMPLE_PO = r'''# Swedish test catalogue
#, fuzzy
msgid ""
msgstr ""
"Language: sv\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"
"Content-Type: text/plain; charset=utf-8\n"

#. a comment for translators
#: dialogs/needs.py:12
msgid "Save"
msgstr "Spara"

msgid ""
"A long text "
"on two lines with \"quotes\"\n"
msgstr ""
"En lång text "
"på två rader med \"citattecken\"\n"

msgid "{n} open need"
msgid_plural "{n} open needs"
msgstr[0] "{n} öppet behov"
msgstr[1] "{n} öppna behov"

#, fuzzy, python-format
msgid "Delete"
msgstr "Radera kanske"

msgid "Not yet"
msgstr ""

msgctxt "month"
msgid "May"
msgstr "maj"
msgid "May"
msgstr "får"

#~ msgid "Gone"
#~ msgstr "Borta"
'''


@pytest.fixture
def sample(tmp_path):
    (tmp_path / "a.po").write_text(SAMPLE_PO, encoding="utf-8")
    return tmp_path


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
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for po in sorted((LOCALE_DIR / "sv" / "LC_MESSAGES").glob("*.po")):
        for entry in read_po(po):
            if not entry.msgid:
                continue
            text = entry.msgstr[0]
            first = seen.setdefault(entry.msgid, (po.name, text))
            if first[1] != text:
                clashes.append(f"{entry.msgid!r}: {first[0]} says {first[1]!r}, {po.name} says {text!r}")
    assert not clashes, "\n".join(clashes)


def test_the_po_reader_keeps_translations_and_drops_fuzzy_empty_and_obsolete(sample):
    catalogue = load(sample)
    assert catalogue.gettext("Save") == "Spara"
    assert catalogue.gettext("A long text on two lines with \"quotes\"\n") == (
        "En lång text på två rader med \"citattecken\"\n")
    assert catalogue.gettext("Delete") == "Delete"
    assert catalogue.gettext("Not yet") == "Not yet"
    assert catalogue.gettext("Gone") == "Gone"
    assert catalogue.pgettext("month", "May") == "maj"
    assert catalogue.gettext("May") == "får"


def test_plurals_follow_the_catalogues_plural_forms(sample, monkeypatch):
    monkeypatch.setattr(i18n, "_translations", lambda lang: load(sample))
    t = translator("sv")
    assert t.n("{n} open need", "{n} open needs", 1) == "1 öppet behov"
    assert t.n("{n} open need", "{n} open needs", 3) == "3 öppna behov"
    assert t.n("{n} open need", "{n} open needs", 0) == "0 öppna behov"
    assert t.ngettext("{n} open need", "{n} open needs", 1) == "{n} öppet behov"


def test_english_plurals_need_no_catalogue():
    t = translator("en")
    assert t.n("{n} need in {area}", "{n} needs in {area}", 1, area="HR") == "1 need in HR"
    assert t.n("{n} need in {area}", "{n} needs in {area}", 2, area="HR") == "2 needs in HR"


def test_a_broken_po_line_names_the_file_and_line(tmp_path):
    po = tmp_path / "broken.po"
    po.write_text('msgid "Save"\nmsgstr "Spara\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.po:2"):
        read_po(po)


def test_written_catalogues_read_back_the_same(tmp_path):
    translations = {
        "Save": "Spara",
        "Say \"yes\"\nor no, in a sentence long enough to be wrapped over more than one line "
        "of the catalogue file": "Säg \"ja\"\neller nej\\ i tab\tt",
        "{n} open need": {"plural": "{n} open needs", "msgstr": ["{n} öppet behov", "{n} öppna behov"]},
    }
    po = tmp_path / "written.po"
    po.write_text(render(translations), encoding="utf-8")
    assert all(len(line) <= 100 for line in po.read_text(encoding="utf-8").splitlines())
    entries = {e.msgid: e for e in read_po(po) if e.msgid}
    assert {m: e.msgstr[0] for m, e in entries.items() if e.plural is None} == {
        k: v for k, v in translations.items() if isinstance(v, str)}
    assert entries["{n} open need"].plural == "{n} open needs"
    assert entries["{n} open need"].msgstr == ("{n} öppet behov", "{n} öppna behov")


def test_the_check_finds_msgids_in_calls_fstrings_and_plurals():
    source = (
        'x = turn.t("Saved")\n'
        'y = f"{t(\'Comment\')}: {text}"\n'
        'z = t.n("{n} need", "{n} needs", count)\n'
        'w = t(variable)\n'
        'v = other("Not a msgid")\n'
    )
    assert msgids_in(source) == [
        (1, "Saved", None), (2, "Comment", None), (3, "{n} need", "{n} needs")]


def test_the_app_and_the_check_load_without_babel_messages():
    # Babel 2.9 cannot be imported on Python 3.13 (it needs `cgi`): nothing of ours may need it.
    code = (
        "import sys; sys.modules['babel.messages'] = None\n"
        "sys.path.insert(0, 'scripts')\n"
        "import app, i18n_check\n"
        "from bot import i18n\n"
        "i18n.preload()\n"
        "raise SystemExit(i18n_check.main())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "0 msgid(s) without a Swedish translation" in done.stdout
