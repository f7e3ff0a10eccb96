"""The portfolio tab under a realistic load of data: 30 e-areas with a year of status reports
(five goals each, some reports in two versions, open deviations), 10,000 needs, bases before the
chairs and decisions.

Measures the server time of the portfolio page (as the portfolio office, who sees every e-area)
and of an e-area page, p50/p99 over many requests (target: portfolio p99 < 150 ms), and the page
weight with its CSS and JavaScript, raw and as sent gzip-compressed (target < 300 KB).

    python benchmarks/bench_tab.py            # prints JSON; `make bench` includes it
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REQUESTS = 200
OFFICE = "bbbbbbbb-0000-4000-8000-000000000001"
TARGET_P99_MS = 150
TARGET_WEIGHT_KB = 300


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def _seed(session) -> int:
    from storage import org
    from storage.models import Person, Role
    from tests.support.portfolio_seed import bulk

    bulk(session, areas=30, needs=10_000, year=2026)
    session.add(Person(aad_id=OFFICE, name="Portföljkontoret"))
    org.grant(session, None, OFFICE, Role.portfolio_office, by="bench")
    session.flush()
    return org.e_areas(session)[0].id


async def _measure(db_url: str) -> dict:
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from app import SERVICES, build_app
    from bot import tab_link
    from bot.config import Settings

    now = dt.datetime(2026, 12, 10, 9, tzinfo=dt.UTC)
    settings = Settings(_env_file=None, STYRA_ENV="development", DATABASE_URL=db_url, STYRA_DEMO="0",
                        STYRA_SCHEDULER="0", MicrosoftAppId="", STYRA_TAB_SECRET="b" * 40)
    app = build_app(settings, clock=lambda: now)
    timings: dict[str, list[float]] = {}

    @web.middleware
    async def timed(request, handler):
        started = time.perf_counter()
        response = await handler(request)
        timings.setdefault(request.path.split("/")[2], []).append((time.perf_counter() - started) * 1000)
        return response

    app.middlewares.append(timed)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        area_id = await app[SERVICES].db.run(_seed)
        link = tab_link.mint(b"b" * 40, OFFICE, now.timestamp(), 3600)
        gz = {"Accept-Encoding": "gzip"}
        for _ in range(5):  # warm: templates compiled, caches filled
            await client.get("/tab/portfolio", params={"s": link})
            await client.get(f"/tab/area/{area_id}", params={"s": link})
        timings.clear()
        cpu = time.process_time()
        for _ in range(REQUESTS):
            response = await client.get("/tab/portfolio", params={"s": link}, headers=gz)
            await response.read()
        # CPU per page (every thread of this process, the test client's share included): what the
        # page costs whatever else the machine is doing, unlike the wall-clock percentiles.
        cpu_ms = (time.process_time() - cpu) * 1000 / REQUESTS
        for _ in range(REQUESTS // 2):
            response = await client.get(f"/tab/area/{area_id}", params={"s": link}, headers=gz)
            await response.read()
        portfolio, area = list(timings["portfolio"]), list(timings["area"])
        page = await client.get("/tab/portfolio", params={"s": link}, headers=gz, auto_decompress=False)
        packed = await page.read()
        html = (await client.get("/tab/portfolio", params={"s": link})).text
        html = await html() if callable(html) else html
        rows = len(re.findall(r'<th scope="row">', html))
        assets_raw = assets_sent = 0
        for src in re.findall(r'(?:src|href)="(/tab/static/[^"]+)"', html):
            raw = await (await client.get(src)).read()
            sent = await (await client.get(src, headers=gz, auto_decompress=False)).read()
            assets_raw += len(raw)
            assets_sent += len(sent)
    finally:
        await client.close()
    raw_kb = round((len(html.encode()) + assets_raw) / 1024, 1)
    sent_kb = round((len(packed) + assets_sent) / 1024, 1)
    return {
        "e_areas_shown": rows, "needs": 10_000, "requests": len(portfolio),
        "portfolio_p50_ms": round(statistics.median(portfolio), 1),
        "portfolio_p99_ms": round(_percentile(portfolio, 99), 1), "portfolio_cpu_ms": round(cpu_ms, 1),
        "area_p50_ms": round(statistics.median(area), 1), "area_p99_ms": round(_percentile(area, 99), 1),
        "page_kb_raw": raw_kb, "page_kb_sent_gzip": sent_kb,
        "html_kb": round(len(html.encode()) / 1024, 1), "assets_kb_raw": round(assets_raw / 1024, 1),
        "p99_under_target": _percentile(portfolio, 99) < TARGET_P99_MS,
        "weight_under_target": raw_kb < TARGET_WEIGHT_KB,
        "load_average": round(os.getloadavg()[0], 1), "cpus": os.cpu_count(),
    }


async def run() -> dict:
    from storage.migrate import upgrade

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/tab.db"
        upgrade(url)
        results["sqlite"] = await _measure(url)
    base = os.environ.get("STYRA_BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if base:  # PostgreSQL too, in a schema of its own
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from bench_decisions import _drop_schema, _schema_url

        schema, url = _schema_url(base)
        try:
            results["postgresql"] = await _measure(url)
        finally:
            _drop_schema(base, schema)
    return results


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run()), indent=2))
