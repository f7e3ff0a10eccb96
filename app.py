"""The door to Styra: configuration, database, adapter, scheduler and HTTP routes."""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy import text

from bot.config import Settings
from bot.teams import sdk_patches

log = logging.getLogger("styra")

SERVICES = web.AppKey("services", object)


@dataclass
class _BotConfig:
    """The attribute names ConfigurationBotFrameworkAuthentication reads."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str


def build_app(settings: Settings | None = None, *, clock=None, transport=None, pacer_clock=None) -> web.Application:
    """Wire everything; tests pass a clock, a fake transport or a fake pacer clock."""
    from botbuilder.core import ConversationState, UserState
    from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

    from bot import i18n
    from bot.handler import StyraBot
    from bot.services import Services, system_clock
    from bot.teams.auth import Authenticator, AuthSettings, KeyCache
    from bot.teams.delivery import Deliverer
    from bot.teams.door import Door, service_url_checker
    from bot.teams.http import BotToken, http_create_conversation, http_transport
    from bot.teams.outbound import Outbound
    from bot.teams.pacing import Pacer, RealClock
    from storage.db import Database
    from storage.state_store import DatabaseStorage

    settings = settings or Settings()
    problems = settings.problems()
    if problems:
        log.error("Styra will not start in production: %s", "; ".join(problems))
        raise SystemExit("Styra will not start in production (STYRA_ENV=production):\n- "
                         + "\n- ".join(problems)
                         + "\nSet them, or STYRA_ENV=development for a local, loopback-only bot.")
    sdk_patches.apply()
    i18n.preload()

    db = Database.from_url(settings.database_url)
    services = Services(settings=settings, db=db, clock=clock or system_clock)
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(
        # Without an app id (development) the SDK only accepts its legacy default app type.
        _BotConfig(settings.app_id, settings.app_password,
                   settings.app_type if settings.app_id else "MultiTenant", settings.app_tenant_id)
    ))
    sdk_patches.cache_user_token_client(adapter.bot_framework_authentication)
    storage = DatabaseStorage(db)
    bot = StyraBot(services, ConversationState(storage), UserState(storage))

    authenticator = None
    key_cache = None
    if settings.auth_enabled:
        auth_settings = AuthSettings(app_id=settings.app_id, openid_metadata_url=settings.openid_metadata_url,
                                     fetch_timeout_s=settings.key_fetch_timeout_s)
        key_cache = KeyCache(auth_settings)
        authenticator = Authenticator(auth_settings, key_cache)
        log.info("inbound authentication on: app id %s, issuer %s, keys from %s; %s", settings.app_id,
                 auth_settings.issuer, settings.openid_metadata_url,
                 "service URL and tenant allow-lists enforced" if settings.production
                 else "development: loopback or allow-listed service URLs")
    else:
        log.warning("=" * 72)
        log.warning("INBOUND AUTHENTICATION IS OFF (STYRA_ENV=development, no MicrosoftAppId).")
        log.warning("Anyone who can reach %s:%s can talk to this bot. Never expose it.", settings.bind_host, settings.port)
        log.warning("=" * 72)

    pacer_clock = pacer_clock or RealClock()
    http = _SharedSession()
    token = BotToken(settings)
    outbound_transport = transport or http_transport(http.get, token)
    outbound = Outbound(services, None, http_create_conversation(http.get, token), bot,
                        transport=outbound_transport)
    services.extras["close_http"] = http.close  # for callers that use services without the app
    outbound.deliverer = Deliverer(outbound_transport, Pacer(pacer_clock), pacer_clock,
                                   service_url_allowed=service_url_checker(settings))
    services.outbound = outbound

    door = Door(settings, adapter, bot, authenticator)
    app = web.Application(client_max_size=settings.max_body_bytes + 1024)
    app[SERVICES] = services
    app.router.add_post("/api/messages", door.handle)
    app.router.add_get("/healthz", _healthz)

    background: set[asyncio.Task] = set()

    async def on_startup(app: web.Application) -> None:
        from bot.rules.wheel import WheelError, load_wheel

        try:  # the annual wheel: a bad STYRA_WHEEL_FILE refuses the start, naming line and reason
            services.extras["wheel"] = load_wheel(settings.wheel_file)
        except WheelError as exc:
            log.error("the annual wheel file is not valid: %s", exc)
            raise SystemExit(f"Styra will not start: the annual wheel file is not valid: {exc}") from None
        if key_cache is not None:
            # In the background: a stalled key endpoint must not hold up the start.
            task = asyncio.get_running_loop().create_task(key_cache.prewarm())
            background.add(task)
            task.add_done_callback(background.discard)
        if settings.demo:
            from storage.demo import load_demo_if_empty

            await db.run(load_demo_if_empty, settings)
        if settings.scheduler:
            from bot import scheduler

            scheduler.start(services)

    async def on_shutdown(app: web.Application) -> None:
        from dialogs import decisions
        from dialogs.needs import register as register_need

        # Notices and card updates still on their way.
        await decisions.drain()
        await register_need.drain(services)

    async def on_cleanup(app: web.Application) -> None:
        await http.close()
        if settings.scheduler:
            from bot import scheduler

            await scheduler.stop(services)
        if key_cache is not None:
            await key_cache.close()
        db.dispose()

    app.on_startup.append(on_startup)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    return app


class _SharedSession:
    """One pooled HTTP session for proactive sends, opened on first use inside the loop."""

    def __init__(self) -> None:
        self._session = None

    def get(self):
        import aiohttp

        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100, limit_per_host=50))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


async def _healthz(request: web.Request) -> web.Response:
    services = request.app[SERVICES]

    def probe(session) -> None:
        session.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(services.db.run(probe), timeout=2.0)
    except Exception as exc:  # the check reports, it does not crash
        log.warning("health check failed: %s", exc)
        return web.json_response({"status": "error", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok", "env": services.settings.env.value})


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line a minute is noise
    settings = Settings()
    app = build_app(settings)
    # run_app handles SIGINT/SIGTERM: stops accepting, lets requests finish, runs cleanup.
    web.run_app(app, host=settings.bind_host, port=settings.port, shutdown_timeout=10,
                print=lambda msg: log.info(msg.strip()))


if __name__ == "__main__":
    main()
