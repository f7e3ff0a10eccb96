"""A newcomer's first hour: `make run` says what it does, and `app.py` on a database that is not
migrated says what to do instead of a traceback (the default development database it migrates)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from storage.migrate import current_head, revision

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STYRA_") and k not in ("DATABASE_URL", "PORT")}
    env.update(PYTHONPATH=str(REPO), STYRA_SCHEDULER="false", **extra)
    return env


def test_app_on_an_unmigrated_database_says_run_styra_migrate(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    done = subprocess.run([sys.executable, str(REPO / "app.py")], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, env=_env(STYRA_ENV="development", DATABASE_URL=url, PORT=str(_free_port())))
    assert done.returncode == 1
    assert f"The database {url} has no tables yet. Run `styra migrate` (or `make migrate`), then start Styra again." \
        in done.stderr
    assert "Traceback" not in done.stderr
    assert revision(url) is None  # nothing was created behind the operator's back


def test_app_migrates_the_default_development_database_itself(tmp_path):
    port = _free_port()
    process = subprocess.Popen([sys.executable, str(REPO / "app.py")], cwd=tmp_path, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, env=_env(STYRA_ENV="development", PORT=str(port)))
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    status = answer.status
                    break
            except OSError:
                time.sleep(0.5)
        assert status == 200, process.stderr.read() if process.poll() is not None else "no answer"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert revision(f"sqlite:///{tmp_path / 'styra.db'}") == current_head()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_says_what_it_does_before_each_slow_step(tmp_path):
    plan = subprocess.run(["make", "-n", "run", f"VENV={tmp_path / 'venv'}"], cwd=REPO, capture_output=True,
                          text=True, timeout=60).stdout.splitlines()

    def first(fragment: str) -> int:
        return next(i for i, line in enumerate(plan) if fragment in line)

    assert first("==> Creating the virtual environment") < first("-m venv")
    assert first("==> Installing Styra") < first("pip install --quiet -e")
    assert first("==> Migrating the database") < first("-m bot.cli migrate")
    assert first("==> Starting Styra") < first("app.py")
