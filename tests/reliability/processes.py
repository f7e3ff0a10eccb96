"""Styra as a real process (`python app.py`), started, killed (SIGKILL) and stopped (SIGTERM)
by the test, on the test's database, posting to the test's fake connector."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Styra:
    """One instance. `env` adds to a development setup without demo data or scheduler."""

    def __init__(self, db_url: str, log_dir: Path, name: str = "styra", **env: str) -> None:
        self.db_url = db_url
        self.log_path = log_dir / f"{name}.log"
        self.env = {"STYRA_ENV": "development", "DATABASE_URL": db_url, "STYRA_DEMO": "0",
                    "STYRA_SCHEDULER": "0", "MicrosoftAppId": "", "STYRA_OUTBOX_LEASE_SECONDS": "4",
                    **{k: str(v) for k, v in env.items()}}
        self.proc: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, timeout: float = 30.0) -> Styra:
        self._spawn()
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as session:
            while True:
                if self.proc.poll() is not None:
                    raise AssertionError(f"Styra exited at start: {self.log_tail()}")
                try:
                    async with session.get(self.url + "/healthz", timeout=aiohttp.ClientTimeout(total=2)) as r:
                        if r.status == 200:
                            return self
                except (aiohttp.ClientError, OSError, TimeoutError):
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError(f"Styra did not start in {timeout} s: {self.log_tail()}")
                await asyncio.sleep(0.1)

    def _spawn(self) -> None:
        self.port = free_port()
        env = {**os.environ, **self.env, "PORT": str(self.port), "PYTHONUNBUFFERED": "1"}
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=log)

    def kill(self) -> None:
        """SIGKILL: no drain, no cleanup, like a crash or an OOM kill."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    async def stop(self, timeout: float = 60.0) -> float:
        """SIGTERM, and the seconds until the process was gone."""
        began = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        while self.proc.poll() is None:
            if time.monotonic() - began > timeout:
                self.kill()
                raise AssertionError("Styra did not stop after SIGTERM")
            await asyncio.sleep(0.05)
        return time.monotonic() - began

    async def healthz(self) -> dict:
        async with aiohttp.ClientSession() as session, session.get(self.url + "/healthz") as r:
            return await r.json()

    async def post(self, activity: dict) -> int:
        async with aiohttp.ClientSession() as session, session.post(self.url + "/api/messages", json=activity) as r:
            return r.status

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.kill()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"
