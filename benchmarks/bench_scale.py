"""Data that grows: Styra at 1,000 and 10,000 stored needs (100,000 with BENCH_BIG=1), on SQLite
and on PostgreSQL (BENCH_DATABASE_URL, STYRA_BENCH_DATABASE_URL or TEST_DATABASE_URL), every
figure next to the stock echo bot measured in the same run under the same load.

    python benchmarks/bench_scale.py > benchmarks/results/scale.json
    python scripts/speed_table.py benchmarks/results/scale.json    # the README's table

Per size and backend: the database is seeded with bulk Core inserts; Styra starts on it (the
similar-need index builds in the background) and takes `hjälp` at an open-loop 50/s at once, while
the index builds; then the list turns (`mina behov`, `behov utbildning`) in a closed loop of 50
conversations and `mina behov` open-loop at 50, 100 and 200 turns/s; the resident memory after
them; and the similar-need lookup (index plus the database read of the hits) in this process.

    BENCH_LISTS_ONLY=1 BENCH_SIZES=100000 [BENCH_BASELINE_ROOT=../other-checkout] python benchmarks/bench_scale.py

only the list turns at 10/s, after the index is built; with BENCH_BASELINE_ROOT that checkout's
app takes the same turns on the same data, the two alternating, for a before/after in one run.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_similar import generated  # noqa: E402
from load import BotProcess, activity, drive, drive_open, rss_mb, start_connector  # noqa: E402

SIZES = tuple(int(n) for n in os.environ["BENCH_SIZES"].split(",")) if os.environ.get("BENCH_SIZES") else \
    (1_000, 10_000) + ((100_000,) if os.environ.get("BENCH_BIG") else ())
RATES = (50, 100, 200)
OPEN_SECONDS = float(os.environ.get("BENCH_OPEN_SECONDS", "4"))
USERS = 50  # conversations; bench users 0..49, coordinators of utbildning
TURNS = 4  # closed-loop turns per conversation and list
LOOKUPS = 300
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
STATUSES = ("registered", "registered", "under_assessment", "awaiting_decision", "within_plan", "done",
            "declined", "approved", "inventory", "registered")


BASELINE = Path(os.environ["BENCH_BASELINE_ROOT"]).resolve() if os.environ.get("BENCH_BASELINE_ROOT") else None
LIST_TURNS = (("my_needs", "mina behov"), ("area_needs", "behov utbildning"), ("to_assess", "att bedöma"),
              ("decisions", "beslut utbildning"), ("search", "sök bokning grupprum"))


def pg_url() -> str | None:
    for name in ("BENCH_DATABASE_URL", "STYRA_BENCH_DATABASE_URL", "TEST_DATABASE_URL"):
        if os.environ.get(name):
            return os.environ[name]
    return None


def _pg_schema(base: str) -> tuple[str, str]:
    """A fresh schema on the PostgreSQL server; (url using it, schema name)."""
    import sqlalchemy as sa

    from storage.db import make_engine, normalise_url

    schema = f"styra_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = sa.engine.make_url(normalise_url(base)).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


def _drop_schema(base: str, schema: str) -> None:
    import sqlalchemy as sa

    from storage.db import make_engine

    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def seed(url: str, size: int) -> dict:
    """`size` needs over the three demo e-areas, bench users raising and joining some of them."""
    from sqlalchemy import insert

    from storage import org
    from storage.db import Database
    from storage.demo import load_demo
    from storage.migrate import upgrade
    from storage.models import Need, NeedAffected, RoleAssignment

    started = time.perf_counter()
    upgrade(url)
    db = Database.from_url(url)
    db.call(load_demo)
    areas = db.call(lambda s: [a.id for a in org.e_areas(s)])
    db_area = db.call(lambda s: org.e_area_by_slug(s, "utbildning").id)
    rng = random.Random(size)
    batch = 5_000
    for start in range(0, size, batch):
        rows = []
        for i in range(start, min(size, start + batch)):
            title, description = generated(rng)
            rows.append(dict(number=f"B-{2020 + i // 20_000}-{i % 20_000 + 1:05d}", e_area_id=areas[i % 3],
                             title=title, description=description, source="staff",
                             raised_by=f"aad-bench-user-{i % 100}", raised_by_name="Bench", on_behalf_of="",
                             benefit="", status=STATUSES[i % len(STATUSES)],
                             created_at=NOW - timedelta(minutes=size - i), updated_at=NOW))
        db.call(lambda s, rows=rows: s.execute(insert(Need.__table__), rows))
    db.call(lambda s: s.execute(insert(NeedAffected.__table__), [
        dict(need_id=i, aad_id=f"aad-bench-user-{i % USERS}", name="Bench", added_at=NOW)
        for i in range(7, size, 37)]))
    db.call(lambda s: s.execute(insert(RoleAssignment.__table__), [
        dict(scope="utbildning", e_area_id=db_area, aad_id=f"aad-bench-user-{u}", role="coordinator",
             granted_by="bench", granted_at=NOW) for u in range(USERS)]))
    if db.engine.dialect.name == "postgresql":
        # What autovacuum does within a minute of such an insert: without statistics the planner
        # guesses a third of the table for `id > n` and scans all 100,000 rows for a few new ones.
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    db.dispose()
    return {"seed_s": round(time.perf_counter() - started, 1), "area_id": db_area}


def similar_lookups(url: str, area_id: int) -> dict:
    """The form's similar-need lookup, index and database read of the hits, in this process."""
    from bot import similar_build
    from bot.similar import SimilarIndex
    from storage.db import Database

    db = Database.from_url(url)
    index = SimilarIndex(max_needs=int(os.environ.get("STYRA_SIMILAR_MAX_NEEDS", "20000")))
    started = time.perf_counter()
    build = similar_build.start_build(index, db.engine)
    build.done.wait()
    build_s = time.perf_counter() - started
    rng = random.Random(99)
    timings, found = [], 0
    cpu_started = time.thread_time()
    for _ in range(LOOKUPS):
        title, description = generated(rng)
        started = time.perf_counter()
        hits = db.call(lambda s, t=title, d=description: index.search(s, area_id, t, d))
        timings.append((time.perf_counter() - started) * 1000)
        found += bool(hits)
    cpu_ms = (time.thread_time() - cpu_started) * 1000 / LOOKUPS
    db.dispose()
    ordered = sorted(timings)
    return {"index_build_s": round(build_s, 2), "indexed_needs": index.size(), "lookup_p50_ms": round(ordered[len(ordered) // 2], 2),
            "lookup_p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 2), "lookup_cpu_ms": round(cpu_ms, 2),
            "lookups_with_hits": found}


async def _index_ready(url: str) -> bool:
    import aiohttp

    async with aiohttp.ClientSession() as session, session.get(url.replace("/api/messages", "/healthz")) as resp:
        return (await resp.json()).get("similar_index") == "ready"


async def _ready_index(url: str, timeout: float = 600) -> float:
    """Seconds until the bot's /healthz says the similar-need index is built."""
    import aiohttp

    started = time.perf_counter()
    health = url.replace("/api/messages", "/healthz")
    async with aiohttp.ClientSession() as session:
        while time.perf_counter() - started < timeout:
            async with session.get(health) as resp:
                if (await resp.json()).get("similar_index") == "ready":
                    return time.perf_counter() - started
            await asyncio.sleep(0.1)
    return -1.0


async def one_size(connector, echo: BotProcess, url: str, size: int) -> dict:
    seeded = await asyncio.to_thread(seed, url, size)
    say = lambda text: lambda c, s: activity(connector.url, c, s, text)  # noqa: E731
    out: dict = {"needs": size, **seeded}
    started = time.perf_counter()
    bot = BotProcess([sys.executable, "app.py"], {
        "STYRA_ENV": "development", "DATABASE_URL": url, "STYRA_DEMO": "1", "STYRA_SCHEDULER": "0",
        "MicrosoftAppId": ""})
    try:
        await bot.wait_ready(120)
        out["start_s"] = round(time.perf_counter() - started, 2)
        # Turns while the similar-need index builds in the background, then after: both second
        # contacts (each conversation warmed once), at 10/s, which this machine carries unqueued.
        await drive_open(bot.url, say("hjälp"), 50, 2, bot.proc.pid, 2 * USERS)
        await asyncio.sleep(1.1)  # the warm-up's queued replies out of Teams' app-wide 1 s window
        out["index_building_at_start_of_turns"] = not await _index_ready(bot.url)
        out["help_while_index_builds"] = await drive_open(bot.url, say("hjälp"), 10, 3, bot.proc.pid, USERS)
        out["index_building_after_those_turns"] = not await _index_ready(bot.url)
        waited = time.perf_counter()
        await _ready_index(bot.url)
        out["index_ready_s"] = round(time.perf_counter() - started, 2)
        out["waited_for_index_s"] = round(time.perf_counter() - waited, 2)
        later = lambda c, s: activity(connector.url, c + USERS, s, "hjälp")  # noqa: E731
        out["help_after"] = await drive_open(bot.url, later, 10, 3, bot.proc.pid, USERS)
        for name, text in (("my_needs", "mina behov"), ("area_needs", "behov utbildning")):
            await drive(echo.url, say("Hej"), USERS, 1, echo.proc.pid)
            out[f"{name}_echo"] = await drive(echo.url, say("Hej"), USERS, TURNS, echo.proc.pid)
            out[name] = await drive(bot.url, say(text), USERS, TURNS, bot.proc.pid)
        # a light load (10/s): the list turn itself, with little queueing
        for name, text in (("my_needs", "mina behov"), ("area_needs", "behov utbildning")):
            # The closed loops filled each conversation's 8-sends-in-2-s window: the pacer would
            # hold the first replies here, which is Teams' limit, not the list turn.
            await asyncio.sleep(2.1)
            out[f"{name}_at_10"] = {"styra": await drive_open(bot.url, say(text), 10, 3, bot.proc.pid, USERS),
                                    "echo": await drive_open(echo.url, say("Hej"), 10, 3, echo.proc.pid, USERS)}
        out["open_loop"] = {}
        for rate in RATES:
            out["open_loop"][str(rate)] = {
                "echo": await drive_open(echo.url, say("Hej"), rate, OPEN_SECONDS, echo.proc.pid, USERS),
                "my_needs": await drive_open(bot.url, say("mina behov"), rate, OPEN_SECONDS, bot.proc.pid, USERS)}
        out["rss_mb"] = rss_mb(bot.proc.pid)
        out["echo_rss_mb"] = rss_mb(echo.proc.pid)
    finally:
        bot.stop()
    out["similar"] = await asyncio.to_thread(similar_lookups, url, seeded["area_id"])
    return out


async def lists_only(connector, echo: BotProcess, url: str, size: int) -> dict:
    """The list turns at 10/s on one seeded database, this checkout's app and the baseline's in turn."""
    seeded = await asyncio.to_thread(seed, url, size)
    say = lambda text: lambda c, s: activity(connector.url, c, s, text)  # noqa: E731
    roots = {"baseline": BASELINE, "styra": ROOT} if BASELINE else {"styra": ROOT}
    seconds = float(os.environ.get("BENCH_LIST_SECONDS", "5"))
    out: dict = {"needs": size, **seeded, "rounds": []}
    for _round in range(int(os.environ.get("BENCH_ROUNDS", "2"))):
        row: dict = {"load_average": [round(x, 2) for x in os.getloadavg()]}
        for name, root in roots.items():
            bot = BotProcess([sys.executable, "app.py"], {
                "STYRA_ENV": "development", "DATABASE_URL": url, "STYRA_DEMO": "1", "STYRA_SCHEDULER": "0",
                "MicrosoftAppId": ""}, cwd=root)
            try:
                await bot.wait_ready(120)
                await _ready_index(bot.url)
                for _label, text in LIST_TURNS:  # every conversation warmed on every list
                    await drive_open(bot.url, say(text), 25, 2, bot.proc.pid, USERS)
                row[name] = {}
                for label, text in LIST_TURNS:
                    row[name][label] = await drive_open(bot.url, say(text), 10, seconds, bot.proc.pid, USERS)
            finally:
                bot.stop()
        row["echo"] = await drive_open(echo.url, say("Hej"), 10, seconds, echo.proc.pid, USERS)
        out["rounds"].append(row)
    return out


async def run() -> dict:
    """What benchmarks/run.py calls."""
    connector = await start_connector()
    echo = BotProcess([sys.executable, "benchmarks/echo_bot.py"], {})
    report: dict = {"load_average_at_start": [round(x, 1) for x in os.getloadavg()], "cores": os.cpu_count(),
                    "sqlite": {}, "postgres": {}}
    base = pg_url()
    try:
        await echo.wait_ready()
        with tempfile.TemporaryDirectory() as tmp:
            measure = lists_only if os.environ.get("BENCH_LISTS_ONLY") else one_size
            for size in SIZES:
                if not os.environ.get("BENCH_SKIP_SQLITE"):
                    report["sqlite"][str(size)] = await measure(connector, echo, f"sqlite:///{tmp}/scale-{size}.db", size)
                if base:
                    url, schema = await asyncio.to_thread(_pg_schema, base)
                    try:
                        report["postgres"][str(size)] = await measure(connector, echo, url, size)
                    finally:
                        await asyncio.to_thread(_drop_schema, base, schema)
    finally:
        echo.stop()
        await connector.close()
    report["load_average_at_end"] = [round(x, 1) for x in os.getloadavg()]
    report["targets"] = {"similar_lookup_p99_ms": 20, "list_turn_p50_ms": 10, "rss_mb": 300}
    return report


def main() -> None:
    import logging
    import warnings

    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)
    print(json.dumps(asyncio.run(run()), indent=2))


if __name__ == "__main__":
    main()
