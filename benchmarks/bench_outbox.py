"""The outbox's drain rate against the bound Teams' limits allow: one message to each of 500
channels, sent by one instance and by two instances sharing the database (issue 11).

The real path runs - claim with lanes and leases, Outbound, Deliverer, Pacer, the batched
record in SQLite - but Teams is an in-process fake that enforces its documented limits in
virtual time (per thread 7/1 s, 8/2 s, 60/30 s, 1800/h; 50/s for the app) and answers 429 with
Retry-After to any post that breaks one. With two instances both share one fake Teams and one
virtual clock, so the app-wide limit holds for the deployment, not per process.

Reported per setup: virtual time from the first post to the last against the bound (one post
per thread, so only the app-wide 50/s binds: ceil(n/50) - 1 seconds), duplicates and lost
posts (both must be 0), 429s received, wall-clock time. Target: within 1.1x the bound.

    .venv/bin/python benchmarks/bench_outbox.py
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import math
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_fanout import APP_LIMIT, RateLimitedTeams  # noqa: E402

CHANNELS = int(os.environ.get("STYRA_BENCH_CHANNELS", "500"))
TARGET_RATIO = 1.1
START = dt.datetime(2026, 3, 10, 8, 0, tzinfo=dt.UTC)


def settled_clock():
    """A FakeClock that does not move while a database trip is on its way: the trips run in
    threads, and virtual time jumping ahead meanwhile would charge the schedule for them."""
    from bot.teams.pacing import FakeClock

    class SettledClock(FakeClock):
        busy = 0

        async def _settle(self, loop) -> None:
            while True:
                await super()._settle(loop)
                if not self.busy:
                    return
                await asyncio.sleep(0.0005)

    return SettledClock()


def _count_trips(db, clock) -> None:
    run = db.run

    async def counted(work, *args, **kwargs):
        clock.busy += 1
        try:
            return await run(work, *args, **kwargs)
        finally:
            clock.busy -= 1

    db.run = counted


def _instance(url: str, clock, teams):
    from app import SERVICES, build_app
    from bot.config import Settings

    settings = Settings(_env_file=None, STYRA_ENV="development", DATABASE_URL=url, STYRA_DEMO="0",
                        STYRA_SCHEDULER="0", MicrosoftAppId="")
    app = build_app(settings, clock=lambda: START + dt.timedelta(seconds=clock.now()), transport=teams,
                    pacer_clock=clock)
    services = app[SERVICES]
    _count_trips(services.db, clock)
    return services


def _fill(session, channels: int) -> None:
    from storage.models import ConversationRef
    from storage.outbox import Recipient, enqueue

    for i in range(channels):
        conversation = f"19:bench-{i:04d}@thread.tacv2"
        session.add(ConversationRef(conversation_id=conversation, kind="channel",
                                    service_url="https://smba.trafficmanager.net/emea/", tenant_id="t"))
        session.flush()
        enqueue(session, key=f"bench:{i}", to=Recipient.conversation(conversation), kind="reminder",
                activity={"type": "message", "text": f"påminnelse {i}"}, now=START)


def _statuses(session) -> Counter:
    from sqlalchemy import select

    from storage.outbox_tables import OutboxMessage

    return Counter(session.execute(select(OutboxMessage.status)).scalars())


async def drain(instances: int, channels: int = CHANNELS) -> dict:
    from storage.migrate import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/outbox.db"
        upgrade(url)
        clock = settled_clock()
        teams = RateLimitedTeams(clock)
        services = [_instance(url, clock, teams) for _ in range(instances)]
        services[0].db.call(_fill, channels)
        started_wall = time.perf_counter()
        await asyncio.gather(*(s.outbox.drain(timeout=600) for s in services))
        wall = time.perf_counter() - started_wall
        rows = services[0].db.call(_statuses)
        for s in services:
            await s.close_http()
            s.db.dispose()

    sent_per_channel = Counter(conversation for _, conversation in teams.posts)
    duplicates = sum(count - 1 for count in sent_per_channel.values() if count > 1)
    lost = channels - len(sent_per_channel)
    times = [t for t, _ in teams.posts]
    virtual = (max(times) - min(times)) if times else 0.0
    bound = (math.ceil(channels / APP_LIMIT[0]) - 1) * APP_LIMIT[1]
    ratio = virtual / bound if bound else 1.0
    return {
        "instances": instances,
        "channels": channels,
        "posts": len(teams.posts),
        "duplicates": duplicates,
        "lost": lost,
        "throttled_429": teams.throttled,
        "virtual_seconds": round(virtual, 3),
        "lower_bound_seconds": bound,
        "ratio_to_bound": round(ratio, 3),
        "target_ratio": TARGET_RATIO,
        "within_target": ratio <= TARGET_RATIO and duplicates == 0 and lost == 0,
        "wall_seconds": round(wall, 2),
        "rows": dict(rows),
    }


async def run() -> dict:
    logging.disable(logging.WARNING)
    return {"one_instance": await drain(1), "two_instances": await drain(2)}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run()), indent=2))
