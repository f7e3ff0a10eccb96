"""Localisation: gettext catalogues per language, read from the .po files at start.

Every `.po` file under `bot/locale/<lang>/LC_MESSAGES/` is merged into that language's
catalogue, so each feature keeps its own file. msgids are English; Swedish is the default.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from gettext import GNUTranslations, NullTranslations
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"


def language_of(locale: str | None) -> str | None:
    """'sv-SE' -> 'sv', 'en-us' -> 'en'; None for a language Styra does not speak."""
    if not locale:
        return None
    lang = locale.replace("_", "-").split("-")[0].lower()
    return lang if lang in LANGUAGES else None


def choose_language(chosen: str | None, client: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """A language the user chose beats the client's locale, which beats the default."""
    return language_of(chosen) or language_of(client) or language_of(default) or DEFAULT_LANGUAGE


@cache
def _translations(lang: str) -> NullTranslations:
    catalog = None
    for po in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            part = read_po(fh, locale=lang)
        if catalog is None:
            catalog = part
            continue
        for message in part:
            if message.id:
                catalog[message.id] = message
    if catalog is None:
        return NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return GNUTranslations(buffer)


@dataclass(frozen=True)
class Translator:
    lang: str

    def gettext(self, message: str) -> str:
        return _translations(self.lang).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _translations(self.lang).ngettext(singular, plural, n)

    def __call__(self, message: str, **values: object) -> str:
        text = self.gettext(message)
        return text.format(**values) if values else text


def translator(lang: str | None) -> Translator:
    return Translator(language_of(lang) or DEFAULT_LANGUAGE)


def preload() -> None:
    for lang in LANGUAGES:
        _translations(lang)
