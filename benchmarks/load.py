"""A small load generator: N concurrent conversations posting activities to /api/messages.

Replies go to a fake connector in this process. CPU per turn is read from the bot process's
/proc/<pid>/stat, so the bot's own cost is measured, not the generator's.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.connector import FakeConnector  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


class BotProcess:
    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/api/messages"
        full_env = {**os.environ, **env, "PORT": str(self.port)}
        self.proc = subprocess.Popen(argv, cwd=cwd or ROOT, env=full_env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)

    async def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                try:
                    async with session.post(self.url, data="{}", headers={"Content-Type": "application/json"}):
                        return
                except aiohttp.ClientError:
                    await asyncio.sleep(0.1)
        raise RuntimeError(f"bot on {self.url} did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def activity(connector_url: str, conv: int, seq: int, text: str | None = None, value: dict | None = None) -> dict:
    user = f"bench-user-{conv}"
    body = {
        "type": "message", "id": f"b-{conv}-{seq}-{time.monotonic_ns()}", "channelId": "msteams",
        "serviceUrl": connector_url, "locale": "sv-SE",
        "from": {"id": f"29:{user}", "name": f"Bench {conv}", "aadObjectId": f"aad-{user}"},
        "recipient": {"id": "28:bot", "name": "Styra"},
        "conversation": {"id": f"a:{user}", "conversationType": "personal", "tenantId": "t"},
        "channelData": {"tenant": {"id": "t"}},
    }
    if text is not None:
        body["text"] = text
    if value is not None:
        body["value"] = value
    return body


async def drive(url: str, make_body, conversations: int, turns_per_conversation: int, pid: int) -> dict:
    """Closed loop: each conversation sends its next activity when the previous turn answered."""
    latencies: list[float] = []
    errors = 0

    async def one_conversation(session: aiohttp.ClientSession, conv: int) -> None:
        nonlocal errors
        for seq in range(turns_per_conversation):
            body = json.dumps(make_body(conv, seq))
            start = time.perf_counter()
            async with session.post(url, data=body, headers={"Content-Type": "application/json"}) as resp:
                await resp.read()
                if resp.status >= 300:
                    errors += 1
            latencies.append((time.perf_counter() - start) * 1000)

    connector = aiohttp.TCPConnector(limit=conversations)
    async with aiohttp.ClientSession(connector=connector) as session:
        cpu_before, wall_before = cpu_seconds(pid), time.perf_counter()
        await asyncio.gather(*(one_conversation(session, c) for c in range(conversations)))
        wall, cpu = time.perf_counter() - wall_before, cpu_seconds(pid) - cpu_before
    turns = conversations * turns_per_conversation
    return {
        "turns": turns,
        "errors": errors,
        "throughput_per_s": round(turns / wall, 1),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p95_ms": round(percentile(latencies, 95), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "max_ms": round(max(latencies, default=0.0), 2),
        "mean_ms": round(statistics.fmean(latencies), 2),
        "cpu_ms_per_turn": round(cpu * 1000 / turns, 2),
    }


async def drive_open(url: str, make_body, rate: float, seconds: float, pid: int, conversations: int = 50) -> dict:
    """Open loop: `rate` activities a second whatever the answers, spread over `conversations`; a
    slow bot gets no breather, so the latencies include the queue it builds."""
    latencies: list[float] = []
    errors = 0
    total = int(rate * seconds)

    async def one(session: aiohttp.ClientSession, n: int) -> None:
        nonlocal errors
        body = json.dumps(make_body(n % conversations, n))
        start = time.perf_counter()
        try:
            async with session.post(url, data=body, headers={"Content-Type": "application/json"}) as resp:
                await resp.read()
                if resp.status >= 300:
                    errors += 1
        except aiohttp.ClientError:
            errors += 1
        latencies.append((time.perf_counter() - start) * 1000)

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as session:
        cpu_before, wall_before = cpu_seconds(pid), time.perf_counter()
        tasks = []
        for n in range(total):
            delay = wall_before + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(session, n)))
        await asyncio.gather(*tasks)
        wall, cpu = time.perf_counter() - wall_before, cpu_seconds(pid) - cpu_before
    return {"offered_per_s": rate, "turns": total, "errors": errors, "answered_per_s": round(total / wall, 1),
            "p50_ms": round(percentile(latencies, 50), 2), "p99_ms": round(percentile(latencies, 99), 2),
            "max_ms": round(max(latencies), 2) if latencies else 0.0,
            "cpu_ms_per_turn": round(cpu * 1000 / max(1, total), 2)}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


async def start_connector() -> FakeConnector:
    return await FakeConnector().start()
