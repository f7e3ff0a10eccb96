"""Status reports (DOMAIN.md §5, §8): the quarter's report per e-area, the chair's review,
deviations to decision bases, the steering-group meeting pack and the portfolio roll-up.

Importing the package registers every handler on `cap`, which app.py lists."""

from dialogs.reports import documents, draft, meeting, portfolio, review, writing  # noqa: F401  (registers)
from dialogs.reports.common import cap
from dialogs.reports.draft import card_for_reminder

__all__ = ["cap", "card_for_reminder"]
