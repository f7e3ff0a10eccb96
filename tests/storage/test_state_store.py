"""The dialog-state store honours eTags on every backend (one contract, run on each)."""

import asyncio

import pytest

from storage.state_store import DatabaseStorage, EtagConflict


async def test_write_then_read_round_trips_with_an_etag(any_db):
    store = DatabaseStorage(any_db)
    await store.write({"conv/1": {"count": 1, "nested": {"a": [1, 2]}}})
    got = await store.read(["conv/1", "missing"])
    assert set(got) == {"conv/1"}
    assert got["conv/1"]["count"] == 1 and got["conv/1"]["nested"] == {"a": [1, 2]}
    assert got["conv/1"]["e_tag"] == "1"


async def test_a_stale_etag_raises_and_never_overwrites(any_db):
    store = DatabaseStorage(any_db)
    await store.write({"k": {"v": "first"}})
    mine = (await store.read(["k"]))["k"]
    theirs = (await store.read(["k"]))["k"]
    theirs["v"] = "theirs"
    await store.write({"k": theirs})
    mine["v"] = "mine"
    with pytest.raises(EtagConflict):
        await store.write({"k": mine})
    assert (await store.read(["k"]))["k"]["v"] == "theirs"


async def test_creating_the_same_key_twice_without_etag_conflicts(any_db):
    store = DatabaseStorage(any_db)
    await store.write({"new": {"v": 1}})
    with pytest.raises(EtagConflict):
        await store.write({"new": {"v": 2}})


async def test_star_etag_overwrites_on_purpose(any_db):
    store = DatabaseStorage(any_db)
    await store.write({"k": {"v": 1}})
    await store.write({"k": {"v": 2, "e_tag": "*"}})
    assert (await store.read(["k"]))["k"]["v"] == 2


async def test_successive_writes_in_one_turn_carry_the_new_etag(any_db):
    store = DatabaseStorage(any_db)
    state = {"v": 1}
    await store.write({"k": state})
    state["v"] = 2
    await store.write({"k": state})  # same dict: its eTag was updated in place
    assert (await store.read(["k"]))["k"]["e_tag"] == "2"


async def test_concurrent_writers_with_the_same_etag_one_wins(any_db):
    store = DatabaseStorage(any_db)
    await store.write({"k": {"v": 0}})
    a = (await store.read(["k"]))["k"]
    b = (await store.read(["k"]))["k"]
    a["v"], b["v"] = "a", "b"
    results = await asyncio.gather(store.write({"k": a}), store.write({"k": b}), return_exceptions=True)
    assert sum(isinstance(r, EtagConflict) for r in results) == 1
    assert (await store.read(["k"]))["k"]["v"] in ("a", "b")


async def test_delete(any_db):
    store = DatabaseStorage(any_db)
    await store.write({"a": {"v": 1}, "b": {"v": 2}})
    await store.delete(["a"])
    assert set(await store.read(["a", "b"])) == {"b"}


async def test_nul_in_state_is_stored_on_every_backend(any_db):
    store = DatabaseStorage(any_db)
    await store.write({"k": {"text": "a\u0000b"}})
    assert (await store.read(["k"]))["k"]["text"] == "a\u0000b"


async def test_a_prefetched_row_is_used_once_and_then_the_database_again(any_db):
    from storage.state_store import prefetch, read_rows

    store = DatabaseStorage(any_db)
    await store.write({"conv": {"v": 1}})
    rows = any_db.call(read_rows, ["conv", "absent"])
    prefetch("conv", rows)
    await store.write({"conv": {"v": 2, "e_tag": "*"}})  # changed after the prefetch
    assert (await store.read(["conv"]))["conv"]["v"] == 1  # the turn sees what it read at its start
    assert (await store.read(["conv"]))["conv"]["v"] == 2  # used once: later reads go to the database
    prefetch("absent", rows)
    assert await store.read(["absent"]) == {}
