"""Counts go through ngettext (`t.n`): no catalogue entry formats a count into a fixed plural
("1 personer", "1 timmar", "1 goals")."""

from __future__ import annotations

import re

from bot.i18n import LOCALE_DIR, read_po, translator

# A count placeholder followed (perhaps after one word) by a plural noun: "{n} hours",
# "{count} people", "{n} working days", "{total} e-areas".
COUNTED_PLURAL = re.compile(r"\{(?:n|count|total)\} (?:[a-z-]+ )?(?:people|[a-z-]+s)\b")


def test_no_singular_entry_formats_a_count_into_a_plural_noun():
    offenders = [f"{po.name}: {entry.msgid}"
                 for po in sorted((LOCALE_DIR / "sv" / "LC_MESSAGES").glob("*.po"))
                 for entry in read_po(po)
                 if entry.plural is None and COUNTED_PLURAL.search(entry.msgid)]
    assert offenders == [], "use t.n(singular, plural, n):\n" + "\n".join(offenders)


def test_the_finder_finds_what_it_is_for():
    assert COUNTED_PLURAL.search("The coordinators see that {count} people are affected")
    assert COUNTED_PLURAL.search("in {n} working days")
    assert not COUNTED_PLURAL.search("{n} SEK") and not COUNTED_PLURAL.search("Version {n} ({status})")


def test_one_is_singular_in_swedish_and_english():
    sv, en = translator("sv"), translator("en")
    one = ("No duplicate was created. The coordinators see that {n} person is affected besides the one who registered it.",
           "No duplicate was created. The coordinators see that {n} people are affected besides the one who registered it.")
    assert "ser att 1 person berörs" in sv.n(*one, 1) and "ser att 2 personer berörs" in sv.n(*one, 2)
    assert "see that 1 person is affected" in en.n(*one, 1) and "see that 2 people are affected" in en.n(*one, 2)
    assert sv.n("{n} hour", "{n} hours", 1) == "1 timme"
