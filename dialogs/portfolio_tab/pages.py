"""The tab's request handlers: who is asking (a signed link, minted from a Teams SSO token or
handed out by the bot), what their roles allow, one storage call, render.

Every page answers with a strict Content-Security-Policy (only Styra's own scripts and styles,
no third-party request, framed only by Teams and Microsoft 365), no caching and no referrer.
A missing, expired or altered link is 401 with the sign-in page (which, inside Teams, signs in
with SSO and comes back); an e-area that does not exist or is not the reader's is the same 404.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
from zoneinfo import ZoneInfo

from aiohttp import web

from bot import tab_link
from bot.i18n import area_name, language_of, translator
from bot.rules import reports as rules
from bot.teams.tab_auth import AuthError, KeysUnavailable
from cards.pages import render
from cards.pages.views import ConfigView, Links, Page
from dialogs.portfolio_tab import views
from dialogs.portfolio_tab.access import viewer
from dialogs.reports.common import area_due, today, wheel_of
from dialogs.wheel import year_overview
from storage import portfolio

log = logging.getLogger("styra.tab")

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors https://teams.microsoft.com "
       "https://*.teams.microsoft.com https://*.cloud.microsoft https://*.office.com")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "Cache-Control": "no-store"}
THEMES = {"light": "light", "default": "light", "dark": "dark", "contrast": "contrast"}
MAX_QUERY = 2048  # bytes of query string; a real page address is a few hundred
MAX_FILTER = 100
CONTENT_TYPES = {".css": "text/css", ".js": "text/javascript"}


class Refused(Exception):
    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response


class TabPages:
    """aiohttp handlers for /tab/...; `sso` is None when the app registration is not configured
    (then only the signed links from the chat open the pages)."""

    def __init__(self, services, sso=None) -> None:
        self.services = services
        self.sso = sso
        self.assets = _assets()
        self.version = hashlib.sha256(b"".join(a[0] for a in self.assets.values())).hexdigest()[:10]

    @property
    def settings(self):
        return self.services.settings

    # --- pages ---------------------------------------------------------------------------------

    async def portfolio(self, request: web.Request) -> web.Response:
        try:
            t, page, aad_id = self._prelude(request)
        except Refused as refused:
            return refused.response
        q = request.query
        day = today(self.services)
        try:
            period = rules.parse_period(q.get("period", "")) if q.get("period") else views.default_period(day)
        except ValueError:
            period = views.default_period(day)
        due = area_due(self.services, period)
        who, data, name = await self.services.db.run(_load_portfolio, self.settings, aad_id, period)
        page = _named(page, name)
        view = views.portfolio_view(
            t, who, data, page.links, period, views.recent_periods(day), due, day, self.settings.timezone,
            sort=q.get("sort", "name") if q.get("sort") in render.SORTS else "name", desc=q.get("dir") == "desc",
            query=q.get("q", "").strip(), only="attention" if q.get("only") == "attention" else "")
        return _html(render.render_portfolio(t, page, render.arrange(view)))

    async def area(self, request: web.Request) -> web.Response:
        try:
            t, page, aad_id = self._prelude(request)
        except Refused as refused:
            return refused.response
        raw = request.match_info.get("id", "")
        if not raw.isdigit() or len(raw) > 9:
            return self._not_found(t, page)
        now = self.services.clock()
        local = now.astimezone(ZoneInfo(self.settings.timezone))
        found = await self.services.db.run(_load_area, self.settings, aad_id, int(raw), local.year,
                                           wheel_of(self.services), now)
        if found is None:
            return self._not_found(t, page)
        _who, detail, wheel_rows, name = found
        page = _named(Page(page.lang, page.theme, page.links, f"/tab/area/{raw}", page.viewer, page.static), name)
        back = page.links("/tab/portfolio")
        view = views.area_view(t, detail, wheel_rows, local.year, local.month, self.settings.timezone, back)
        return _html(render.render_area(t, page, view))

    async def config(self, request: web.Request) -> web.Response:
        try:
            t, page, aad_id = self._prelude(request)
        except Refused as refused:
            return refused.response
        areas, name = await self.services.db.run(_load_config, self.settings, aad_id, t.lang)
        origin = (self.settings.public_url or str(request.url.origin())).rstrip("/")
        page = _named(Page(page.lang, page.theme, page.links, "/tab/config", page.viewer, page.static), name)
        return _html(render.render_config(t, page, ConfigView(tuple(areas), origin)))

    # --- sign-in ---------------------------------------------------------------------------------

    async def session(self, request: web.Request) -> web.Response:
        """POST with the Teams SSO token as a Bearer: answers a signed link for the pages."""
        key = self.settings.tab_signing_key
        if key is None or self.sso is None:
            log.warning("tab sign-in refused: SSO is not configured (app id, tenant, STYRA_TAB_SECRET)")
            return _json({"error": "unauthorized"}, 401)
        try:
            who = await self.sso.identify(request.headers.get("Authorization"))
        except AuthError as exc:
            log.warning("tab sign-in refused: %s", exc.reason)
            return _json({"error": "unauthorized"}, 401)
        except KeysUnavailable:
            return _json({"error": "unavailable"}, 503)
        now = self.services.clock().timestamp()
        ttl = min(self.settings.tab_link_minutes * 60, max(0, who.expires - now))
        if ttl <= 0:
            return _json({"error": "unauthorized"}, 401)
        return _json({"s": tab_link.mint(key, who.aad_id, now, ttl), "expires": int(now + ttl)}, 200)

    async def static(self, request: web.Request) -> web.Response:
        found = self.assets.get(request.match_info.get("name", ""))
        if found is None:
            return web.Response(status=404, text="Not found", headers={"X-Content-Type-Options": "nosniff"})
        body, packed, content_type = found
        headers = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff",
                   "Vary": "Accept-Encoding"}
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            headers["Content-Encoding"] = "gzip"
            body = packed
        return web.Response(body=body, content_type=content_type, charset="utf-8", headers=headers)

    # --- the common part -----------------------------------------------------------------------------

    def _prelude(self, request: web.Request):
        """(translator, page, object id) of a valid request; Refused with the answer otherwise."""
        q = request.query
        lang = language_of(q.get("lang", "")[:16]) or _accepted(request) or language_of(self.settings.default_locale)
        t = translator(lang)
        theme = THEMES.get(q.get("theme", ""), "auto")
        carry = tuple((k, v) for k, v in (("lang", q.get("lang", "")[:16]), ("theme", q.get("theme", "")[:16]))
                      if v)
        bare = Page(t.lang, theme, Links(carry), request.path, static=f"/tab/static/{self.version}")
        key = self.settings.tab_signing_key
        if key is None:
            raise Refused(_html(render.render_message(t, bare, "off_title", "off"), 503))
        if len(request.query_string) > MAX_QUERY or len(q.get("q", "")) > MAX_FILTER:
            raise Refused(_html(render.render_message(t, bare, "bad_request_title", "bad_request"), 400))
        try:
            aad_id, _expiry = tab_link.verify(key, q.get("s"), self.services.clock().timestamp())
        except tab_link.LinkError as exc:
            (log.info if exc.reason == "no link" else log.warning)("tab page refused: %s", exc.reason)
            page = render.render_signin(t, bare, exchange="/tab/session", minutes=self.settings.tab_link_minutes)
            raise Refused(_html(page, 401)) from None
        links = Links((("s", q["s"]), *carry))
        return t, Page(t.lang, theme, links, request.path, static=bare.static), aad_id

    def _not_found(self, t, page: Page) -> web.Response:
        home = page.links("/tab/portfolio")
        return _html(render.render_message(t, page, "not_found_title", "not_found", home=home), 404)


# --- the use cases: the access rule and the reading in one transaction --------------------------


def _load_portfolio(session, settings, aad_id: str, period):
    who = viewer(session, settings, aad_id)
    data = None if who.nobody else portfolio.overview(session, period)
    return who, data, portfolio.person_name(session, aad_id)


def _load_area(session, settings, aad_id: str, area_id: int, year: int, wheel, now):
    who = viewer(session, settings, aad_id)
    area = portfolio.area_by_id(session, area_id)
    if area is None or not who.sees_area(area.slug):
        return None
    detail = portfolio.area_detail(session, area_id, year, drafts=who.sees_drafts(area.slug))
    overview = year_overview(session, wheel, settings.zone, year, now, [area.slug])
    entries = overview[0][4] if overview else []
    return who, detail, entries, portfolio.person_name(session, aad_id)


def _load_config(session, settings, aad_id: str, lang: str):
    who = viewer(session, settings, aad_id)
    areas = [(a.id, area_name(a, lang))
             for a in portfolio.areas(session) if who.sees_area(a.slug)]
    return sorted(areas, key=lambda a: a[1].casefold()), portfolio.person_name(session, aad_id)


# --- small helpers -------------------------------------------------------------------------------


def _named(page: Page, name: str) -> Page:
    return Page(page.lang, page.theme, page.links, page.path, name, page.static)


def _accepted(request: web.Request) -> str | None:
    first = request.headers.get("Accept-Language", "")[:64].split(",")[0].split(";")[0]
    return language_of(first.strip())


def _html(text: str, status: int = 200) -> web.Response:
    response = web.Response(text=text, status=status, content_type="text/html", charset="utf-8",
                            headers=HEADERS)
    if len(text) > 1024:
        response.enable_compression()
    return response


def _json(data: dict, status: int) -> web.Response:
    return web.json_response(data, status=status, headers={"Cache-Control": "no-store",
                                                           "X-Content-Type-Options": "nosniff"})


def _assets() -> dict[str, tuple[bytes, bytes, str]]:
    out = {}
    for name, path in render.static_files().items():
        body = path.read_bytes()
        out[name] = (body, gzip.compress(body, 9, mtime=0), CONTENT_TYPES[path.suffix])
    return out

