"""Approve invokes on PostgreSQL at an open-loop offered load (issue 6: p99 < 200 ms at 50/s),
then managers' commission approvals at the same load in the same run (issue 14: p99 within the
decision invoke's).

Styra runs as `app.py` in its own process (as in production) against a fake Teams in another.
Many e-areas, each with its own chair, steering channel and coordinator; one distinct decision
basis per invoke. Invokes are launched on a fixed schedule whatever the answers do (open loop),
and latency is measured from the scheduled start, so a slow answer cannot hide queueing. The
follow-up work (card updates, notices) goes through the outbox as in production.

    STYRA_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python benchmarks/bench_decisions.py

Prints one JSON object; skips with a note when no PostgreSQL URL is set.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

RATE = float(os.environ.get("STYRA_BENCH_RATE", "50"))  # invokes per second offered
SECONDS = float(os.environ.get("STYRA_BENCH_SECONDS", "10"))
AREAS = 25
COMMISSIONS = os.environ.get("STYRA_BENCH_COMMISSIONS", "1") != "0"  # 0: the decision invokes only
TARGET_P99_MS = 200.0


def _pg_url() -> str | None:
    return os.environ.get("STYRA_BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
    return ordered[index]


def _schema_url(base: str) -> tuple[str, str]:
    import sqlalchemy as sa

    from storage.db import make_engine, normalise_url
    from storage.migrate import upgrade

    schema = f"styra_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = sa.engine.make_url(normalise_url(base)).update_query_dict({"options": f"-csearch_path={schema}"})
    text = url.render_as_string(hide_password=False)
    upgrade(text)
    return schema, text


def _drop_schema(base: str, schema: str) -> None:
    import sqlalchemy as sa

    from storage.db import make_engine

    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _seed(session, service_url: str, per_area: int) -> list[tuple[int, str, str, str]]:
    """E-areas with chair, coordinator, linked channel, plan; ready bases already posted.
    Returns (basis id, chair aad id, chair teams id, channel id) per invoke."""
    from storage import org
    from storage.counters import next_number
    from storage.models import (
        BasisStatus,
        ChannelPurpose,
        ConversationRef,
        DecisionBasis,
        EArea,
        Need,
        NeedStatus,
        Person,
        Plan,
        Role,
        SentCard,
    )

    work = []
    for a in range(AREAS):
        area = EArea(slug=f"bench-{a}", name=f"Bench {a}")
        session.add(area)
        session.flush()
        session.add(Plan(e_area_id=area.id, year=2026, frame_sek=10_000_000, frame_hours=20_000))
        chair = Person(aad_id=f"bench-chair-{a}", teams_id=f"29:bench-chair-{a}", name=f"Chair {a}")
        coord = Person(aad_id=f"bench-coord-{a}", teams_id=f"29:bench-coord-{a}", name=f"Coordinator {a}")
        session.add_all([chair, coord])
        channel = f"19:bench-{a}@thread.tacv2"
        org.save_conversation(session, ConversationRef(conversation_id=channel, kind="channel",
                                                       service_url=service_url, channel_id=channel))
        org.save_conversation(session, ConversationRef(conversation_id=f"a:bench-coord-{a}", kind="personal",
                                                       service_url=service_url, aad_id=coord.aad_id))
        org.link_channel(session, ChannelPurpose.steering, area, channel, "bench")
        org.grant(session, area, chair.aad_id, Role.chair, "bench")
        org.grant(session, area, coord.aad_id, Role.coordinator, "bench")
        for i in range(per_area):
            need = Need(number=next_number(session, "B", 2026), e_area_id=area.id, title=f"Behov {a}-{i}",
                        raised_by=coord.aad_id, raised_by_name=coord.name, status=NeedStatus.awaiting_decision)
            session.add(need)
            session.flush()
            basis = DecisionBasis(need_id=need.id, status=BasisStatus.ready, hours=40, cost_sek=50_000,
                                  proposal="Genomför.", frame_change_sek=10_000, created_by="bench")
            session.add(basis)
            session.flush()
            session.add(SentCard(subject=f"decision-basis:{basis.id}", conversation_id=channel, activity_id=f"posted-{basis.id}"))
            work.append((basis.id, chair.aad_id, chair.teams_id, channel))
    return work


# The Teams side (connector service) runs in its own process, as it does in production, so its
# CPU is not charged to Styra's event loop.
_CONNECTOR = r"""
import itertools, sys
from aiohttp import web
ids, counts = itertools.count(1), {"POST": 0, "PUT": 0, "CREATE": 0}
async def post(request):
    await request.read(); counts["POST"] += 1
    return web.json_response({"id": f"act-{next(ids)}"})
async def put(request):
    await request.read(); counts["PUT"] += 1
    return web.json_response({"id": request.match_info["aid"]})
async def create(request):
    body = await request.json(); counts["CREATE"] += 1
    return web.json_response({"id": "a:personal-" + (body.get("members") or [{}])[0].get("id", "x")})
