"""The per-conversation state store behaves alike on every backend (one contract, run on each)."""

import asyncio

from storage.models import BotStateRow
from storage.state_store import read_json, write_json


async def test_write_then_read_round_trips(any_db):
    await any_db.run(write_json, "conv/1", {"question": "language", "nested": {"a": [1, 2]}})
    assert await any_db.run(read_json, "conv/1") == {"question": "language", "nested": {"a": [1, 2]}}
    assert await any_db.run(read_json, "missing") is None


async def test_the_last_writer_wins_and_none_removes(any_db):
    await any_db.run(write_json, "k", {"v": 1})
    await any_db.run(write_json, "k", {"v": 2})
    assert await any_db.run(read_json, "k") == {"v": 2}
    await any_db.run(write_json, "k", None)
    assert await any_db.run(read_json, "k") is None


async def test_two_first_writes_of_a_key_at_once_both_succeed(any_db):
    for attempt in range(10):
        key = f"new/{attempt}"
        await asyncio.gather(any_db.run(write_json, key, {"v": "a"}), any_db.run(write_json, key, {"v": "b"}))
        assert (await any_db.run(read_json, key))["v"] in ("a", "b")


async def test_nul_in_state_is_stored_on_every_backend(any_db):
    await any_db.run(write_json, "k", {"text": "a\u0000b"})
    assert (await any_db.run(read_json, "k"))["text"] == "a\u0000b"


async def test_a_row_in_another_shape_reads_as_nothing(any_db):
    def old_release(session):
        session.add(BotStateRow(key="old", data="py/object: not json", etag=1))

    await any_db.run(old_release)
    assert await any_db.run(read_json, "old") is None
