"""Commissions (DOMAIN.md §4, seed 004; final reports, seed 003): set up with a guided form,
approved by every manager concerned, announced, followed up, changed and closed.

    capability.py  the Capability and shared answers     flow.py      steps 1-2, drafts, pause
    steps.py       the step cards of a stored draft      document.py  step 3, sending, changes
    approval.py    the managers' answers (invokes)       lists.py     lists and the detail card
    closing.py     registry number, final report         origins.py   from a need, from an idea
    notices.py     follow-ups written to the outbox      reminders.py status-report reminders
    views.py       who sees what, view data for cards
"""

from dialogs.commissions import approval, closing, document, flow, lists, origins, reminders  # noqa: F401  (register)
from dialogs.commissions.capability import cap

__all__ = ["cap"]
