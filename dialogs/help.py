"""Commands every conversation has: help and its topics, cancel, and the answer to text no
command matches."""

from __future__ import annotations

import functools
import logging
import re

from pydantic import field_validator

from bot.actions import CardAction
from bot.cardsize import Fitted, fitted
from bot.i18n import Translator
from bot.registry import Capability
from bot.turn import Turn
from cards.system import HELP_TOPICS, help_card, help_topic_card
from cards.verbs import Verb

cap = Capability("help")

log = logging.getLogger("styra.help")

@functools.cache
def _help_card(t: Translator) -> dict:
    """The help card is the same for every reader of a language and the most sent card: built
    once per language (building and measuring it took longer than the rest of a help turn)."""
    return Fitted(fitted(help_card(t), t))


HELP = re.compile(r"^(hjälp|help|\?|hjalp)$")
CANCEL = re.compile(r"^(avbryt|cancel|stopp|stop|avsluta|quit)$")


@cap.on_interrupt
async def interrupt(turn: Turn) -> bool:
    """Help and cancel work at any point, also in the middle of a guided dialog."""
    text = turn.text.casefold().strip(" .!")
    if HELP.match(text):
        await turn.send_card(_help_card(turn.t))
        return True
    if CANCEL.match(text):
        if turn.pending is not None:
            turn.forget_question()
            await turn.say(turn.t("Cancelled. Nothing more was saved. Type **help** when you want to go on."))
        else:
            await turn.say(turn.t("There is nothing to cancel right now."))
        return True
    return False


@cap.on_unknown
async def unknown(turn: Turn) -> None:
    ideas = turn.registry.suggest(turn.text, lang=turn.t.lang)
    if ideas:
        listed = ", ".join(f"**{idea}**" for idea in ideas)
        await turn.say(turn.t("I did not understand that. Did you mean {ideas}? Type **help** to see everything I can do.", ideas=listed))
    else:
        await turn.say(turn.t("I did not understand that. Type **help** to see what I can do, or **new need** to register a need."))


# --- help topics --------------------------------------------------------------------------


@cap.action(Verb.HELP_TOPIC)
class HelpTopic(CardAction):
    topic: str = "overview"

    @field_validator("topic")
    @classmethod
    def _known(cls, value: str) -> str:
        return value if value in (*HELP_TOPICS, "overview") else "overview"


@cap.handles(HelpTopic)
async def show_help_topic(turn: Turn, act: HelpTopic):
    card = help_topic_card(turn.t, act.topic)
    if turn.is_invoke:
        return card
    await turn.send_card(card)
    return None


@cap.command("help", r"(?:hjälp|help)", examples=("hjälp", "help"))
async def help_command(turn: Turn, match: re.Match) -> None:
    await turn.send_card(_help_card(turn.t))
