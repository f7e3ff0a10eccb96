"""Delivery is visible: `styra delivery status` per kind and state, a daily notice to the admins
about messages given up on, and /healthz's outbox lag for a local caller only."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from unittest import mock

from aiohttp.test_utils import make_mocked_request

from bot.delivery_report import report_failures
from storage import outbox as repo
from storage.outbox_tables import OutboxMessage
from tests.reliability.kit import outbox_rows, seed_channels
from tests.scenarios.wheel_kit import WallClock, make_services
from tests.support.botkit import ALEX

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _rows_in_every_state(now: datetime):
    def work(session):
        [cid] = seed_channels(session, "https://smba.trafficmanager.net/emea/", 1)
        to = repo.Recipient.conversation(cid)
        text = {"type": "message", "text": "x"}
        states = {
            "waiting": {},
            "flying": {"claim_token": "other:1", "lease_until": now + timedelta(seconds=10)},
            "stuck": {"claim_token": "dead:1", "lease_until": now - timedelta(minutes=9),
                      "due_at": now - timedelta(minutes=10)},
            "failed": {"status": "failed", "failed_at": now - timedelta(hours=1), "last_error": "HTTP 403"},
            "sent": {"status": "sent", "sent_at": now},
        }
        for name, values in states.items():
            session.add(OutboxMessage(key=f"state:{name}", kind="notice", recipient=to.address, lane=cid,
                                      activity=json.dumps(text), created_at=now - timedelta(hours=2),
                                      **{"due_at": now, **values}))
    return work


async def test_status_shows_every_state_per_kind(db, monkeypatch, capsys):
    from bot.cli.main import main

    now = datetime.now(UTC)
    await db.run(_rows_in_every_state(now))
    monkeypatch.setenv("DATABASE_URL", str(db.engine.url))
    code = main(["delivery", "status", "--lang", "en"])
    out = capsys.readouterr().out
    assert code == 1  # something failed and something is stuck
    [line] = [x for x in out.splitlines() if x.strip().startswith("notice")]
    assert line.split()[1:7] == ["1", "1", "1", "1", "1", "0"]  # pending, in flight, stuck, failed, sent, superseded
    assert "Annual wheel reminders" in out


async def test_admins_are_told_once_a_day_about_messages_given_up_on(db_url, connector):
    clock = WallClock(NOW)
    services = make_services(db_url, clock)
    assert await report_failures(services) == 0  # nothing failed: nobody is bothered
    await services.db.run(_rows_in_every_state(NOW))
    assert await report_failures(services) == 1  # the demo's admin
    assert await report_failures(services) == 0  # once a day
    [row] = await services.db.run(outbox_rows, "delivery-failures:")
    assert row.recipient == f"person:{ALEX.aad_id}" and row.kind == "admin"
    text = json.loads(row.activity)["text"]
    assert "inte har kunnat leverera" in text and ": 1." in text and "styra delivery status" in text

    clock.now = NOW + timedelta(days=1)
    assert await report_failures(services) == 0  # nothing new since yesterday's notice

    def one_more_failure(session):
        session.add(OutboxMessage(key="state:failed-again", kind="reminder", recipient="linked:steering:x",
                                  lane="x", activity="{}", status="failed", failed_at=clock.now,
                                  due_at=clock.now, created_at=clock.now))

    await services.db.run(one_more_failure)
    assert await report_failures(services) == 1
    rows = await services.db.run(outbox_rows, "delivery-failures:")
    assert len(rows) == 2 and "(reminder): 1" in json.loads(rows[-1].activity)["text"]


async def test_healthz_tells_the_outbox_lag_to_a_local_caller_only(bot):
    await bot.query(_rows_in_every_state(datetime.now(UTC)))
    local = await (await bot.client.get("/healthz")).json()
    assert local["status"] == "ok" and local["outbox"]["failed"] == 1
    assert local["outbox"]["waiting"] >= 1 and local["outbox"]["lag_s"] >= 0

    from app import _healthz

    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: ("10.1.2.3", 40000) if name == "peername" else default
    request = make_mocked_request("GET", "/healthz", app=bot.app, transport=transport)
    response = await _healthz(request)
    assert response.status == 200 and json.loads(response.body) == {"status": "ok"}
