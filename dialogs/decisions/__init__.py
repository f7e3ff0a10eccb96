"""Inline decisions: the steering group's chair decides on a decision basis in the channel card.

Flow (DOMAIN.md §3): when the area owners have anchored a basis, the transaction that makes it
ready leaves the read-only card's post to the e-area's steering channel in the outbox
(`followups.post_basis`), with a refresh for the chair and deputy chair (their clients swap in
the personal card with the buttons). A click is one transaction (`verbs.decide`): the decision,
its effect on the need and the plan, the need's history, and the follow-ups as outbox rows
(every posted copy updated, the escalation's post to portfolio management, notices). The invoke
answers with the updated card at once; the outbox sends the rest after it.

Exactly once: the basis row is locked (PostgreSQL FOR UPDATE; SQLite transactions are BEGIN
IMMEDIATE) and the insert sits in a savepoint guarded by the unique (basis_id, level) key, so a
race, a double click or a replayed invoke finds the existing decision and shows it; its outbox
rows have business keys, so nothing is sent twice.

refresh.userIds takes Teams user ids (`29:…`, Person.teams_id), not AAD object ids: a chair who
has never written to Styra has no known Teams id and sees the read-only card until they do.

    verbs.py      the card verbs and the decision transaction
    followups.py  the outbox rows a ready basis and a decision leave
    views.py      card views from stored rows; the subject a posted card is remembered under
    commands.py   `beslut <e-area>`: the e-area's decisions
"""

from dialogs.decisions import commands  # noqa: F401  (registers the text command on `cap`)
from dialogs.decisions.verbs import Approve, Defer, Escalate, Reject, SendBack, ViewDecision, cap

__all__ = ["Approve", "Defer", "Escalate", "Reject", "SendBack", "ViewDecision", "cap"]
