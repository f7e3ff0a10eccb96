"""The similarity index's start-up build, in a background thread.

It reads the newest needs (as many as the index holds) in chunks of CHUNK on a connection of its
own (storage.needs.index_chunk: no unit of work, so on SQLite it never holds the write lock) and
indexes each chunk in bursts of about BURST seconds, resting REST times as long after each: the
build holds the interpreter a quarter of the time at most and never long enough to be felt by a
turn (a thread keeps the interpreter until it sleeps or the 5 ms switch interval runs out, so a
chunk indexed in one go would hold every turn up for tens of milliseconds). Until it has read the
last need the form's similar check is skipped and `sök` searches titles in the database
(bot/similar.py); a need registered meanwhile is indexed by `put` or by the first lookup's
incremental read.

The index is hundreds of thousands of long-lived objects. Every FREEZE needs and at the end of a
build of more than FREEZE, what exists is moved out of the garbage collector's sight (gc.freeze,
as app.py does with what the start loaded): a full collection walking it all would stop every
turn for 100 ms or more, during the build and after it.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable

from storage import needs as repo

log = logging.getLogger("styra.similar")

CHUNK = 200  # needs read from the database at a time
BURST = 0.001  # seconds of indexing before a rest
REST = 3.0  # the rest after a burst, as a multiple of its length
PAUSE = 0.001  # the shortest rest
STEP = 4  # needs indexed between two looks at the clock (a few hundred microseconds)
FREEZE = 1_000  # needs indexed between two freezes (a small build freezes nothing)
START_WAIT = 1.0  # seconds the start waits for a small database's build before taking turns


def freeze() -> None:
    """Collect the young generations (cheap: only what is new), then move every tracked object
    to the permanent generation, which collections skip."""
    gc.collect(1)
    gc.freeze()


class Build:
    def __init__(self, index, engine) -> None:
        self.index, self.engine = index, engine
        self.done = threading.Event()
        self._stop = threading.Event()
        self.read = 0  # needs indexed so far
        self.seconds = 0.0

    def start(self) -> Build:
        self.index.building = True
        threading.Thread(target=self._run, name="styra-similar-build", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _paced(self, rows: list, work: Callable[[list], None]) -> None:
        """Do the work on the rows STEP at a time, resting after each burst."""
        at = 0
        while at < len(rows) and not self._stop.is_set():
            started = time.perf_counter()
            while at < len(rows) and time.perf_counter() - started < BURST:
                work(rows[at:at + STEP])
                at += STEP
            time.sleep(max(PAUSE, REST * (time.perf_counter() - started)))

    def _run(self) -> None:
        started, last, frozen = time.perf_counter(), 0, 0
        try:
            last = repo.newest_from(self.engine, self.index.max_needs)  # only what the bound keeps
            self.index.start_after(last)
            while not self._stop.is_set():
                rows = repo.index_chunk(self.engine, last, CHUNK)
                if not rows:
                    break
                self._paced(rows, self.index.learn_built)
                self._paced(rows, self.index.add_built)
                if self._stop.is_set():
                    break
                last = rows[-1][0]
                self.read += len(rows)
                if self.read - frozen >= FREEZE:
                    freeze()
                    frozen = self.read
        except Exception:  # the database went away: each e-area's lookups read the rest on demand
            log.exception("the similar-need index build stopped after %d needs", self.read)
        finally:
            self.index.built(last)
            if self.read > FREEZE:
                freeze()
            self.seconds = time.perf_counter() - started
            log.info("similar-need index: %d needs in %.1f s", self.read, self.seconds)
            self.done.set()


def start_build(index, engine) -> Build:
    return Build(index, engine).start()
