"""`språk` / `language` without a word: ask which language, then remember it."""

from __future__ import annotations

from botbuilder.core import MessageFactory
from botbuilder.dialogs import ComponentDialog, WaterfallDialog, WaterfallStepContext
from botbuilder.dialogs.choices import Choice, ListStyle
from botbuilder.dialogs.prompts import ChoicePrompt, PromptOptions

from dialogs.registry import register

DIALOG_ID = "language"

CHOICES = {"svenska": "sv", "swedish": "sv", "english": "en", "engelska": "en"}


def _turn(step: WaterfallStepContext):
    return step.context.turn_state["styra.turn"]


@register
class LanguageDialog(ComponentDialog):
    def __init__(self, services):
        super().__init__(DIALOG_ID)
        self.add_dialog(ChoicePrompt("language.choice"))
        self.add_dialog(WaterfallDialog("language.steps", [self.ask, self.store]))
        self.initial_dialog_id = "language.steps"

    async def ask(self, step: WaterfallStepContext):
        t = _turn(step).t
        return await step.prompt(
            "language.choice",
            PromptOptions(
                prompt=MessageFactory.text(t("Which language do you want me to use?")),
                retry_prompt=MessageFactory.text(t("Please answer Svenska or English.")),
                choices=[Choice("Svenska", synonyms=["svenska", "swedish", "sv"]),
                         Choice("English", synonyms=["english", "engelska", "en"])],
                style=ListStyle.suggested_action,
            ),
        )

    async def store(self, step: WaterfallStepContext):
        from dialogs.help import _set_language

        lang = "sv" if step.result.value == "Svenska" else "en"
        await _set_language(_turn(step), lang)
        return await step.end_dialog(lang)
