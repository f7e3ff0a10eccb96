"""Status-report benchmarks: opening a prefilled draft and submitting it, and the portfolio roll-up.

    python benchmarks/bench_reports.py      # prints JSON

Turns: Styra runs as `app.py` in its own process against a fake Teams, beside the stock echo bot
under the same closed-loop load in the same run. Every e-area has a plan of 15 goals and a year
of history (four submitted quarterly reports, a hundred needs spread over the year, assessments
and decisions); each conversation is the coordinator of its own e-areas. "open" is the text turn
`statusrapport <e-area>` (the first one makes the draft, prefilled from the previous report and
Styra's own data); "submit" is the Action.Execute that saves the page, freezes the version and
queues the channel post, answered with the report card.

Roll-up: `portfölj` over 30 e-areas with a submitted 15-goal report each (the query and the card),
in process; target p99 < 200 ms.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

GOALS = 15
NEEDS_PER_AREA = 100
ROLLUP_AREAS = 30
ROLLUP_RUNS = 200
TARGET_ROLLUP_P99_MS = 200.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def _area_slug(n: int) -> str:
    return f"bench-{n:03d}"


def build_history(db_url: str, areas: int, now: datetime, coordinators: dict[int, str]) -> None:
    """`areas` e-areas with 15-goal plans for this year and last, four submitted reports (the year
    before the current quarter), and needs, assessments and decisions spread over that year."""
    from dataclasses import replace

    from sqlalchemy import insert
    from sqlmodel import select

    from bot.rules import reports as rules
    from bot.rules.report_content import DeviationEntry
    from bot.rules.reports import Colour, DeviationKind
    from storage import org
    from storage import reports as repo
    from storage.db import Database
    from storage.models import EArea, Need, NeedEvent, Person, Plan, PlanGoal, PlanStatus, Role

    db = Database.from_url(db_url)
    current = rules.current_period(now, "Europe/Stockholm")
    history, period = [], current
    for _ in range(4):
        period = period.previous()
        history.append(period)
    history.reverse()

    def setup(session) -> None:
        for aad in set(coordinators.values()):
            session.add(Person(aad_id=aad, name=f"Bench {aad[-3:]}", teams_id=f"29:{aad}"))
        for n in range(areas):
            area = EArea(slug=_area_slug(n), name=f"Bänkområde {n:03d}", name_en=f"Bench area {n:03d}")
            session.add(area)
            session.flush()
            org.grant(session, area, coordinators[n], Role.coordinator, "bench")
            for year in {p.year for p in history} | {current.year}:
                plan = Plan(e_area_id=area.id, year=year, status=PlanStatus.decided, title=f"Plan {year}",
                            frame_sek=3_000_000, frame_hours=5_000)
                session.add(plan)
                session.flush()
                session.add_all([PlanGoal(plan_id=plan.id, position=g, support_area="Stöd", title=f"Mål {g} för {year}",
                                          why="Därför", effect="Bättre", start=f"{year}-01", end=f"{year}-12")
                                 for g in range(1, GOALS + 1)])
            start = datetime.combine(history[0].start, datetime.min.time(), tzinfo=UTC)
            rows = [{"number": f"B-{n:03d}-{i:04d}", "e_area_id": area.id, "title": f"Behov {i} i område {n}",
                     "description": "Ett behov.", "source": "staff", "raised_by": coordinators[n],
                     "raised_by_name": "Bench", "on_behalf_of": "", "benefit": "", "status": "registered",
                     "created_at": start + timedelta(days=i * 3.6), "updated_at": start + timedelta(days=i * 3.6)}
                    for i in range(NEEDS_PER_AREA)]
            session.execute(insert(Need.__table__), rows)
        session.flush()
        for need_id, created in session.exec(select(Need.id, Need.created_at).where(Need.number.like("%0"))):
            session.add(NeedEvent(need_id=need_id, actor="bench", actor_name="Bench", kind="assessed",
                                  at=created + timedelta(days=2), detail='{"outcome": "within_plan"}'))

    db.call(setup)
    colours = (Colour.green, Colour.yellow, Colour.red)
    for n in range(areas):
        for k, period in enumerate(history):
            when = datetime.combine(period.end, datetime.min.time(), tzinfo=UTC) - timedelta(days=5)

            def write(session, n=n, k=k, period=period, when=when) -> None:
                area = org.e_area_by_slug(session, _area_slug(n))
                draft = repo.open_draft(session, area, period, actor=coordinators[n], now=when)
                content = repo.content_of(session, draft)
                goals = tuple(replace(g, colour=colours[(i + k) % 3], comment="Arbetet går enligt plan.",
                                      forecast="Klart i tid") for i, g in enumerate(content.goals))
                dev = DeviationEntry(f"d{n}-{k}", DeviationKind.delay, "Leverantören är sen", cause="Brist på folk",
                                     extra_hours=200)
                saved = repo.save(session, draft.id, seen_revision=draft.revision,
                                  content=replace(content, goals=goals, deviations=(dev,)), own_area=area.slug,
                                  actor=coordinators[n], actor_name="Bench", now=when)
                repo.submit(session, draft.id, seen_revision=saved.report.revision, key=f"bench:{n}:{period}",
                            actor=coordinators[n], actor_name="Bench", now=when)

            db.call(write)
    db.dispose()


def _invoke(connector_url: str, conv: int, seq: int, data: dict) -> dict:
    from load import activity

    body = activity(connector_url, conv, seq)
    body.update(type="invoke", name="adaptiveCard/action",
                value={"action": {"type": "Action.Execute", "verb": data["verb"], "data": data}, "trigger": "manual"})
    return body


async def bench_turns(db_url: str, conversations: int, turns: int) -> dict:
    from load import BotProcess, activity, drive, start_connector
    from sqlmodel import select

    from storage.db import Database
    from storage.models import EArea
    from storage.report_tables import StatusReport

    areas = conversations * turns
    coordinators = {n: f"aad-bench-user-{n // turns}" for n in range(areas)}
    started = time.perf_counter()
    await asyncio.to_thread(build_history, db_url, areas, datetime.now(UTC), coordinators)
    setup_s = time.perf_counter() - started
    connector = await start_connector()
    env = {"STYRA_ENV": "development", "STYRA_DEMO": "0", "STYRA_SCHEDULER": "0", "MicrosoftAppId": "",
           "DATABASE_URL": db_url}
    bots = {"echo": BotProcess([sys.executable, "benchmarks/echo_bot.py"], {}),
            "styra": BotProcess([sys.executable, "app.py"], env)}
    results: dict = {"e_areas": areas, "goals": GOALS, "history_reports_per_area": 4,
                     "needs_per_area": NEEDS_PER_AREA, "setup_s": round(setup_s, 1)}
    db = Database.from_url(db_url)
    try:
        for bot in bots.values():
            await bot.wait_ready()
        for bot in bots.values():  # warm-up: first contact
            await drive(bot.url, lambda c, s: activity(connector.url, c, s, "Hej"), conversations, 1, bot.proc.pid)
        echo = bots["echo"]
        results["echo"] = await drive(echo.url, lambda c, s: activity(connector.url, c, s, "Hej"),
                                      conversations, turns, echo.proc.pid)
        styra = bots["styra"]
        results["open"] = await drive(styra.url, lambda c, s: activity(
            connector.url, c, s, f"statusrapport {_area_slug(c * turns + s)}"), conversations, turns, styra.proc.pid)
        drafts = db.call(lambda s: {r.e_area_id: (r.id, r.revision) for r in s.exec(
            select(StatusReport).where(StatusReport.status == "draft"))})
        ids = db.call(lambda s: {slug: area_id for slug, area_id in s.exec(select(EArea.slug, EArea.id))})

        def submit(conv: int, seq: int) -> dict:
            report_id, revision = drafts[ids[_area_slug(conv * turns + seq)]]
            return _invoke(connector.url, conv, seq, {
                "verb": "report.submit", "report_id": report_id, "revision": revision, "form": f"bench{conv}-{seq}",
                "page": "general", "outcome_sek": "1 250 000", "outcome_hours": "1900",
                "resources_comment": "Utfallet följer planen.", "d_time_colour": "green", "d_cost_colour": "yellow"})

        results["submit"] = await drive(styra.url, submit, conversations, turns, styra.proc.pid)
    finally:
        for bot in bots.values():
            bot.stop()
        await connector.close()
    results["submitted"] = db.call(lambda s: len(list(s.exec(
        select(StatusReport.id).where(StatusReport.status == "submitted", StatusReport.submit_key.like("report-submit:%"))))))
    db.dispose()
    echo = results["echo"]
    for name in ("open", "submit"):
        results[f"{name}_vs_echo_p50"] = round(results[name]["p50_ms"] / echo["p50_ms"], 2)
        results[f"{name}_vs_echo_p99"] = round(results[name]["p99_ms"] / echo["p99_ms"], 2)
    return results


def bench_rollup(db_url: str) -> dict:
    from bot.rules import reports as rules
    from dialogs.reports import posting
    from storage.db import Database
    from storage.report_views import rollup

    now = datetime.now(UTC)
    areas = ROLLUP_AREAS
    build_history(db_url, areas, now, {n: f"aad-rollup-{n}" for n in range(areas)})
    period = rules.current_period(now, "Europe/Stockholm").previous()  # every e-area has submitted it
    db = Database.from_url(db_url)
    timings = []
    today = rules.local_date(now, "Europe/Stockholm")
    for _ in range(ROLLUP_RUNS):
        started = time.perf_counter()
        lines = db.call(rollup, period)
        card = posting.rollup_card("sv", lines, period, period.end, today, "Europe/Stockholm")
        timings.append((time.perf_counter() - started) * 1000)
    db.dispose()
    size = len(json.dumps(card, ensure_ascii=False).encode())
    p99 = _percentile(timings, 99)
    return {"e_areas": areas, "goals_per_report": GOALS, "runs": ROLLUP_RUNS,
            "p50_ms": round(_percentile(timings, 50), 2), "p99_ms": round(p99, 2), "max_ms": round(max(timings), 2),
            "card_bytes": size, "target_p99_ms": TARGET_ROLLUP_P99_MS, "meets_target": p99 < TARGET_ROLLUP_P99_MS}


async def run() -> dict:
    from storage.migrate import upgrade

    conversations = int(os.environ.get("BENCH_REPORT_CONVERSATIONS", "20"))
    turns = int(os.environ.get("BENCH_REPORT_TURNS", "3"))
    with tempfile.TemporaryDirectory() as tmp:
        turns_url, rollup_url = f"sqlite:///{tmp}/reports.db", f"sqlite:///{tmp}/rollup.db"
        upgrade(turns_url)
        upgrade(rollup_url)
        rolled = await asyncio.to_thread(bench_rollup, rollup_url)
        turned = await bench_turns(turns_url, conversations, turns)
    return {"rollup": rolled, "open_and_submit": turned}


def main() -> None:
    import logging

    logging.disable(logging.WARNING)
    print(json.dumps(asyncio.run(run()), indent=2))


if __name__ == "__main__":
    main()
