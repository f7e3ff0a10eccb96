"""The similarity index's start-up build, in a background thread.

It reads the newest needs (as many as the index holds) in chunks of CHUNK on a connection of its
own (storage.needs.index_chunk: no unit of work, so on SQLite it never holds the write lock),
indexes each chunk and pauses as long as the chunk took, so the turns keep the interpreter. Until
it has read the last need the form's similar check is skipped and `sök` searches titles in the
database (bot/similar.py); a need registered meanwhile is indexed by `put` or by the first
lookup's incremental read.
"""

from __future__ import annotations

import logging
import threading
import time

from storage import needs as repo

log = logging.getLogger("styra.similar")

CHUNK = 200  # needs read and indexed at a time (tens of milliseconds of CPU)
# Between chunks the build sleeps as long as the chunk took (at least PAUSE): it holds the
# interpreter at most half the time, and the turns take it meanwhile.
PAUSE = 0.002
START_WAIT = 1.0  # seconds the start waits for a small database's build before taking turns


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

    def _run(self) -> None:
        started, last = time.perf_counter(), 0
        try:
            last = repo.newest_from(self.engine, self.index.max_needs)  # only what the bound keeps
            self.index.start_after(last)
            while not self._stop.is_set():
                chunk_started = time.perf_counter()
                rows = repo.index_chunk(self.engine, last, CHUNK)
                if not rows:
                    break
                last = rows[-1][0]
                self.index.add_built(rows, last)
                self.read += len(rows)
                time.sleep(max(PAUSE, time.perf_counter() - chunk_started))
        except Exception:  # the database went away: each e-area's lookups read the rest on demand
            log.exception("the similar-need index build stopped after %d needs", self.read)
        finally:
            self.index.built(last)
            self.seconds = time.perf_counter() - started
            log.info("similar-need index: %d needs in %.1f s", self.read, self.seconds)
            self.done.set()


def start_build(index, engine) -> Build:
    return Build(index, engine).start()