async def stats(request):
    return web.json_response(counts)
app = web.Application()
app.router.add_post("/v3/conversations", create)
app.router.add_post("/v3/conversations/{conv}/activities", post)
app.router.add_post("/v3/conversations/{conv}/activities/{aid}", post)
app.router.add_put("/v3/conversations/{conv}/activities/{aid}", put)
app.router.add_get("/stats", stats)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""


class _RemoteConnector:
    def __init__(self, port: int, process) -> None:
        self.url = f"http://127.0.0.1:{port}/"
        self.process = process

    @classmethod
    async def start(cls) -> _RemoteConnector:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        process = await asyncio.create_subprocess_exec(sys.executable, "-c", _CONNECTOR, str(port))
        import aiohttp

        async with aiohttp.ClientSession() as client:
            for _ in range(200):
                try:
                    async with client.get(f"http://127.0.0.1:{port}/stats"):
                        return cls(port, process)
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
        process.kill()
        raise RuntimeError("the connector process did not start")

    async def stats(self) -> dict:
        import aiohttp

        async with aiohttp.ClientSession() as client, client.get(self.url + "stats") as response:
            return await response.json()

    async def close(self) -> None:
        self.process.terminate()
        await self.process.wait()


def _invoke(service_url: str, basis_id: int, aad_id: str, teams_id: str, channel: str) -> dict:
    """An Action.Execute click on the posted decision card, as Teams sends it."""
    return {
        "type": "invoke", "name": "adaptiveCard/action", "id": f"invoke-{basis_id}", "channelId": "msteams",
        "serviceUrl": service_url, "locale": "sv-SE",
        "from": {"id": teams_id, "name": "Chair", "aadObjectId": aad_id},
        "recipient": {"id": "28:styra-bot", "name": "Styra"},
        "conversation": {"id": f"{channel};messageid=posted-{basis_id}", "conversationType": "channel",
                         "isGroup": True, "tenantId": "t"},
        "channelData": {"tenant": {"id": "t"}, "team": {"id": "19:bench-team"}, "channel": {"id": channel}},
        "value": {"action": {"type": "Action.Execute", "verb": "decision.approve",
                             "data": {"verb": "decision.approve", "basis_id": basis_id}}, "trigger": "manual"},
    }


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _commits(session) -> int:
    """Transactions committed in this database so far (every backend, once its stats are flushed)."""
    from sqlalchemy import text

    return session.execute(text("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")).scalar()


def _latency(latencies: list[float]) -> dict:
    return {
        "p50": round(_percentile(latencies, 50), 1) if latencies else None,
        "p95": round(_percentile(latencies, 95), 1) if latencies else None,
        "p99": round(_percentile(latencies, 99), 1) if latencies else None,
        "max": round(max(latencies), 1) if latencies else None,
        "mean": round(statistics.fmean(latencies), 1) if latencies else None,
    }


async def _open_loop(items: list, one) -> tuple[list[float], int]:
    """Launch `one(item)` on a fixed schedule (RATE per second) whatever the answers do; the
    latency of each from its scheduled start, and the number of errors."""
    start = time.perf_counter() + 0.05
    tasks, scheduled = [], []
    for index, item in enumerate(items):
        due = start + index / RATE
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        scheduled.append(due)
        tasks.append(asyncio.create_task(one(item)))
    results = await asyncio.gather(*tasks, return_exceptions=True)
    latencies, errors = [], 0
    for due, result in zip(scheduled, results, strict=True):
        if isinstance(result, BaseException) or result[1] != 200 or not result[2]:
            errors += 1
            continue
        latencies.append((result[0] - due) * 1000)
    return latencies, errors


class _Skip(Exception):
    pass


