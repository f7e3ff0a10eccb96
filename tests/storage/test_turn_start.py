"""A turn's first unit of work (storage/turn_start.py) on every backend: one claim per activity,
the person and the conversation written on first contact and then only when something changed,
the pending question read in the same trip."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from storage import org, state_store, turn_start

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
EXPIRY = timedelta(seconds=30)
PERSON = {"name": "Alex Wilber", "teams_id": "29:alex", "client_locale": "sv"}


def _ref(**changes) -> dict:
    """The conversation's columns, as the dispatcher hands them (bot/dispatch.conversation_facts)."""
    values = dict(conversation_id="a:alex", kind="personal", service_url="https://smba.example/emea/",
                  tenant_id="t", team_id=None, channel_id=None, name=None, bot_id="28:bot", aad_id="aad-alex")
    return {**values, **changes}


def _start(db, key, person=PERSON, ref=None, state_key=None, now=NOW):
    return db.call(turn_start.start, key, now, EXPIRY, "aad-alex", person, ref or _ref(), state_key)


def _writes(db) -> list[str]:
    """The INSERT/UPDATE/DELETE statements the engine runs from now on."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_rest):
        if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    return seen


def test_first_contact_stores_the_person_and_the_conversation(any_db):
    started = _start(any_db, "msteams|a:alex|1")
    assert started == turn_start.Started(None, None, None)
    person = any_db.call(org.person, "aad-alex")
    assert (person.name, person.teams_id, person.client_locale) == ("Alex Wilber", "29:alex", "sv")
    stored = any_db.call(org.conversation, "a:alex")
    assert (stored.kind, stored.service_url, stored.aad_id, stored.installed) == (
        "personal", "https://smba.example/emea/", "aad-alex", True)


def test_a_repeat_is_dropped_and_an_unfinished_claim_expires(any_db):
    assert _start(any_db, "k1") is not None
    assert _start(any_db, "k1") is None
    assert _start(any_db, "k1", now=NOW + EXPIRY + timedelta(seconds=1)) is not None  # never completed
    any_db.call(turn_start.complete, "k1", NOW + EXPIRY + timedelta(seconds=2))
    assert _start(any_db, "k1", now=NOW + timedelta(hours=1)) is None  # completed: dropped for good


def test_nothing_is_written_but_the_claim_when_nothing_changed(any_db):
    _start(any_db, "k1")
    writes = _writes(any_db)
    _start(any_db, "k2")
    assert len(writes) == 1 and "processed_activity" in writes[0]


def test_what_changed_is_written(any_db):
    _start(any_db, "k1")
    any_db.call(org.mark_conversation_failed, "a:alex", "403 gone")
    writes = _writes(any_db)
    _start(any_db, "k2", person={**PERSON, "name": "Alex W."}, ref=_ref(service_url="https://smba.example/amer/"))
    assert [w.split()[0:2] for w in writes][1:] == [["UPDATE", "person"], ["UPDATE", "conversation_ref"]]
    assert any_db.call(org.person, "aad-alex").name == "Alex W."
    stored = any_db.call(org.conversation, "a:alex")
    assert (stored.service_url, stored.failed_at, stored.failure) == ("https://smba.example/amer/", None, None)
    # an empty value never erases what is known
    _start(any_db, "k3", person={"name": "", "teams_id": "", "client_locale": None})
    assert any_db.call(org.person, "aad-alex").teams_id == "29:alex"


def test_the_chosen_language_welcome_and_pending_question_come_back(any_db):
    _start(any_db, "k1")
    any_db.call(org.set_locale, "aad-alex", "en")
    any_db.call(org.mark_welcomed, "aad-alex", NOW)
    any_db.call(state_store.write_json, "pending/a:alex/aad-alex", {"question": "language"})
    started = _start(any_db, "k2", state_key="pending/a:alex/aad-alex")
    assert started == turn_start.Started("en", NOW, {"question": "language"})


def test_no_speaker_and_no_conversation_still_claims(any_db):
    started = any_db.call(turn_start.start, "k1", NOW, EXPIRY, None, {}, None, None)
    assert started == turn_start.Started(None, None, None)
    assert any_db.call(turn_start.start, "k1", NOW, EXPIRY, None, {}, None, None) is None


async def test_first_turns_at_once_make_one_person_and_one_conversation(any_db):
    for attempt in range(5):
        ref = _ref(conversation_id=f"a:new-{attempt}")
        results = await asyncio.gather(*(
            any_db.run(turn_start.start, f"k-{attempt}-{n}", NOW, EXPIRY, f"aad-new-{attempt}", PERSON, ref, None)
            for n in range(4)))
        assert all(r is not None for r in results)
        assert any_db.call(org.person, f"aad-new-{attempt}").name == "Alex Wilber"
        assert any_db.call(org.conversation, f"a:new-{attempt}") is not None
