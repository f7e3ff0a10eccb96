"""The coordinators hear of a new need: outbox rows written in the transaction that saves it.

Each e-area chooses how its coordinators hear of new needs (`aviseringar`, dialogs/needs/notices.py):
a notice per need (this module), a daily digest (written by that module's tick) or nothing.
Where a notice goes is decided with the need: the e-area's linked steering-group channel (in the
default language, a channel has many readers), or, when none is linked or the setting says
`personal`, each coordinator's 1:1 chat in that coordinator's language. The author is not told
of their own need. Each row's key names the need and the recipient (and a channel's e-area), so a
replayed submit adds nothing, and a need moved to another e-area before its assessment is told to
that e-area's coordinators once.
"""

from __future__ import annotations

from datetime import datetime

from bot.i18n import translator
from bot.outbox import card_activity
from cards import needs as needcards
from dialogs.needs.views import need_row
from storage import need_notices, org, outbox
from storage.models import ChannelPurpose, EArea, Need, Role
from storage.outbox import Recipient


def _activity(need: Need, area: EArea, raised_by: str, lang: str, tz: str) -> dict:
    t = translator(lang)
    card = needcards.coordinator_notice_card(
        t, need_row(need, area, t.lang, tz=tz), raised_by=raised_by, on_behalf_of=need.on_behalf_of,
        hours=need.effort_hours, cost=need.cost_sek,
        wished_date=need.wished_date.isoformat() if need.wished_date else "")
    return card_activity(card)


def recipients(session, area: EArea, settings, coordinators: list[org.Contact] | None = None
               ) -> list[tuple[Recipient, str, str | None]]:
    """(where, language, the coordinator's aad id) for news of the e-area's needs: its linked
    steering-group channel in the default language, else each coordinator's 1:1 chat in theirs."""
    if (settings.notify_coordinators_in != "personal"
            and org.linked_channel(session, ChannelPurpose.steering, area.slug) is not None):
        return [(Recipient.linked(ChannelPurpose.steering, area.slug), settings.default_locale, None)]
    people = coordinators if coordinators is not None else org.contacts(session, area.slug, Role.coordinator)
    return [(Recipient.person(c.aad_id), c.language or settings.default_locale, c.aad_id) for c in people]


def enqueue(session, *, need: Need, area: EArea, raised_by: str, raiser: str,
            coordinators: list[org.Contact], settings, now: datetime) -> int:
    """Write the notice rows; the number written (none unless the e-area wants each need)."""
    if need_notices.mode_of(area, settings.need_notices) != "each":
        return 0  # a digest tomorrow morning, or nothing
    subject = f"need:{need.id}"
    written = 0
    built: dict[str, dict] = {}  # the card once per language, not once per coordinator
    for to, lang, aad_id in recipients(session, area, settings, coordinators):
        if aad_id == raiser:
            continue  # a coordinator who registers a need knows about it
        key = f"{subject}:notice:{aad_id}" if aad_id else f"{subject}:notice:steering:{area.slug}"
        if lang not in built:
            built[lang] = _activity(need, area, raised_by, lang, settings.timezone)
        written += outbox.enqueue(session, key=key, to=to, activity=built[lang],
                                  kind="notice", subject=None if aad_id else subject, now=now)
    return written
