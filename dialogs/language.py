"""Which language Styra speaks with a person: `språk engelska`, a button, or `språk` alone,
which asks and takes the next message as the answer."""

from __future__ import annotations

import re

from pydantic import field_validator

from bot.actions import CardAction
from bot.i18n import translator
from bot.registry import Capability, Where
from bot.turn import Turn
from cards.system import language_question_card
from cards.verbs import Verb
from storage import org

cap = Capability("language")

QUESTION = "language"
LANGUAGE_WORDS = {
    "sv": "sv", "svenska": "sv", "swedish": "sv", "svensk": "sv",
    "en": "en", "engelska": "en", "english": "en", "engelsk": "en",
}


@cap.action(Verb.LANGUAGE_SET)
class SetLanguage(CardAction):
    lang: str

    @field_validator("lang")
    @classmethod
    def _supported(cls, value: str) -> str:
        if value not in ("sv", "en"):
            raise ValueError("unsupported language")
        return value


async def _set_language(turn: Turn, lang: str) -> None:
    await turn.db.run(org.set_locale, turn.speaker.aad_id, lang)
    turn.t = translator(lang)
    await turn.say(turn.t("Done. I will speak English with you from now on.") if lang == "en"
                   else turn.t("Done. I will speak Swedish with you from now on."))


@cap.handles(SetLanguage)
async def on_set_language(turn: Turn, act: SetLanguage):
    turn.forget_question()
    await _set_language(turn, act.lang)


@cap.command("language", r"(?:språk|language|lang)(?: (?P<lang>\S+))?", where=Where.personal,
         examples=("språk engelska", "language swedish"))
async def language_command(turn: Turn, match: re.Match) -> None:
    word = (match.group("lang") or "").strip()
    if not word:
        turn.ask(QUESTION)
        await turn.send_card(language_question_card(turn.t))
        return
    lang = LANGUAGE_WORDS.get(word)
    if lang is None:
        await turn.say(turn.t("I speak Swedish and English. Write **language english** or **språk svenska**."))
        return
    await _set_language(turn, lang)


@cap.answer(QUESTION)
async def on_answer(turn: Turn) -> bool:
    lang = LANGUAGE_WORDS.get(turn.text.casefold().strip(" .!"))
    if lang is None:
        await turn.say(turn.t("Please answer Svenska or English."))
        return True
    turn.forget_question()
    await _set_language(turn, lang)
    return True