async def _measure(url: str) -> dict:
    """Styra runs as `app.py` in its own process, as in production; this process only seeds the
    database, offers the load and reads the answers, so its CPU is not charged to the bot.
    Decision invokes first, then managers' commission approvals, in the same run and process."""
    import aiohttp
    import commission_load
    from load import BotProcess
    from sqlalchemy import func, select

    from storage.commission_tables import Commission
    from storage.db import Database
    from storage.models import Decision

    connector = await _RemoteConnector.start()
    db = Database.from_url(url)
    total = int(RATE * SECONDS)
    warm = 20
    per_area = (total + warm) // AREAS + 1
    bot = BotProcess([sys.executable, "app.py"], {
        "STYRA_ENV": "development", "DATABASE_URL": url, "STYRA_DEMO": "0", "STYRA_SCHEDULER": "0",
        "MicrosoftAppId": ""})
    try:
        work = await asyncio.to_thread(db.call, _seed, connector.url, per_area)
        work.sort(key=lambda w: w[0] % AREAS)  # interleave areas
        commissions = (await asyncio.to_thread(db.call, commission_load.seed, connector.url, total + warm)
                       if COMMISSIONS else [])
        await bot.wait_ready()
        client = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200))

        async def post(body: dict, *expected: str) -> tuple[float, int, bool]:
            async with client.post(bot.url, data=json.dumps(body), headers={"Content-Type": "application/json"}) as response:
                payload = json.dumps(await response.json(), ensure_ascii=False)
                return time.perf_counter(), response.status, response.status == 200 and any(e in payload for e in expected)

        async def one(item) -> tuple[float, int, bool]:
            return await post(_invoke(connector.url, *item), "Godkänt", "Approved")

        async def approve(item) -> tuple[float, int, bool]:
            return await post(commission_load.invoke(connector.url, *item), commission_load.DECIDED)

        async def settled(kind: str, expected: int, timeout: float = 90.0) -> float:
            """Wait until the follow-ups (card updates, notices) have reached Teams."""
            begin = time.perf_counter()
            while time.perf_counter() - begin < timeout:
                if (await connector.stats())[kind] >= expected:
                    break
                await asyncio.sleep(0.1)
            return (time.perf_counter() - begin) * 1000

        try:
            for item in work[:warm]:
                await one(item)
            await settled("PUT", warm)
            loop_items = work[warm:warm + total]
            await asyncio.sleep(1.0)  # the warm-up's statistics reach pg_stat_database
            commits_before = await asyncio.to_thread(db.call, _commits)
            cpu_before = _cpu_s(bot.proc.pid)
            latencies, errors = await _open_loop(loop_items, one)
            offered_seconds = (len(loop_items) - 1) / RATE
            drain_ms = await settled("PUT", warm + len(loop_items))
            await asyncio.sleep(1.0)  # the notices after the last update; statistics flushed
            cpu_per_approve_ms = (_cpu_s(bot.proc.pid) - cpu_before) * 1000 / len(loop_items)
            # Less the 1 s of idle outbox above and this count's own transaction: small beside N.
            commits_per_approve = ((await asyncio.to_thread(db.call, _commits)) - commits_before - 1) / len(loop_items)
            load = os.getloadavg()
            # The managers' approvals: each decides a commission, whose lead and participant are told.
            approval_items, approval_latencies, approval_errors, approval_drain_ms = [], [], 0, 0.0
            posts = (await connector.stats())["POST"]
            if not COMMISSIONS:
                raise _Skip
            for item in commissions[:warm]:
                await approve(item)
            await settled("POST", posts + 2 * warm)
            posts = (await connector.stats())["POST"]
            approval_items = commissions[warm:warm + total]
            approval_latencies, approval_errors = await _open_loop(approval_items, approve)
            approval_drain_ms = await settled("POST", posts + 2 * len(approval_items))
        except _Skip:
            pass
        finally:
            await client.close()
        decided = await asyncio.to_thread(
            db.call, lambda s: s.execute(select(func.count()).select_from(Decision)).scalar())
        commissions_decided = await asyncio.to_thread(db.call, lambda s: s.execute(
            select(func.count()).select_from(Commission).where(Commission.status == "decided")).scalar())
        sent = await connector.stats()
    finally:
        bot.stop()
        db.dispose()
        await connector.close()
    p99 = _percentile(latencies, 99) if latencies else None
    approval_p99 = _percentile(approval_latencies, 99) if approval_latencies else None
    return {
        "benchmark": "decision approve invoke (PostgreSQL, open loop)",
        "offered_rate_per_s": RATE,
        "offered_seconds": round(offered_seconds, 2),
        "invokes": len(loop_items),
        "errors": errors,
        "latency_ms": _latency(latencies),
        "target_p99_ms": TARGET_P99_MS,
        "meets_target": p99 is not None and p99 < TARGET_P99_MS and errors == 0,
        "decisions_recorded": decided,
        "card_updates_sent": sent["PUT"],
        "notices_sent": sent["POST"],
        "background_drain_ms_after_load": round(drain_ms, 1),
        "bot_cpu_ms_per_approve": round(cpu_per_approve_ms, 2),
        "commits_per_approve": round(commits_per_approve, 2),
        "load_average_after": [round(x, 2) for x in load],
        "areas": AREAS,
        "commission_approval": {
            "benchmark": "manager approves a commission (Action.Execute, each click decides one)",
            "invokes": len(approval_items),
            "errors": approval_errors,
            "latency_ms": _latency(approval_latencies),
            "commissions_decided": commissions_decided,
            "background_drain_ms_after_load": round(approval_drain_ms, 1),
            "p99_within_decision_p99": (approval_p99 is not None and p99 is not None and approval_p99 <= p99
                                        and approval_errors == 0),
        },
    }


async def run() -> dict:
    base = _pg_url()
    if not base:
        return {"benchmark": "decision approve invoke", "skipped": True,
                "note": "set STYRA_BENCH_DATABASE_URL or TEST_DATABASE_URL to a PostgreSQL URL"}
    schema, url = await asyncio.to_thread(_schema_url, base)
    try:
        return await _measure(url)
    finally:
        await asyncio.to_thread(_drop_schema, base, schema)


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run()), indent=2))
