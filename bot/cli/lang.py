"""The one language of a `styra` run: `--lang`, else STYRA_DEFAULT_LOCALE (bot/cli/main.py)."""

from __future__ import annotations

from bot.i18n import DEFAULT_LANGUAGE, Translator, language_of, translator


def cli_lang(args, settings) -> str:
    return language_of(getattr(args, "lang", None) or settings.default_locale) or DEFAULT_LANGUAGE


def cli_translator(args, settings) -> Translator:
    return translator(cli_lang(args, settings))
