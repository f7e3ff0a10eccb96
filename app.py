"""The door to Styra: configuration, wiring of the engine and the capabilities, HTTP routes and
the lifecycle (start, drain, stop)."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys

from aiohttp import web

from bot import i18n, logs
from bot.config import Settings
from bot.delivery_report import report_failures
from bot.dispatch import Dispatcher
from bot.outbox import Outbox
from bot.registry import Registry
from bot.rules.wheel_file import WheelError, load_wheel
from bot.scheduler import Scheduler
from bot.services import Services, system_clock
from bot.similar import index_of
from bot.similar_build import START_WAIT, start_build
from bot.teams.delivery import Deliverer
from bot.teams.door import Door, make_authenticator, service_url_checker
from bot.teams.handler import TeamsEdge
from bot.teams.http import BotToken, http_create_conversation, http_team_channels, http_transport
from bot.teams.outbound import Outbound
from bot.teams.pacing import Pacer, RealClock
from bot.teams.tab_auth import TabAuth, TabAuthSettings
from dialogs import (
    admin,
    anchoring,
    assessment,
    basis,
    commissions,
    decisions,
    language,
    reports,
    wheel,
)
from dialogs import help as help_capability
from dialogs.needs import edit as needs_edit
from dialogs.needs import lists as needs_lists
from dialogs.needs import notices as need_notices
from dialogs.needs import plans as needs_plans
from dialogs.needs import register as needs_register
from dialogs.needs import search as needs_search
from dialogs.needs import to_assess as needs_to_assess
from dialogs.portfolio_tab.pages import TabPages
from storage import outbox_status
from storage.db import Database
from storage.demo import load_demo_if_empty
from storage.health import probe

log = logging.getLogger("styra")

SERVICES = web.AppKey("services", object)


# Interrupts are tried in this order: commissions first, so `avbryt` in an open commission form
# pauses it and keeps the draft before the general cancel answers.
CAPABILITIES = (
    commissions.cap, help_capability.cap, language.cap, admin.cap, needs_register.cap, needs_lists.cap,
    needs_search.cap, needs_plans.cap, needs_edit.cap, needs_to_assess.cap, need_notices.cap, assessment.cap, basis.cap,
    anchoring.cap, decisions.cap, wheel.cap, reports.cap,
)


def build_app(settings: Settings | None = None, *, clock=None, transport=None, pacer_clock=None) -> web.Application:
    """Wire everything; tests pass a clock, a fake transport or a fake pacer clock."""
    settings = settings or Settings()
    problems = settings.problems()
    if problems:
        if settings.production:
            where, hint = "in production (STYRA_ENV=production)", "STYRA_ENV=development for a local, loopback-only bot"
        else:
            where, hint = "with an app id (MicrosoftAppId)", "no MicrosoftAppId for a local bot without authentication"
        log.error("Styra will not start %s: %s", where, "; ".join(problems))
        raise SystemExit(f"Styra will not start {where}:\n- " + "\n- ".join(problems) + f"\nSet them, or {hint}.")
    i18n.preload()
    logs.install()
    clock = clock or system_clock
    db = Database.from_url(settings.database_url, clock=clock)
    http = _SharedSession()
    token = BotToken(settings)
    pacer_clock = pacer_clock or RealClock()
    outbound_transport = transport or http_transport(http.get, token)
    deliverer = Deliverer(outbound_transport, Pacer(pacer_clock), pacer_clock,
                          service_url_allowed=service_url_checker(settings))
    outbound = Outbound(db, settings.app_id, deliverer, http_create_conversation(http.get, token),
                        http_team_channels(http.get, token))
    services = Services(settings=settings, db=db, clock=clock, registry=Registry(CAPABILITIES),
                        outbound=outbound, close_http=http.close)
    services.outbox = Outbox(services)
    scheduler = Scheduler(services, engine_ticks=(report_failures,))
    edge = TeamsEdge(Dispatcher(services))
    door = Door(settings, edge, make_authenticator(settings))

    app = web.Application(client_max_size=settings.max_body_bytes + 1024)
    app[SERVICES] = services
    app.router.add_post("/api/messages", door.handle)
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/files/{token}", _file)
    tab = TabPages(services, _tab_sso(settings))
    app.router.add_get("/tab/portfolio", tab.portfolio)
    app.router.add_get("/tab/area/{id}", tab.area)
    app.router.add_get("/tab/config", tab.config)
    app.router.add_post("/tab/session", tab.session)
    app.router.add_get("/tab/static/{version}/{name}", tab.static)
    background: set[asyncio.Task] = set()
    builds = []

    async def on_startup(app: web.Application) -> None:
        try:  # the annual wheel: a bad STYRA_WHEEL_FILE refuses the start, naming line and reason
            services.wheel = load_wheel(settings.wheel_file)
        except WheelError as exc:
            log.error("the annual wheel file is not valid: %s", exc)
            raise SystemExit(f"Styra will not start: the annual wheel file is not valid: {exc}") from None
        if door.authenticator is not None:
            # In the background: a stalled key endpoint must not hold up the start.
            task = asyncio.get_running_loop().create_task(door.authenticator.keys.prewarm())
            background.add(task)
            task.add_done_callback(background.discard)
        if tab.sso is not None:
            task = asyncio.get_running_loop().create_task(tab.sso.keys.prewarm())
            background.add(task)
            task.add_done_callback(background.discard)
        if settings.demo:
            await db.run(load_demo_if_empty, settings)
        # The similar-need index is read in the background: a small database is ready before the
        # first turn, a large one answers its first turns without the similar check (never a stall).
        builds.append(start_build(await asyncio.to_thread(index_of, services), db.engine))
        await asyncio.to_thread(builds[-1].done.wait, START_WAIT)
        services.outbox.start()
        if settings.scheduler:
            scheduler.start()

    async def on_shutdown(app: web.Application) -> None:
        # Messages still due: sent for a bounded time, the rest waits in the outbox.
        await services.outbox.stop(settings.drain_seconds)
        await services.completions.close()

    async def on_cleanup(app: web.Application) -> None:
        for build in builds:
            build.stop()
        if settings.scheduler:
            await scheduler.stop()
        await http.close()
        if door.authenticator is not None:
            await door.authenticator.keys.close()
        if tab.sso is not None:
            await tab.sso.keys.close()
        db.dispose()

    app.on_startup.append(on_startup)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    return app


def _tab_sso(settings: Settings) -> TabAuth | None:
    """Teams SSO for the portfolio tab, when the app registration and its tenant are configured."""
    if not settings.tab_sso:
        return None
    return TabAuth(TabAuthSettings(settings.app_tenant_id, settings.tab_audiences, settings.entra_openid_url,
                                   fetch_timeout_s=settings.key_fetch_timeout_s))


class _SharedSession:
    """One pooled HTTP session for proactive sends, opened on first use inside the loop."""

    def __init__(self) -> None:
        self._session = None

    def get(self):
        import aiohttp

        if self._session is None or self._session.closed:
            # The Bot Connector sets no cookies Styra needs: no jar to update and filter per send.
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100, limit_per_host=50),
                                                  cookie_jar=aiohttp.DummyCookieJar())
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


LOCAL_CALLERS = frozenset({"127.0.0.1", "::1"})


async def _healthz(request: web.Request) -> web.Response:
    """Status for anyone; the outbox's lag only for a caller on this machine (a probe or an
    operator), since queue sizes say something about the organisation's activity."""
    services = request.app[SERVICES]
    local = request.remote in LOCAL_CALLERS
    try:
        await asyncio.wait_for(services.db.run(probe), timeout=2.0)
        lag = await asyncio.wait_for(services.db.run(outbox_status.lag, services.clock()), 2.0) if local else None
    except Exception as exc:  # the check reports, it does not crash
        log.warning("health check failed: %s", exc)
        body = {"status": "error", "database": "unreachable"} if local else {"status": "error"}
        return web.json_response(body, status=503)
    if not local:
        return web.json_response({"status": "ok"})
    outbox = services.outbox
    similar = services.similar
    return web.json_response({
        "status": "ok", "database": "ok", "env": services.settings.env.value,
        "similar_index": "building" if similar is None or similar.building else "ready",
        "outbox": {"waiting": lag.waiting, "in_flight": lag.in_flight, "failed": lag.failed,
                   "lag_s": round(lag.oldest_due_s, 1),
                   "sending": bool(outbox is not None and outbox.healthy)},
    })


