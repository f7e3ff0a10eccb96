"""SQLite transactions of one process take their turn in arrival order (storage/db.py FairLock)."""

from __future__ import annotations

import threading
import time

from storage.db import FairLock


def _wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_waiting_threads_are_served_in_arrival_order():
    lock, served = FairLock(), []
    lock.acquire()

    def wait(n: int) -> None:
        with lock:
            served.append(n)

    threads = []
    for n in range(6):
        thread = threading.Thread(target=wait, args=(n,))
        thread.start()
        threads.append(thread)
        _wait_for(lambda n=n: len(lock._waiters) == n + 1)
    lock.release()
    # a newcomer after the release queues behind those already waiting
    late = threading.Thread(target=wait, args=(99,))
    late.start()
    for thread in [*threads, late]:
        thread.join(5)
    assert served == [0, 1, 2, 3, 4, 5, 99]


def test_the_same_thread_may_enter_twice():
    lock = FairLock()
    with lock, lock:
        pass
    assert lock._owner is None and not lock._waiters
    with lock:  # free again
        pass


def test_a_sqlite_database_orders_its_transactions_but_not_postgresql(db, any_db):
    assert isinstance(db._writers, FairLock)
    assert isinstance(any_db._writers, FairLock) == any_db.is_sqlite


def test_a_read_runs_while_a_writer_holds_the_lock(any_db):
    """Readers stay parallel: a read-only unit neither waits for the writers' turn nor blocks it."""
    from storage import org
    from storage.demo import load_demo

    any_db.call(load_demo)
    inside, done = threading.Event(), threading.Event()

    def writer() -> None:
        with any_db.transaction() as session:
            org.set_locale(session, "nobody", "en")
            session.flush()
            inside.set()
            assert done.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    assert inside.wait(10)
    try:
        assert any_db.read_call(org.count_e_areas) > 0  # would wait for the writer if it took the lock
    finally:
        done.set()
        thread.join(10)
