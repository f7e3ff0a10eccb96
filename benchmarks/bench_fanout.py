"""Fan-out of one annual-wheel reminder to 500 linked steering-group channels (issue 7).

The whole real path runs - tick, materialise, claim, Outbound, Deliverer, Pacer, mark sent in
SQLite - but Teams is an in-process fake connector that enforces Teams' documented limits in
virtual time (per thread 7/1 s, 8/2 s, 60/30 s, 1800/h; 50/s for the app) and answers 429
with Retry-After to any send that breaks one. Time is a FakeClock, so the result measures the
scheduling, not this machine's network.

Reported: virtual time from the tick to the last post against the lower bound the limits allow
(one post per thread, so only the app-wide 50/s binds: ceil(n/50) - 1 seconds), duplicates and
lost posts (both must be 0), 429s received, and the wall-clock time the tick took.
Target: within 1.2x the bound.

    .venv/bin/python benchmarks/bench_fanout.py
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
from collections import Counter, deque
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CHANNELS = int(os.environ.get("STYRA_BENCH_CHANNELS", "500"))
TARGET_RATIO = 1.2
THREAD_LIMITS = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))
APP_LIMIT = (50, 1.0)


class RateLimitedTeams:
    """A transport that accepts a post only if it breaks none of Teams' windows."""

    def __init__(self, clock) -> None:
        self.clock = clock
        self.threads: dict[str, deque] = {}
        self.app: deque = deque()
        self.posts: list[tuple[float, str]] = []
        self.throttled = 0

    @staticmethod
    def _breaks(times: deque, now: float, limits) -> float | None:
        for count, window in limits:
            recent = [t for t in times if t > now - window]
            if len(recent) >= count:
                return recent[-count] + window - now
        return None

    async def __call__(self, target, activity) -> str:
        from bot.teams.delivery import TransportError

        now = self.clock.now()
        times = self.threads.setdefault(target.conversation_id, deque(maxlen=1800))
        wait = self._breaks(times, now, THREAD_LIMITS) or self._breaks(self.app, now, (APP_LIMIT,))
        if wait is not None:
            self.throttled += 1
            raise TransportError(429, max(wait, 0.001), "throttled")
        times.append(now)
        self.app.append(now)
        while self.app and self.app[0] <= now - APP_LIMIT[1]:
            self.app.popleft()
        self.posts.append((now, target.conversation_id))
        return f"act-{len(self.posts)}"


async def run() -> dict:
    logging.disable(logging.WARNING)
    from app import SERVICES, build_app
    from bot.config import Settings
    from bot.teams.pacing import FakeClock
    from dialogs import wheel as reminders
    from storage import org
    from storage.migrate import upgrade
    from storage.models import ChannelPurpose, ConversationRef, EArea
    from storage.reminder_tables import ReminderOccurrence

    now = dt.datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Europe/Stockholm")).astimezone(dt.UTC)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/fanout.db"
        upgrade(url)
        settings = Settings(_env_file=None, STYRA_ENV="development", DATABASE_URL=url, STYRA_DEMO="0",
                            STYRA_SCHEDULER="0", MicrosoftAppId="")
        clock = FakeClock()
        teams = RateLimitedTeams(clock)
        app = build_app(settings, clock=lambda: now, transport=teams, pacer_clock=clock)
        services = app[SERVICES]

        def link_all(session):
            for i in range(CHANNELS):
                area = EArea(slug=f"area-{i:03d}", name=f"Område {i:03d}")
                session.add(area)
                session.flush()
                conversation = f"19:area-{i:03d}@thread.tacv2"
                org.save_conversation(session, ConversationRef(
                    conversation_id=conversation, kind="channel",
                    service_url="https://smba.trafficmanager.net/emea/", tenant_id="t"))
                link = org.link_channel(session, ChannelPurpose.steering, area, conversation, "bench")
                link.linked_at = now - dt.timedelta(hours=1)

        services.db.call(link_all)
        started_virtual = clock.now()
        started_wall = time.perf_counter()
        report = await reminders.tick(services, now)
        wall = time.perf_counter() - started_wall

        def statuses(session):
            from sqlmodel import select

            return Counter(r.status for r in session.exec(select(ReminderOccurrence)))

        rows = services.db.call(statuses)
        services.db.dispose()

    sent_per_channel = Counter(conversation for _, conversation in teams.posts)
    duplicates = sum(count - 1 for count in sent_per_channel.values() if count > 1)
    lost = CHANNELS - len(sent_per_channel)
    last_post = max((t for t, _ in teams.posts), default=started_virtual)
    virtual = last_post - started_virtual
    bound = (math.ceil(CHANNELS / APP_LIMIT[0]) - 1) * APP_LIMIT[1]
    ratio = virtual / bound if bound else 1.0
    return {
        "channels": CHANNELS,
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
        "tick": {"claimed": report.claimed, "sent": report.sent, "failed": report.failed},
        "rows": dict(rows),
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run()), indent=2))