async def _file(request: web.Request) -> web.Response:
    """A status-report document behind its link; the random, expiring token is the grant."""
    services = request.app[SERVICES]
    found = await reports.documents.document(services, request.match_info.get("token", ""))
    if found is None:
        return web.Response(status=404, text="This link is unknown or has expired. / Länken är okänd eller för gammal.")
    name, content_type, body = found
    return web.Response(body=body, content_type=content_type, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff"})


class PathOnlyAccessLogger(web.AbstractAccessLogger):
    """The access log without query strings: a tab page's address carries a signed link, which
    must not end up in log files. Teams' activities answered in time are logged at DEBUG: one
    INFO line for each cost more than a fifth of a short turn, and says nothing the turn's own
    lines do not; refusals, errors and slow answers stay at INFO."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        routine = request.path == "/api/messages" and response.status < 300 and time < 1.0
        if routine and not self.logger.isEnabledFor(logging.DEBUG):
            return
        self.logger.log(logging.DEBUG if routine else logging.INFO, '%s "%s %s" %s %s %.3fs', request.remote, request.method, request.path,
                         response.status, response.body_length, time)


def schema_ready(settings: Settings) -> None:
    """A database that is not migrated stops the start with what to do, not a traceback at the
    first query. The default development database (SQLite styra.db) is migrated here."""
    from storage.migrate import Unreachable, current_head, revision, upgrade

    url, where = settings.database_url, settings.database_url.split("@")[-1]
    try:
        found = revision(url)
    except Unreachable as exc:
        raise SystemExit(f"Styra cannot open the database {where}: {exc}") from None
    head = current_head()
    if found == head:
        return
    if not settings.production and url == Settings.model_fields["database_url"].default:
        log.info("Migrating the development database %s (%s -> %s)", where, found or "empty", head)
        upgrade(url)
        return
    state = "has no tables yet" if found is None else f"is at migration {found}, Styra needs {head}"
    raise SystemExit(f"The database {where} {state}. Run `styra migrate` (or `make migrate`), then start Styra again.")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line a minute is noise
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its plugin lines say nothing to an operator
    settings = Settings()
    app = build_app(settings)
    schema_ready(settings)
    # What the start loaded lives as long as the process: out of the collector's full passes,
    # which would otherwise walk it all and hold a turn up for tens of milliseconds each time.
    gc.collect()
    gc.freeze()
    # run_app handles SIGINT/SIGTERM: stops accepting, lets requests finish, runs cleanup.
    web.run_app(app, host=settings.bind_host, port=settings.port, shutdown_timeout=10,
                access_log_class=PathOnlyAccessLogger, print=lambda msg: log.info(msg.strip()))


if __name__ == "__main__":
    main()
