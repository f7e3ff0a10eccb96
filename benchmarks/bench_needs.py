"""Needs benchmarks: similar-need lookup over 10,000 stored needs, and the need-form submit turn.

    python benchmarks/bench_needs.py [n]     # prints JSON

`run(n)` is what benchmarks/run.py calls: n need-form submit turns through the real HTTP app in its
own process (door, adapter, handler, validation, similarity check, database write, the reply, and
the coordinator notice to a fake connector), measured against the stock echo bot under the same
closed-loop load in the same run; and the similar-need lookup on an e-area holding 10,000 needs.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

STORED = 10_000
LOOKUPS = 300

WORDS_A = ("Samlad", "Digital", "Gemensam", "Automatisk", "Förbättrad", "Säker", "Enklare", "Central", "Ny", "Mobil")
WORDS_B = ("kursanmälan", "tentamen", "schemaläggning", "lagring", "fakturering", "rekrytering", "bokning",
           "arkivering", "inloggning", "rapportering", "ansökan", "uppföljning", "betygsrapportering", "kursvärdering")
WORDS_C = ("för studenter", "av forskningsdata", "för lärare", "i lärplattformen", "för doktorander", "av lokaler",
           "för institutionerna", "med e-legitimation", "för fristående kurser", "i ekonomisystemet", "av avtal")


def _title(rng: random.Random) -> str:
    return f"{rng.choice(WORDS_A)} {rng.choice(WORDS_B)} {rng.choice(WORDS_C)} {rng.randint(1, 999)}"


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def bench_similarity(db_url: str) -> dict:
    from sqlalchemy import insert

    from bot.similar import SimilarIndex
    from storage import org
    from storage.db import Database
    from storage.demo import load_demo
    from storage.models import Need

    db = Database.from_url(db_url)
    db.call(load_demo)
    area_id = db.call(lambda s: org.e_area_by_slug(s, "utbildning").id)
    rng = random.Random(42)
    rows = [{"number": f"B-2025-{i:05d}", "e_area_id": area_id, "title": _title(rng),
             "description": "Behovet gäller " + _title(rng).lower() + " och berör flera enheter.",
             "source": "staff", "raised_by": "bench", "raised_by_name": "Bench", "on_behalf_of": "",
             "benefit": "", "status": "registered"} for i in range(STORED)]
    db.call(lambda s: s.execute(insert(Need.__table__), rows))
    index = SimilarIndex()
    started = time.perf_counter()
    db.call(lambda s: index.refresh(s, area_id))
    build_ms = (time.perf_counter() - started) * 1000
    queries = [(_title(rng), "Vi behöver detta för " + _title(rng).lower()) for _ in range(LOOKUPS)]
    timings, found = [], 0
    for title, description in queries:
        started = time.perf_counter()
        hits = db.call(lambda s, t=title, d=description: index.search(s, area_id, t, d))
        timings.append((time.perf_counter() - started) * 1000)
        found += bool(hits)
    db.dispose()
    return {"stored_needs": STORED, "lookups": LOOKUPS, "index_build_ms": round(build_ms, 1),
            "similar_p50_ms": round(_percentile(timings, 50), 2), "similar_p99_ms": round(_percentile(timings, 99), 2),
            "similar_max_ms": round(max(timings), 2), "lookups_with_hits": found, "target_p99_ms": 20}


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("bdfgklmnprstv") + rng.choice("aeiouyåäö") for _ in range(4))


def _pg_database(url: str, name: str) -> str:
    """A fresh PostgreSQL database `name` next to the one in `url` (dropped first if it exists)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from storage.db import normalise_url

    base = make_url(normalise_url(url))
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _variant_url(db_url: str, name: str) -> str:
    """Each Styra variant gets its own empty database: a file next to db_url, or a PostgreSQL database."""
    if db_url.startswith("sqlite"):
        return db_url.replace(".db", f"-{name}.db")
    from sqlalchemy.engine import make_url

    return _pg_database(db_url, f"{make_url(db_url).database}_{name}")


