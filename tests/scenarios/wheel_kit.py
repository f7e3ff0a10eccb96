"""Helpers for the annual-wheel tests: Services over a real database and the fake connector,
an injectable wall clock, and linking steering-group channels by writing the rows directly."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.teams.pacing import FakeClock
from storage import org
from storage.models import ChannelPurpose, ConversationRef

TENANT = "11111111-2222-3333-4444-555555555555"
STOCKHOLM = ZoneInfo("Europe/Stockholm")  # the default STYRA_TIMEZONE


class WallClock:
    """services.clock for tests: call it for "now"; set `.now` to move time."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A Stockholm wall-clock time as an aware UTC datetime."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM).astimezone(dt.UTC)


# Services built without an app lifecycle; tests/conftest.py closes their HTTP sessions.
OPEN_SERVICES: list = []


def make_services(db_url: str, clock: WallClock, *, pacer_clock=None, demo: bool = True, **env):
    """Services as app.py wires them (real Outbound, Deliverer, connector transport), no HTTP
    server; the pacer and the deliverer's backoff run on a FakeClock (virtual time)."""
    from app import SERVICES, build_app
    from bot.config import Settings
    from storage.demo import load_demo_if_empty

    values = {"STYRA_ENV": "development", "DATABASE_URL": db_url, "STYRA_DEMO": "1" if demo else "0",
              "STYRA_SCHEDULER": "0", "MicrosoftAppId": ""}
    values.update({k: str(v) for k, v in env.items()})
    settings = Settings(_env_file=None, **values)
    app = build_app(settings, clock=clock, pacer_clock=pacer_clock or FakeClock())
    services = app[SERVICES]
    OPEN_SERVICES.append(services)
    if demo:
        services.db.call(load_demo_if_empty, settings)
    return services


def link(db, slug: str, conversation_id: str, service_url: str,
         linked_at: dt.datetime | None = None) -> None:
    """Link an e-area's steering-group channel the way `@Styra link` stores it."""

    def work(session):
        org.save_conversation(session, ConversationRef(
            conversation_id=conversation_id, kind="channel", service_url=service_url,
            tenant_id=TENANT, name=f"Styrgrupp {slug}"))
        area = org.e_area_by_slug(session, slug)
        row = org.link_channel(session, ChannelPurpose.steering, area, conversation_id, by="test")
        if linked_at is not None:
            row.linked_at = linked_at

    db.call(work)


def channel_posts(connector, conversation_id: str) -> list:
    return [s for s in connector.sent if s.method == "POST" and s.conversation_id == conversation_id]
