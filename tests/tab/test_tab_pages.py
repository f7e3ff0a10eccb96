"""The portfolio tab through Styra's own HTTP app: what each role sees and does not see, refusals
that give nothing away, and the headers every page carries."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.tab import tabkit
from tests.tab.tabkit import text_of


@pytest.fixture
async def tab(db_url):
    started = await tabkit.start(db_url)
    yield started
    await started.close()


def row_of(html: str, name: str) -> str:
    """The table row (as text) whose heading cell names the e-area."""
    for row in re.findall(r"<tr>.*?</tr>", html, flags=re.S):
        if re.search(rf'<th scope="row">(<a [^>]*>)?{re.escape(name)}<', row):
            return text_of(row)
    raise AssertionError(f"no row for {name}")


def area_names(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r'<th scope="row">(.*?)</th>', html)]


async def test_portfolio_management_sees_every_e_area_but_no_draft_colours(tab):
    status, html = await tab.page("/tab/portfolio", "patti", period="2026-Q2")
    assert status == 200
    assert area_names(html) == ["Ekonomi och personal", "Forskning", "Utbildning"]
    edu = row_of(html, "Utbildning")
    assert "2026-Q2 Inlämnad" in edu
    assert "Digital examination i större skala: Röd, sämre" in edu  # colour and trend in words
    assert "Samlad digital kursanmälan: Grön, oförändrad" in edu
    assert "40 %" in edu and "1 (1 eskalerade)" in edu and "i tid" in edu
    research = row_of(html, "Forskning")
    assert "Utkast under arbete" in research and "Röd" not in research  # the draft's colours stay hidden
    economy = row_of(html, "Ekonomi och personal")
    assert "Ingen rapport (senaste 2026-Q1)" in economy and "saknas" in economy
    assert html.count('href="/tab/area/') == 3


async def test_an_area_owner_sees_the_draft_of_her_own_e_area(tab):
    _, html = await tab.page("/tab/portfolio", "adele", period="2026-Q2")
    research = row_of(html, "Forskning")
    assert "Lagring av forskningsdata: Röd, sämre" in research and "Utkast" in research


async def test_a_chair_sees_the_roll_up_but_opens_only_the_e_areas_of_their_roles(tab):
    _, html = await tab.page("/tab/portfolio", "isaiah", period="2026-Q2")
    assert area_names(html) == ["Ekonomi och personal", "Forskning", "Utbildning"]
    assert f'href="/tab/area/{tab.areas["forskning"]}' not in html
    assert f'href="/tab/area/{tab.areas["utbildning"]}' in html
    status, _ = await tab.page(f"/tab/area/{tab.areas['utbildning']}", "isaiah")
    assert status == 200


async def test_a_coordinator_sees_only_their_own_e_area(tab):
    _, html = await tab.page("/tab/portfolio", "cora", period="2026-Q2")
    assert area_names(html) == ["Ekonomi och personal"]
    assert "Utbildning" not in html and "Forskning" not in html


async def test_someone_without_roles_gets_an_empty_page_that_says_why(tab):
    status, html = await tab.page("/tab/portfolio", "stranger")
    assert status == 200
    assert "Du har ingen roll i Styra som visar statusrapporter" in html
    assert not area_names(html) and "Utbildning" not in html


async def test_an_e_area_not_theirs_is_the_same_404_as_one_that_does_not_exist(tab):
    cases = [("cora", tab.areas["utbildning"]), ("stranger", tab.areas["utbildning"]),
             ("isaiah", tab.areas["forskning"]), ("cora", 99999), ("cora", "abc"), ("cora", "1" * 30)]
    bodies = set()
    for who, area_id in cases:
        status, html = await tab.page(f"/tab/area/{area_id}", who)
        assert status == 404, (who, area_id)
        assert "Utbildning" not in html and "Forskning" not in html
        bodies.add(re.sub(r"/tab/area/[^?\"]*", "/tab/area/…", re.sub(r"s=[^&\"]+", "s=…", html)))
    assert len(bodies) == 1, "a refusal must not differ from an unknown e-area"


async def test_the_e_area_page_holds_goals_frame_needs_decisions_and_the_wheel(tab):
    status, html = await tab.page(f"/tab/area/{tab.areas['utbildning']}", "patti")
    assert status == 200
    text = text_of(html)
    assert "Planens mål 2026, status per kvartal" in text
    goals = re.search(r'<table class="goals">.*?</table>', html, flags=re.S).group(0)
    assert "Digital examination i större skala" in goals and text_of(goals).count("Röd") == 1
    assert "Q1 Genomgången av styrgruppen" in text_of(goals) and "Q2 Inlämnad" in text_of(goals)
    assert "1\u202f250\u202f000 av 2\u202f500\u202f000 SEK (50 %)" in html  # the frame chart's figures
    assert "4\u202f400 av 4\u202f000 tim (110 %)" in html and 'class="bar-over"' in html
    assert "I behovsinventeringen" in html  # needs by status
    assert "B-2026-0002" in text and "Utbildningsbehov 2 &lt;b&gt;fet&lt;/b&gt;" in html  # escaped
    assert "<b>fet</b>" not in html
    assert "Inför styrgruppen" in text and "B-2026-0005" in text
    assert "D-2026-0001" in text and "UFV 2026/117" in text and "2026-06-10" in text
    assert "Uppdrag hanteras inte i Styra ännu." in text or "Pågående uppdrag" in text
    assert "<svg" in html and "Årshjul 2026" in html


async def test_drafts_show_on_the_e_area_page_only_for_its_roles(tab):
    research = f"/tab/area/{tab.areas['forskning']}"
    _, for_owner = await tab.page(research, "adele")
    _, for_management = await tab.page(research, "patti")
    owner_goals = text_of(re.search(r'<table class="goals">.*?</table>', for_owner, flags=re.S).group(0))
    management_goals = text_of(re.search(r'<table class="goals">.*?</table>', for_management, flags=re.S).group(0))
    assert "Q2 Utkast" in owner_goals and "Röd" in owner_goals
    assert "Utkast" not in management_goals and "Röd" not in management_goals


async def test_english_on_request_and_from_the_browser(tab):
    _, html = await tab.page("/tab/portfolio", "patti", period="2026-Q2", lang="en-US")
    assert '<html lang="en"' in html and "Portfolio status 2026-Q2" in html and "Education" in html
    response = await tab.client.get("/tab/portfolio", params={"s": tab.link("patti")},
                                    headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Finance and HR" in await response.text()
    _, swedish = await tab.page("/tab/portfolio", "patti", lang="sv")
    assert '<html lang="sv"' in swedish and "Utbildning" in swedish


async def test_sorting_and_filtering(tab):
    _, html = await tab.page("/tab/portfolio", "patti", period="2026-Q2", sort="worst", dir="desc")
    # red first; a hidden draft and a missing report have no colour (then by name)
    assert area_names(html) == ["Utbildning", "Ekonomi och personal", "Forskning"]
    assert 'aria-sort="descending"' in html
    _, html = await tab.page("/tab/portfolio", "patti", period="2026-Q2", q="forsk")
    assert area_names(html) == ["Forskning"] and "1 av 3 e-områden visas" in text_of(html)
    _, html = await tab.page("/tab/portfolio", "patti", period="2026-Q2", q="x" * 100, sort="nonsense")
    assert "Inget e-område matchar urvalet." in html


async def test_without_a_valid_link_nothing_is_shown(tab):
    now = tab.clock.now
    head, tail = tab.link("patti").split(".")
    refused = {
        "no link": {},
        "expired": {"s": tab.link("patti", ttl=60, now=now - dt.timedelta(minutes=2))},
        "altered": {"s": head + "." + ("A" if tail[0] != "A" else "B") + tail[1:]},
        "other key": {"s": __import__("bot.tab_link", fromlist=["mint"]).mint(b"x" * 32, tabkit.PEOPLE["patti"],
                                                                                 now.timestamp(), 600)},
        "garbage": {"s": "<script>alert(1)</script>"},
    }
    for name, params in refused.items():
        for path in ("/tab/portfolio", f"/tab/area/{tab.areas['utbildning']}", "/tab/config"):
            response = await tab.client.get(path, params=params)
            html = await response.text()
            assert response.status == 401, (name, path)
            assert "Utbildning" not in html and "Utbildningsbehov" not in html, (name, path)
            assert "<script>alert" not in html
            assert 'data-page="signin"' in html


async def test_a_link_replayed_after_it_expired_is_refused(tab):
    link = tab.link("patti", ttl=300)
    assert (await tab.client.get("/tab/portfolio", params={"s": link})).status == 200
    tab.clock.now += dt.timedelta(minutes=6)
    assert (await tab.client.get("/tab/portfolio", params={"s": link})).status == 401


async def test_huge_query_parameters_are_refused_without_data(tab):
    for params in ({"q": "x" * 101}, {"junk": "y" * 5000}):
        status, html = await tab.page("/tab/portfolio", "patti", **params)
        assert status == 400 and "Utbildning" not in html, params
    response = await tab.client.get("/tab/portfolio?" + "a=" + "b" * 20000)
    assert response.status in (400, 414) and "Utbildning" not in await response.text()


async def test_every_page_forbids_framing_outside_teams_and_third_party_requests(tab):
    for path, who in (("/tab/portfolio", "patti"), (f"/tab/area/{tab.areas['utbildning']}", "patti"),
                      ("/tab/config", "patti"), ("/tab/portfolio", None), ("/tab/area/999", "patti")):
        response = await tab.get(path, who)
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "connect-src 'self'" in csp
        ancestors = csp.split("frame-ancestors")[1].split(";")[0].split()
        assert ancestors == ["https://teams.microsoft.com", "https://*.teams.microsoft.com",
                             "https://*.cloud.microsoft", "https://*.office.com"]
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "X-Frame-Options" not in response.headers
        html = await response.text()
        for url in re.findall(r'(?:src|href|action)="([^"]*)"', html):
            assert url.startswith(("/", "#")) or url == "data:,", url  # nothing from another host


async def test_static_files_are_served_compressed_and_unknown_ones_are_not(tab):
    _, html = await tab.page("/tab/portfolio", "patti")
    script = re.search(r'src="(/tab/static/[^"]+/teams\.js)"', html).group(1)
    response = await tab.client.get(script, headers={"Accept-Encoding": "gzip"})
    body = await response.read()
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/javascript")
    assert b"styraTeams" in body
    assert (await tab.client.get("/tab/static/x/../../app.py")).status == 404
    assert (await tab.client.get("/tab/static/x/secret.py")).status == 404


async def test_the_channel_tab_configuration_offers_only_the_readers_e_areas(tab):
    _, html = await tab.page("/tab/config", "cora")
    assert re.findall(r'data-name="([^"]+)"', html) == ["Ekonomi och personal"]
    _, html = await tab.page("/tab/config", "patti", lang="en")
    assert re.findall(r'data-name="([^"]+)"', html) == ["Education", "Finance and HR", "Research"]
    _, html = await tab.page("/tab/config", "stranger")
    assert "Du har ingen roll i något e-område" in html


async def test_without_a_secret_in_production_the_tab_is_off(db_url):
    from app import build_app
    from bot.config import Settings

    settings = Settings(_env_file=None, STYRA_ENV="development", DATABASE_URL=db_url, STYRA_DEMO="0")
    assert settings.tab_signing_key is not None  # development derives one
    prod = Settings(_env_file=None, STYRA_ENV="production", DATABASE_URL=db_url, MicrosoftAppId="a",
                    MicrosoftAppTenantId="b", MicrosoftAppPassword="c")
    assert prod.tab_signing_key is None
    short = Settings(_env_file=None, STYRA_ENV="production", DATABASE_URL=db_url, MicrosoftAppId="a",
                     MicrosoftAppTenantId="b", MicrosoftAppPassword="c", STYRA_TAB_SECRET="short")
    assert "STYRA_TAB_SECRET must be at least 32 characters" in short.problems()
    assert build_app  # the app itself is exercised by the tests above


@pytest.fixture
async def any_tab(any_db_url):
    started = await tabkit.start(any_db_url)
    yield started
    await started.close()


async def test_the_same_pages_on_every_backend(any_tab):
    _, html = await any_tab.page("/tab/portfolio", "patti", period="2026-Q2", sort="punctuality", dir="desc")
    assert area_names(html)[-1] == "Utbildning"
    assert "Digital examination i större skala: Röd, sämre" in row_of(html, "Utbildning")
    assert "Ingen rapport (senaste 2026-Q1)" in row_of(html, "Ekonomi och personal")
    status, html = await any_tab.page(f"/tab/area/{any_tab.areas['utbildning']}", "patti")
    assert status == 200 and "D-2026-0001" in html and "I behovsinventeringen" in html


def test_the_access_log_leaves_the_signed_link_out(caplog):
    import logging
    from unittest.mock import Mock

    from app import PathOnlyAccessLogger

    logger = logging.getLogger("test.access")
    request = Mock(remote="10.0.0.9", method="GET", path="/tab/portfolio", query_string="s=SECRET.LINK")
    response = Mock(status=200, body_length=5000)
    with caplog.at_level(logging.INFO, logger="test.access"):
        PathOnlyAccessLogger(logger, "").log(request, response, 0.012)
    assert "/tab/portfolio" in caplog.text and "SECRET" not in caplog.text and "200" in caplog.text