async def bench_submit(db_url: str, conversations: int, turns: int, *, unpaced: bool = False,
                       baseline: str | None = None, notices_off: bool = True, rounds: int = 1) -> dict:
    """The stock echo bot and Styra's need-form submit, in separate processes, same load, same run.

    unpaced: Styra without Teams' app-wide 50/s (benchmarks/styra_unpaced.py), the engine next to
    the echo bot (which paces nothing). baseline: another checkout of Styra (a worktree of main)
    measured in the same run, so a change is compared before/after under the same load. rounds:
    the bots are driven that many times, the order rotated each round."""
    from load import BotProcess, activity, drive, start_connector

    from storage.migrate import upgrade

    connector = await start_connector()
    rng = random.Random(7)
    styra_env = {"STYRA_ENV": "development", "STYRA_DEMO": "1", "STYRA_SCHEDULER": "0", "MicrosoftAppId": "",
                 "STYRA_NOTIFY_COORDINATORS_IN": "personal", "STYRA_NEED_NOTICES": "each"}
    entry = "benchmarks/styra_unpaced.py" if unpaced else "app.py"
    trees = {"submit": ROOT}
    if baseline:
        trees = {"submit_baseline": Path(baseline), **trees}
    bots = {"echo": BotProcess([sys.executable, "benchmarks/echo_bot.py"], {})}
    urls = {}
    for name, tree in trees.items():
        urls[name] = _variant_url(db_url, name)
        upgrade(urls[name])
        bots[name] = BotProcess([sys.executable, entry], {**styra_env, "DATABASE_URL": urls[name]}, cwd=tree)
    if notices_off:
        # The same turn without the coordinator notice (a second outbound message per need):
        # the validation, similarity check and database write of the target, alone.
        urls["submit_without_notice"] = _variant_url(db_url, "quiet")
        upgrade(urls["submit_without_notice"])
        argv = [sys.executable, "benchmarks/bench_needs.py", "--serve-without-notices"] + (["--unpaced"] if unpaced else [])
        bots["submit_without_notice"] = BotProcess(argv, {**styra_env, "DATABASE_URL": urls["submit_without_notice"]})

    def submit(conv: int, seq: int) -> dict:
        value = {"verb": "need.submit", "form_id": f"bench{conv:04d}{seq:04d}{rng.randrange(16**8):08x}",
                 "title": f"{rng.choice(WORDS_A)} {_word(rng)} {_word(rng)}",
                 "description": f"{_word(rng)} {_word(rng)} {_word(rng)}.", "e_area": rng.choice(("utbildning", "forskning", "ekonomi")),
                 "source": "staff", "on_behalf_of": "", "benefit": "", "hours": "40", "cost": "10 000",
                 "wished_date": "", "goals": ""}
        return activity(connector.url, conv, seq, value=value)

    runs: dict[str, list[dict]] = {name: [] for name in bots}
    loads = []
    try:
        for bot in bots.values():
            await bot.wait_ready()
        for name, bot in bots.items():  # warm-up: first contact (welcome card), caches
            text = "Hej" if name == "echo" else "hjälp"
            await drive(bot.url, lambda c, s, text=text: activity(connector.url, c, s, text), conversations, 1, bot.proc.pid)
        order = list(bots)
        for round_no in range(rounds):
            loads.append(os.getloadavg()[0])
            for name in order[round_no % len(order):] + order[: round_no % len(order)]:
                bot = bots[name]
                make = (lambda c, s: activity(connector.url, c, s, "Hej")) if name == "echo" else submit
                runs[name].append(await drive(bot.url, make, conversations, turns, bot.proc.pid))
    finally:
        for bot in bots.values():
            bot.stop()
        await connector.close()
    from sqlalchemy import func, select

    from storage.db import Database
    from storage.models import Need

    saved = {}
    for name, url in urls.items():
        db = Database.from_url(url)
        saved[name] = db.call(lambda s: s.execute(select(func.count()).select_from(Need)).scalar())
        db.dispose()
    out: dict = {"backend": "postgresql" if not db_url.startswith("sqlite") else "sqlite", "unpaced": unpaced,
                 "rounds": rounds, "load_1min": [round(x, 2) for x in loads], "needs_saved": saved}
    for name, results in runs.items():
        out[name] = results[0] if rounds == 1 else {"runs": results}
    echo = runs["echo"]
    for name in bots:
        if name == "echo":
            continue
        ratios = [round(r["throughput_per_s"] / e["throughput_per_s"], 2) for r, e in zip(runs[name], echo, strict=True)]
        cpu = [round(e["cpu_ms_per_turn"] / r["cpu_ms_per_turn"], 2) for r, e in zip(runs[name], echo, strict=True)]
        out[f"{name}_vs_echo_throughput"] = ratios if rounds > 1 else ratios[0]
        out[f"{name}_vs_echo_cpu"] = cpu if rounds > 1 else cpu[0]
    return out


