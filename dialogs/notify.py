"""Follow-up messages as outbox rows, written in the use case's own transaction.

Each row has a business key, so a replayed use case adds nothing twice; bot/outbox.py sends the
rows after the answer. `nudge` after the transaction makes it look at once.
"""

from __future__ import annotations

from datetime import datetime

from bot.config import Settings
from bot.i18n import Translator, translator
from bot.outbox import card_activity
from storage import org
from storage import outbox as rows
from storage.models import ChannelPurpose
from storage.outbox import Recipient


def language_of(session, settings: Settings, aad_id: str) -> str:
    """The person's chosen (or Teams client) language, else the organisation's."""
    return org.language_of_person(org.person(session, aad_id)) or settings.default_locale


def reader(session, settings: Settings, aad_id: str) -> Translator:
    return translator(language_of(session, settings, aad_id))


def to_person(session, *, key: str, aad_id: str, card: dict, now: datetime, kind: str = "notice") -> bool:
    return rows.enqueue(session, key=key, to=Recipient.person(aad_id), activity=card_activity(card), kind=kind,
                        now=now)


def to_channel(session, *, key: str, purpose: ChannelPurpose, scope: str, card: dict, subject: str,
               now: datetime) -> bool:
    """A post in the channel linked for this e-area (or portfolio), remembered under `subject`."""
    return rows.enqueue(session, key=key, to=Recipient.linked(purpose, scope), activity=card_activity(card),
                        kind="post", subject=subject, now=now)


def update(session, *, key: str, subject: str, card: dict, now: datetime) -> bool:
    """Every posted copy of the subject's card, replaced in place."""
    return rows.enqueue(session, key=key, to=Recipient.updates(subject), activity=card_activity(card),
                        kind="update", now=now)


def nudge(services) -> None:
    if services.outbox is not None:
        services.outbox.nudge()
