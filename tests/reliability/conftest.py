"""Reliability tests: real processes, SIGKILL, SIGTERM, a database outage.

The heavier ones are marked `soak`: they run once in `make test`, and `make soak` (or
STYRA_SOAK_RUNS=N) repeats each of them N times (10 by default there)."""

from __future__ import annotations

import os

SOAK_RUNS = max(1, int(os.environ.get("STYRA_SOAK_RUNS", "1")))


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "soak: a real-process scenario; `make soak` repeats it")


def pytest_generate_tests(metafunc) -> None:
    if SOAK_RUNS > 1 and metafunc.definition.get_closest_marker("soak") is not None:
        metafunc.fixturenames.append("soak_run")
        metafunc.parametrize("soak_run", range(SOAK_RUNS), ids=lambda n: f"run{n + 1}")
