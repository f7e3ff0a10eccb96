"""Where an outbox row goes: its recipient, the conversation that recipient resolves to, and the
row's lane (rows of one conversation are sent in order, see storage/outbox.py)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlmodel import Session

from storage import org
from storage.models import ChannelPurpose, ConversationRef, LinkedChannel, SentCard
from storage.outbox_tables import OutboxMessage

C = OutboxMessage.__table__.c


@dataclass(frozen=True)
class Recipient:
    """Where an outbox row goes; resolved when it is sent, so a 1:1 chat can be opened then."""

    address: str

    @classmethod
    def person(cls, aad_id: str) -> Recipient:
        return cls(f"person:{aad_id}")

    @classmethod
    def conversation(cls, conversation_id: str) -> Recipient:
        return cls(f"conversation:{conversation_id}")

    @classmethod
    def linked(cls, purpose: ChannelPurpose, scope: str) -> Recipient:
        return cls(f"linked:{purpose.value}:{scope}")

    @classmethod
    def updates(cls, subject: str) -> Recipient:
        """Every posted copy of this subject's card, replaced in place."""
        return cls(f"updates:{subject}")

    @property
    def kind(self) -> str:
        return self.address.split(":", 1)[0]

    @property
    def value(self) -> str:
        return self.address.split(":", 1)[1]


_SENT = SentCard.__table__.c
_REF = ConversationRef.__table__.c
_LINKED = LinkedChannel.__table__.c
_CONVERSATION_KINDS = ("person", "linked", "conversation")
# Built once: a statement run for every row a use case enqueues is not rebuilt (and its cache
# key not recomputed) each time.
_UPDATES_LANE = select(func.coalesce(
    select(C.lane).where(C.subject == bindparam("subject"), C.status == "pending")
    .order_by(C.id).limit(1).scalar_subquery(),
    select(_SENT.conversation_id).where(_SENT.subject == bindparam("subject"))
    .order_by(_SENT.id).limit(1).scalar_subquery()))
_PERSONAL_CHAT = (select(_REF.conversation_id)
                  .where(_REF.aad_id == bindparam("aad_id"), _REF.kind == "personal").limit(1))


def lane_of(session: Session, to: Recipient) -> str:
    """The conversation a recipient's rows go to, as far as the database knows now. Updates of a
    card share the lane of the card's post (still waiting, or already made), so they follow it.
    One Core query (it runs for every row a use case enqueues)."""
    if to.kind == "updates":
        return session.execute(_UPDATES_LANE, {"subject": to.value}).scalar() or to.address
    if to.kind == "person":
        found = session.execute(_PERSONAL_CHAT, {"aad_id": to.value}).scalar()
    else:
        found = session.execute(_conversation_of(to)).scalar() if to.kind in _CONVERSATION_KINDS else None
    return found.split(";messageid=")[0] if found else to.address


def _conversation_of(to: Recipient):
    """The id of the conversation `resolve` would find, as one select (a channel or a thread)."""
    if to.kind == "linked":
        purpose, scope = to.value.split(":", 1)
        return (select(_REF.conversation_id).join_from(LinkedChannel.__table__, ConversationRef.__table__,
                                                       _LINKED.conversation_id == _REF.conversation_id)
                .where(_LINKED.purpose == ChannelPurpose(purpose), _LINKED.scope == scope).limit(1))
    # a thread: the channel knows the way (the lane is the channel either way)
    return (select(_REF.conversation_id)
            .where(_REF.conversation_id.in_({to.value, to.value.split(";messageid=")[0]})).limit(1))


def personal_refs(session: Session, recipients: list[str]) -> dict[str, ConversationRef]:
    """The known 1:1 chats of the people among these recipients, in one query."""
    people = {address.split(":", 1)[1] for address in recipients if address.startswith("person:")}
    if not people:
        return {}
    found = session.execute(select(ConversationRef).where(ConversationRef.aad_id.in_(people),
                                                          ConversationRef.kind == "personal")).scalars()
    refs: dict[str, ConversationRef] = {}
    for ref in found:
        refs.setdefault(f"person:{ref.aad_id}", ref)
    return refs


def resolve(session: Session, to: Recipient) -> ConversationRef | None:
    """The conversation a recipient's message goes to, when the database already knows it."""
    if to.kind == "person":
        return org.personal_ref(session, to.value)
    if to.kind == "linked":
        purpose, scope = to.value.split(":", 1)
        return org.linked_channel(session, ChannelPurpose(purpose), scope)
    if to.kind == "conversation":
        found = session.get(ConversationRef, to.value)
        if found is None and ";messageid=" in to.value:  # a thread: the channel knows the way
            found = session.get(ConversationRef, to.value.split(";messageid=")[0])
            if found is not None:
                found = ConversationRef(**{**found.model_dump(), "conversation_id": to.value})
        return found
    return None
