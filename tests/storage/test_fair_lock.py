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
