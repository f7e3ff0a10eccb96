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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
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


async def bench_submit(db_url: str, conversations: int, turns: int) -> dict:
    """The stock echo bot and Styra's need-form submit, in separate processes, same load, same run."""
    from load import BotProcess, activity, drive, start_connector

    connector = await start_connector()
    rng = random.Random(7)
    styra_env = {"STYRA_ENV": "development", "STYRA_DEMO": "1", "STYRA_SCHEDULER": "0", "MicrosoftAppId": "",
                 "STYRA_NOTIFY_COORDINATORS_IN": "personal", "STYRA_NEED_NOTICES": "each"}
    quiet_url = db_url.replace(".db", "-quiet.db")
    from storage.migrate import upgrade

    upgrade(quiet_url)
    bots = {
        "echo": BotProcess([sys.executable, "benchmarks/echo_bot.py"], {}),
        "submit": BotProcess([sys.executable, "app.py"], {**styra_env, "DATABASE_URL": db_url}),
        # The same turn without the coordinator notice (a second outbound message per need):
        # the validation, similarity check and database write of the target, alone.
        "submit_without_notice": BotProcess([sys.executable, "benchmarks/bench_needs.py", "--serve-without-notices"],
                                            {**styra_env, "DATABASE_URL": quiet_url}),
    }

    def submit(conv: int, seq: int) -> dict:
        value = {"verb": "need.submit", "form_id": f"bench{conv:04d}{seq:04d}{rng.randrange(16**8):08x}",
                 "title": f"{rng.choice(WORDS_A)} {_word(rng)} {_word(rng)}",
                 "description": f"{_word(rng)} {_word(rng)} {_word(rng)}.", "e_area": rng.choice(("utbildning", "forskning", "ekonomi")),
                 "source": "staff", "on_behalf_of": "", "benefit": "", "hours": "40", "cost": "10 000",
                 "wished_date": "", "goals": ""}
        return activity(connector.url, conv, seq, value=value)

    results = {}
    try:
        for bot in bots.values():
            await bot.wait_ready()
        for name, bot in bots.items():
            text = "Hej" if name == "echo" else "hjälp"
            await drive(bot.url, lambda c, s, text=text: activity(connector.url, c, s, text), conversations, 1, bot.proc.pid)
            make = (lambda c, s: activity(connector.url, c, s, "Hej")) if name == "echo" else submit
            results[name] = await drive(bot.url, make, conversations, turns, bot.proc.pid)
    finally:
        for bot in bots.values():
            bot.stop()
        await connector.close()
    from sqlalchemy import func, select

    from storage.db import Database
    from storage.models import Need

    db = Database.from_url(db_url)
    saved = db.call(lambda s: s.execute(select(func.count()).select_from(Need)).scalar())
    db.dispose()
    echo, submitted, quiet = results["echo"], results["submit"], results["submit_without_notice"]
    return {"echo": echo, "submit": submitted, "submit_without_notice": quiet, "needs_saved": saved,
            "submit_vs_echo_throughput": round(submitted["throughput_per_s"] / echo["throughput_per_s"], 2),
            "submit_without_notice_vs_echo_throughput": round(quiet["throughput_per_s"] / echo["throughput_per_s"], 2),
            "submit_beats_echo": submitted["throughput_per_s"] >= echo["throughput_per_s"]}


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


def serve_without_notices() -> None:
    """Run Styra with the coordinator notice switched off (benchmark variant only)."""
    import app
    from dialogs.needs import notice

    notice.enqueue = lambda session, **kwargs: 0
    app.main()


def main() -> None:
    import logging

    if sys.argv[1:2] == ["--serve-without-notices"]:
        serve_without_notices()
        return
    logging.disable(logging.WARNING)
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    print(json.dumps(asyncio.run(run(n)), indent=2))


if __name__ == "__main__":
    main()
