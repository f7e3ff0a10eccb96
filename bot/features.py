"""Importing this registers every command and card verb (each feature registers at import)
and connects the features to each other."""

import bot.anchoring
import bot.assessment  # noqa: F401
import bot.core_commands  # noqa: F401
import bot.decisions
import bot.needs  # noqa: F401
import bot.reminders  # noqa: F401

# An anchored decision basis goes to its steering group's channel.
if bot.decisions.post_basis not in bot.anchoring.ON_BASIS_READY:
    bot.anchoring.ON_BASIS_READY.append(bot.decisions.post_basis)
