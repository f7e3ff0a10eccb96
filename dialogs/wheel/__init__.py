"""The annual wheel at work (capability "wheel"): the tick that posts the reminders in the
steering-group channels (fanout), the weekly digest and the chair's nudge (digest), the reminder
card's verbs (answers, and what Start opens: start) and `årshjul` (overview)."""

# Importing the parts registers their tick, verbs and command on `cap`.
from dialogs.wheel import answers, overview
from dialogs.wheel.common import cap, instance_id, wheel_of
from dialogs.wheel.fanout import TickReport, tick
from dialogs.wheel.overview import year_overview

__all__ = ["TickReport", "answers", "cap", "instance_id", "overview", "tick", "wheel_of", "year_overview"]