def _summary(report: dict) -> str:
    """One line per bot: CPU per turn and throughput, next to echo's."""
    lines = [f"backend={report['backend']} unpaced={report['unpaced']} load={report['load_1min']}"]
    for name, value in report.items():
        if not isinstance(value, dict) or name == "needs_saved":
            continue
        for i, r in enumerate(value.get("runs", [value])):
            lines.append(f"  {name:24s} run {i + 1}: cpu {r['cpu_ms_per_turn']:6.2f} ms/turn  "
                         f"{r['throughput_per_s']:6.1f} turns/s  p50 {r['p50_ms']:7.1f}  p99 {r['p99_ms']:7.1f} ms"
                         f"  errors {r['errors']}")
    return "\n".join(lines)


async def run(n: int = 500) -> dict:
    """n submit turns in all (spread over CONVERSATIONS concurrent conversations) and the lookup benchmark."""
    from storage.migrate import upgrade

    conversations = int(os.environ.get("BENCH_CONVERSATIONS", "50"))
    turns = max(1, n // conversations)
    with tempfile.TemporaryDirectory() as tmp:
        similar_url = f"sqlite:///{tmp}/similar.db"
        submit_url = f"sqlite:///{tmp}/submit.db"
        upgrade(similar_url)
        upgrade(submit_url)
        similar = await asyncio.to_thread(bench_similarity, similar_url)
        submit = await bench_submit(submit_url, conversations, turns)
    return {"similar_lookup": similar, "submit_turn": submit}


def serve_without_notices(unpaced: bool = False) -> None:
    """Run Styra with the coordinator notice switched off (benchmark variant only)."""
    if unpaced:
        from bot.teams import pacing

        pacing.Pacer.__init__.__kwdefaults__["global_limits"] = ((1_000_000, 1.0),)
    import app
    from dialogs.needs import notice

    notice.enqueue = lambda session, **kwargs: 0
    app.main()


def main() -> None:
    import logging

    if sys.argv[1:2] == ["--serve-without-notices"]:
        serve_without_notices("--unpaced" in sys.argv)
        return
    logging.disable(logging.WARNING)
    if sys.argv[1:2] == ["submit"]:
        submit_main(sys.argv[2:])
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    print(json.dumps(asyncio.run(run(n)), indent=2))


def submit_main(argv: list[str]) -> None:
    """`bench_needs.py submit [--unpaced] [--pg URL] [--baseline DIR] [--rounds N] [--turns N] [--with-quiet]`:
    the submit turn alone, next to echo (and a baseline checkout) in the same run."""
    import argparse

    parser = argparse.ArgumentParser(prog="bench_needs.py submit")
    parser.add_argument("--unpaced", action="store_true", help="lift Teams' app-wide 50/s (styra_unpaced.py)")
    parser.add_argument("--pg", help="PostgreSQL URL; its database name is the prefix of the ones created")
    parser.add_argument("--baseline", help="another checkout of Styra measured in the same run")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--turns", type=int, default=10, help="turns per conversation per round")
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--with-quiet", action="store_true", help="also the submit without the coordinator notice")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.pg or f"sqlite:///{tmp}/submit.db"
        report = asyncio.run(bench_submit(url, args.conversations, args.turns, unpaced=args.unpaced,
                                          baseline=args.baseline and str(Path(args.baseline).resolve()), notices_off=args.with_quiet, rounds=args.rounds))
    print(json.dumps(report, indent=2))
    print(_summary(report), file=sys.stderr)


if __name__ == "__main__":
    main()
