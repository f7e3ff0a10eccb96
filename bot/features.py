"""Importing this registers every command and card verb (each feature registers at import)."""

import bot.core_commands  # noqa: F401
