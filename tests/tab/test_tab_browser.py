"""The tab in a real browser: headless Chromium opens the portfolio page and an e-area page for two
roles, in Swedish and English, light and dark; checks what is shown and what is not, that the page
asks nothing of another host, keyboard entry, and axe-core (0 serious or critical violations).
Screenshots go to build/tab/ (look at them).

Needs Debian's `chromium` and web/node_modules (make tab-test-deps installs both); skipped with a
NOTE where they are missing."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.tab import tabkit

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
WEB = ROOT / "web"
SHOTS = ROOT / "build" / "tab"


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return "NOTE: /usr/bin/chromium not found (make tab-test-deps installs it as root): browser test skipped"
    if shutil.which("node") is None:
        return "NOTE: node not found: browser test skipped"
    for package in ("playwright-core", "axe-core"):
        if not (WEB / "node_modules" / package).is_dir():
            return f"NOTE: web/node_modules/{package} missing (make tab-test-deps): browser test skipped"
    return None


@pytest.fixture
async def tab(db_url):
    started = await tabkit.start(db_url)
    yield started
    await started.close()


async def test_both_pages_for_two_roles_in_a_real_browser(tab):
    reason = _missing()
    if reason:
        pytest.skip(reason)
    SHOTS.mkdir(parents=True, exist_ok=True)
    origin = str(tab.client.make_url("")).rstrip("/")
    edu, research = tab.areas["utbildning"], tab.areas["forskning"]

    def url(path: str, who: str, **params: str) -> str:
        query = "&".join(f"{k}={v}" for k, v in {"s": tab.link(who, ttl=3600), **params}.items())
        return f"{origin}{path}?{query}"

    pages = [  # two roles, both pages, both languages, both themes
        {"name": "portfolio-management-sv-light", "url": url("/tab/portfolio", "patti", period="2026-Q2"),
         "expect": ["Portföljens status 2026-Q2", "Utbildning", "Forskning", "Utkast under arbete", "saknas",
                    "Digital examination i större skala: Röd, sämre"],
         "forbid": ["Lagring av forskningsdata"]},  # a draft's goals are the e-area's own business
        {"name": "area-management-sv-dark", "url": url(f"/tab/area/{edu}", "patti", theme="dark"),
         "expect": ["Planens mål 2026", "Resurs- och kostnadsram 2026", "D-2026-0001", "Inför styrgruppen"],
         "forbid": []},
        {"name": "portfolio-owner-en-dark-narrow", "url": url("/tab/portfolio", "adele", period="2026-Q2", lang="en"),
         "locale": "en-US", "colorScheme": "dark", "width": 390,
         "expect": ["Portfolio status 2026-Q2", "Education", "Research", "Draft"],
         "forbid": ["Utbildning"]},
        {"name": "area-owner-en-light", "url": url(f"/tab/area/{research}", "adele", lang="en", theme="light"),
         "locale": "en-US", "expect": ["Research", "Plan goals 2026", "Draft", "Lagring av forskningsdata"],
         "forbid": []},
    ]
    for page in pages:
        page["screenshot"] = str(SHOTS / f"{page['name']}.png")
    plan = {"chromium": str(CHROMIUM), "origin": origin, "pages": pages}
    await tab.page("/tab/portfolio", "patti")  # warm the templates before the clock runs
    # The app runs in this test's event loop: the browser runs in a subprocess meanwhile.
    import asyncio

    process = await asyncio.create_subprocess_exec(
        "node", "browser-check.mjs", cwd=WEB, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(json.dumps(plan).encode()), timeout=90)
    assert process.returncode == 0, err.decode()[-3000:]
    results = {r["name"]: r for r in json.loads(out)}
    (SHOTS / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    for name, result in results.items():
        assert result["status"] == 200, name
        assert result["missing"] == [], (name, result["missing"])
        assert result["present"] == [], (name, result["present"])
        assert result["foreign"] == [], (name, result["foreign"])  # no third-party request
        assert result["console_errors"] == [], (name, result["console_errors"])
        assert result["first_tab"] == "skip", name
        serious = [v for v in result["axe"] if v["impact"] in ("serious", "critical")]
        assert serious == [], (name, serious)
    assert results["area-management-sv-dark"]["theme"] == "dark"
    assert all((SHOTS / f"{p['name']}.png").stat().st_size > 10_000 for p in pages)
