"""`make bench`: Styra's speed targets, measured and printed as JSON.

Baseline and Styra run in separate processes, in the same run, under the same load:
- echo: the stock botbuilder echo bot (benchmarks/echo_bot.py);
- help: Styra's help turn (text "hjälp" in a 1:1 chat; answer is the help card).
Feature benchmarks (needs, decisions, fan-out, the outbox's drain, data sizes) add their sections when
present. BENCH_OUT=<file> also writes the report there (scripts/speed_table.py reads it);
BENCH_ONLY=turns,needs runs only those sections; BENCH_ROUNDS (3) sets the turn rounds.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from load import BotProcess, activity, drive, start_connector  # noqa: E402

CONVERSATIONS = int(os.environ.get("BENCH_CONVERSATIONS", "50"))
TURNS = int(os.environ.get("BENCH_TURNS", "10"))
FEATURES = ("bench_needs", "bench_similar", "bench_decisions", "bench_fanout", "bench_reports", "bench_tab",
            "bench_outbox", "bench_scale")


ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


async def turn_benchmarks() -> dict:
    """`hjälp` against the echo bot: ROUNDS rounds, each bot driven in turn within a round, so
    every ratio compares runs made a few seconds apart under the same load."""
    connector = await start_connector()
    results: dict = {"conversations": CONVERSATIONS, "turns_per_conversation": TURNS,
                     "cores": os.cpu_count(), "load_average_at_start": [round(x, 1) for x in os.getloadavg()],
                     "rounds": []}
    with tempfile.TemporaryDirectory() as tmp:
        bots = {
            "echo": BotProcess([sys.executable, "benchmarks/echo_bot.py"], {}),
            "help": BotProcess([sys.executable, "app.py"], {
                "STYRA_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
                "STYRA_DEMO": "1", "STYRA_SCHEDULER": "0", "MicrosoftAppId": ""}),
            # the same without Teams' app-wide 50/s: the engine, not the limit (the echo bot paces nothing)
            "help_unpaced": BotProcess([sys.executable, "benchmarks/styra_unpaced.py"], {
                "STYRA_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp}/bench2.db",
                "STYRA_DEMO": "1", "STYRA_SCHEDULER": "0", "MicrosoftAppId": ""}),
        }
        from storage.migrate import upgrade

        upgrade(f"sqlite:///{tmp}/bench.db")
        upgrade(f"sqlite:///{tmp}/bench2.db")
        try:
            for bot in bots.values():
                await bot.wait_ready()
            for name, bot in bots.items():  # warm-up: first contact (welcome card) and caches
                text = "Hej" if name == "echo" else "hjälp"
                await drive(bot.url, lambda c, s, text=text: activity(connector.url, c, s, text), CONVERSATIONS, 1,
                            bot.proc.pid)
            for _ in range(ROUNDS):
                one = {}
                for name, bot in bots.items():
                    text = "Hej" if name == "echo" else "hjälp"
                    one[name] = await drive(bot.url, lambda c, s, text=text: activity(connector.url, c, s, text),
                                            CONVERSATIONS, TURNS, bot.proc.pid)
                echo, helped, unpaced = one["echo"], one["help"], one["help_unpaced"]
                # paced to Teams' 50 sends/s, `help` cannot pass 50 turns/s; the unpaced run and CPU
                # per turn compare the engines
                one["help_vs_echo_throughput"] = round(helped["throughput_per_s"] / echo["throughput_per_s"], 2)
                one["help_unpaced_vs_echo_throughput"] = round(unpaced["throughput_per_s"] / echo["throughput_per_s"], 2)
                one["echo_vs_help_cpu_per_turn"] = round(echo["cpu_ms_per_turn"] / unpaced["cpu_ms_per_turn"], 2)
                results["rounds"].append(one)
        finally:
            for bot in bots.values():
                bot.stop()
            await connector.close()
    results["load_average_at_end"] = [round(x, 1) for x in os.getloadavg()]
    rounds = results["rounds"]
    results["help_beats_echo"] = all(r["help_unpaced"]["throughput_per_s"] >= r["echo"]["throughput_per_s"]
                                     for r in rounds)
    return results


def _save(report: dict) -> None:
    if os.environ.get("BENCH_OUT"):  # scripts/speed_table.py renders the README's table from it
        Path(os.environ["BENCH_OUT"]).write_text(json.dumps(report, indent=2))


async def main() -> None:
    warnings.simplefilter("ignore")
    only = {part for part in os.environ.get("BENCH_ONLY", "").split(",") if part}  # e.g. turns,needs
    report = {"turns": await turn_benchmarks()} if not only or "turns" in only else {}
    for name in FEATURES:
        path = ROOT / "benchmarks" / f"{name}.py"
        if not path.exists() or (only and name.removeprefix("bench_") not in only):
            continue
        module = importlib.import_module(name)
        try:
            report[name.removeprefix("bench_")] = await module.run()
        except Exception as exc:  # one failing benchmark must not hide the others
            report[name.removeprefix("bench_")] = {"error": repr(exc)}
    print(json.dumps(report, indent=2))
    _save(report)


if __name__ == "__main__":
    asyncio.run(main())
