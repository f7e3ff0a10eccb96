"""A turn's first and last unit of work (bot/dispatch.py) in a few statements.

Start: claim the activity with one insert-if-absent; read the person, the conversation and the
pending question in one SELECT; write the person and the conversation only when something
changed (first contact, a new name, a new service URL …). End: mark the claim completed.
SQLAlchemy Core on the session's connection, statements built once: this runs on every turn,
and the ORM's identity map, flush and per-query compile cost more than the statements do
(a hjälp turn's first unit went from 8 statements through the ORM to 2 statements).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from storage import state_store
from storage.activities import stored_key
from storage.models import BotStateRow, ConversationRef, Person, ProcessedActivity
from storage.types import utcnow

A, P, C, S = ProcessedActivity.__table__, Person.__table__, ConversationRef.__table__, BotStateRow.__table__
PERSON_FIELDS = ("name", "teams_id", "client_locale")
CONVERSATION_FIELDS = ("kind", "service_url", "tenant_id", "team_id", "channel_id", "bot_id", "aad_id", "name")

_ONE = select(literal_column("1").label("one")).subquery("one")
# Left joins from a one-row table: a row comes back whatever of the three exists.
_READ = (
    select(P.c.aad_id.label("p_aad_id"), *(P.c[f].label(f"p_{f}") for f in PERSON_FIELDS),
           P.c.locale.label("p_locale"), P.c.welcomed_at.label("p_welcomed_at"),
           C.c.conversation_id.label("c_conversation_id"), *(C.c[f].label(f"c_{f}") for f in CONVERSATION_FIELDS),
           C.c.installed.label("c_installed"), C.c.failed_at.label("c_failed_at"), S.c.data.label("s_data"))
    .select_from(_ONE.outerjoin(P, P.c.aad_id == bindparam("aad"))
                 .outerjoin(C, C.c.conversation_id == bindparam("conv"))
                 .outerjoin(S, S.c.key == bindparam("state")))
)
_RETAKE = (update(A).where(A.c.key == bindparam("k"), A.c.completed_at.is_(None), A.c.processed_at < bindparam("before"))
           .values(processed_at=bindparam("at")))
_COMPLETE = update(A).where(A.c.key == bindparam("k")).values(completed_at=bindparam("at"))


def _inserts(dialect: str) -> tuple:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (insert(A).on_conflict_do_nothing(index_elements=["key"]).returning(A.c.key),
            insert(P).on_conflict_do_nothing(index_elements=["aad_id"]).returning(P.c.aad_id),
            insert(C).on_conflict_do_nothing(index_elements=["conversation_id"]).returning(C.c.conversation_id))


_INSERTS = {name: _inserts(name) for name in ("sqlite", "postgresql")}


@dataclass(frozen=True)
class Started:
    locale: str | None  # the person's chosen language
    welcomed_at: datetime | None
    pending: dict | None  # the question the next message answers


def start(session: Session, key: str | None, now: datetime, expiry: timedelta, aad_id: str | None,
          person: dict, ref: dict | None, state_key: str | None) -> Started | None:
    """Claim `key` (None: a repeat, drop the turn), then remember who and where.

    `person` holds name, teams_id, client_locale as the activity tells them; `ref` the
    conversation's columns (a ConversationRef's fields as a dict: building the model on every
    turn cost more than the statements)."""
    conn = session.connection()
    insert_activity, insert_person, insert_conversation = _INSERTS[conn.dialect.name]
    if key is not None:
        stored = stored_key(key)
        if not conn.execute(insert_activity, {"key": stored, "processed_at": now}).first():
            retaken = conn.execute(_RETAKE, {"k": stored, "before": now - expiry, "at": now}).rowcount
            if retaken != 1:
                return None
    params = {"aad": aad_id, "conv": ref["conversation_id"] if ref else None, "state": state_key}
    row = conn.execute(_READ, params).mappings().one()
    if aad_id and row["p_aad_id"] is None:
        values = {"aad_id": aad_id, **person, "updated_at": utcnow()}
        if not conn.execute(insert_person, values).first():  # a concurrent first turn made it
            row = conn.execute(_READ, params).mappings().one()
    if aad_id and row["p_aad_id"] is not None:
        changes = {f: person[f] for f in PERSON_FIELDS if person[f] and row[f"p_{f}"] != person[f]}
        if changes:
            conn.execute(update(P).where(P.c.aad_id == aad_id).values(**changes, updated_at=utcnow()))
    if ref is not None:
        _save_conversation(conn, insert_conversation, row, ref, params)
    if not aad_id or row["p_aad_id"] is None:
        return Started(None, None, state_store.parse(row["s_data"]))
    return Started(row["p_locale"], row["p_welcomed_at"], state_store.parse(row["s_data"]))


def _save_conversation(conn, insert_conversation, row, ref: dict, params: dict) -> None:
    installed = ref.get("installed", True)
    if row["c_conversation_id"] is None:
        values = {**ref, "installed": installed, "updated_at": utcnow()}
        if conn.execute(insert_conversation, values).first():
            return
        row = conn.execute(_READ, params).mappings().one()  # a concurrent first turn made it
    changes = {f: ref.get(f) for f in CONVERSATION_FIELDS if ref.get(f) and row[f"c_{f}"] != ref.get(f)}
    if bool(row["c_installed"]) != installed:
        changes["installed"] = installed
    if row["c_failed_at"] is not None and installed:  # Teams reaches us again: it works
        changes["failed_at"], changes["failure"] = None, None
    if changes:
        conn.execute(update(C).where(C.c.conversation_id == ref["conversation_id"]).values(**changes, updated_at=utcnow()))


def complete(session: Session, key: str, now: datetime) -> None:
    """The turn is done: a resend of this activity is dropped from now on."""
    session.connection().execute(_COMPLETE, {"k": stored_key(key), "at": now})


def complete_many(session: Session, done: list[tuple[str, datetime]]) -> None:
    """Several finished turns in one statement batch (bot/claims.py)."""
    if done:
        session.connection().execute(_COMPLETE, [{"k": stored_key(key), "at": at} for key, at in done])
