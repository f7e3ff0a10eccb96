"""The registry app.py builds, for tests that check card verbs without starting the app."""

from app import CAPABILITIES
from bot.registry import Registry

REGISTRY = Registry(CAPABILITIES)
