"""Similar-need matching: recall and false offers on the labelled sample, lookup time at 10,000 needs.

    python benchmarks/bench_similar.py [sample.tsv]     # prints JSON

Quality: for each labelled pair the first need is registered in an e-area of its own and the second
is checked as it would be on the form; "offered" means the first need is among the needs shown.
Measured twice: alone, and crowded (every first need in one e-area among 10,000 generated needs,
offered only if among the 3 shown). Speed: lookups of generated needs in an e-area holding 10,000
needs, through the same in-memory index the form uses (the database read of the hits is not
included; benchmarks/bench_needs.py times the whole submit turn).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SAMPLE = Path(os.environ.get("STYRA_SIMILAR_SAMPLE", ROOT / "tests" / "rules" / "data" / "similar_needs_sample.tsv"))
STORED = 10_000
LOOKUPS = 500
SHOWN = 3

ACTIONS = ("Bokning av", "Hantering av", "Digital", "Gemensam", "Automatisk", "Uppföljning av", "Registrering av",
           "Lagring av", "Utskick av", "Signering av", "Rapportering av", "Ny", "Bättre", "Arkivering av",
           "Översikt över", "Ansökan om", "Samlad", "Mobil", "Säker", "Enklare")
OBJECTS = ("grupprum", "tentamen", "kursvärderingar", "forskningsdata", "fakturor", "avtal", "reseräkningar",
           "lokaler", "examensbevis", "personalakter", "enkäter", "publikationer", "schemat", "betyg", "lön",
           "kursplaner", "ansökningar", "närvaro", "utrustning", "labbsalar", "nyhetsbrev", "inloggning",
           "lösenord", "kurser", "handlingar", "ärenden", "budget", "arbetstid", "licenser", "video")
AUDIENCES = ("för studenter", "för doktorander", "för lärare", "för personal", "i lärplattformen", "på webben",
             "för institutionerna", "med e-legitimation", "för fristående kurser", "i ekonomisystemet",
             "för alumner", "i biblioteket", "för forskare", "på campus", "i appen", "")
FILLER = ("Behovet gäller", "Idag görs detta", "Flera enheter vill ha", "Det tar lång tid med", "Vi saknar stöd för")


def generated(rng: random.Random) -> tuple[str, str]:
    title = f"{rng.choice(ACTIONS)} {rng.choice(OBJECTS)} {rng.choice(AUDIENCES)}".strip()
    description = f"{rng.choice(FILLER)} {rng.choice(OBJECTS)} {rng.choice(AUDIENCES)} och {rng.choice(OBJECTS)}."
    return title, description


def read_sample(path: Path) -> list[tuple[str, str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, first, second = line.split("\t")[:3]
            rows.append((label.strip(), first.strip(), second.strip()))
    return rows


def rates(offered: list[tuple[str, bool]]) -> dict:
    same = [o for label, o in offered if label == "same"]
    differ = [o for label, o in offered if label == "differ"]
    return {"recall": round(sum(same) / len(same), 3) if same else None,
            "false_offer_rate": round(sum(differ) / len(differ), 3) if differ else None,
            "same_pairs": len(same), "differ_pairs": len(differ)}


def quality(rows, lexicon, crowd: list[tuple[str, str]]) -> dict:
    from bot.rules.similarity import Analyser
    from bot.similar import AreaIndex

    alone = []
    for number, (label, first, second) in enumerate(rows, 1):
        index = AreaIndex(Analyser(lexicon))
        index.put(number, first)
        alone.append((label, any(need_id == number for need_id, _ in index.similar(second)[:SHOWN])))
    crowded_index = AreaIndex(Analyser(lexicon))
    crowded_index.put_many([(100_000 + i, t, d) for i, (t, d) in enumerate(crowd)])
    firsts: dict[str, int] = {}
    for _label, first, _second in rows:
        if first not in firsts:
            firsts[first] = len(firsts) + 1
            crowded_index.put(firsts[first], first)
    crowded = [(label, any(need_id == firsts[first] for need_id, _ in crowded_index.similar(second)[:SHOWN]))
               for label, first, second in rows]
    return {"alone": rates(alone), "crowded_10000": rates(crowded)}


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def speed(lexicon, crowd: list[tuple[str, str]], rng: random.Random) -> dict:
    from bot.rules.similarity import Analyser
    from bot.similar import AreaIndex

    index = AreaIndex(Analyser(lexicon))
    started = time.perf_counter()
    index.put_many([(i, t, d) for i, (t, d) in enumerate(crowd, 1)])
    build_ms = (time.perf_counter() - started) * 1000
    queries = [generated(rng) for _ in range(LOOKUPS)]
    for title, description in queries[:20]:  # warm-up
        index.similar(title, description)
    timings, cpu, hits = [], [], 0
    for title, description in queries:
        started, started_cpu = time.perf_counter(), time.thread_time()
        found = index.similar(title, description)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        hits += bool(found)
    started = time.perf_counter()
    index.put(STORED + 1, *generated(rng))
    put_ms = (time.perf_counter() - started) * 1000
    return {"stored_needs": STORED, "lookups": LOOKUPS, "index_build_ms": round(build_ms, 1),
            "register_one_ms": round(put_ms, 2), "lookup_p50_ms": round(_percentile(timings, 50), 2),
            "lookup_p99_ms": round(_percentile(timings, 99), 2), "lookup_max_ms": round(max(timings), 2),
            # CPU time of the lookup thread alone: what the lookup costs when the machine is busy
            "lookup_cpu_p50_ms": round(_percentile(cpu, 50), 2), "lookup_cpu_p99_ms": round(_percentile(cpu, 99), 2),
            "lookups_with_offers": hits, "target_p99_ms": 20}


def measure(sample: Path = SAMPLE) -> dict:
    from bot.similar import load_lexicon

    lexicon = load_lexicon()
    rng = random.Random(13)
    crowd = [generated(rng) for _ in range(STORED)]
    rows = read_sample(sample)
    return {"sample": str(sample.name), "pairs": len(rows), **quality(rows, lexicon, crowd),
            "lookup": speed(lexicon, crowd, rng), "targets": {"recall": 0.9, "false_offer_rate": 0.1}}


async def run() -> dict:
    """What benchmarks/run.py calls."""
    return await asyncio.to_thread(measure)


def main() -> None:
    sample = Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLE
    print(json.dumps(measure(sample), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
