"""scripts/package.py builds the Teams app package and refuses a broken one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "package.py"
BOT_ID = "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"
APP_ID = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"


def run_package(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("MICROSOFT_APP_ID", "MicrosoftAppId", "STYRA_TEAMS_APP_ID", "STYRA_PUBLIC_URL",
                     "STYRA_TAB_APP_ID_URI")
    }
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--env-file", str(tmp_path / "no.env"), *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_package_holds_manifest_icons_and_swedish_strings(tmp_path):
    out = tmp_path / "styra-teams.zip"
    result = run_package(
        tmp_path, "--out", str(out), MICROSOFT_APP_ID=BOT_ID, STYRA_TEAMS_APP_ID=APP_ID
    )
    assert result.returncode == 0, result.stderr

    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == [
            "color.png",
            "manifest.json",
            "outline.png",
            "sv.json",
        ]
        manifest = json.loads(archive.read("manifest.json"))
        swedish = json.loads(archive.read("sv.json"))
        color = archive.read("color.png")
    assert manifest["id"] == APP_ID
    assert manifest["bots"][0]["botId"] == BOT_ID
    assert manifest["name"]["short"] == "Styra"
    assert manifest["localizationInfo"]["additionalLanguages"] == [
        {"languageTag": "sv", "file": "sv.json"}
    ]
    for scope_list in manifest["bots"][0]["commandLists"]:
        assert [c["title"] for c in scope_list["commands"]][:3] == ["help", "new need", "my needs"]
    swedish_titles = {v for k, v in swedish.items() if k.endswith(".title")}
    assert {"hjälp", "nytt behov", "mina behov", "årshjul", "koppla", "språk"} <= swedish_titles
    assert color.startswith(b"\x89PNG")


def test_teams_app_id_falls_back_to_the_development_id(tmp_path):
    out = tmp_path / "dev.zip"
    result = run_package(tmp_path, "--out", str(out), MicrosoftAppId=BOT_ID)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["bots"][0]["botId"] == BOT_ID
    assert manifest["id"] == "3c9f6a52-8d41-4e7b-b0a6-5f2d17c4e9b3"


def test_manifest_without_bots_is_refused(tmp_path):
    app_dir = tmp_path / "appPackage"
    shutil.copytree(REPO / "appPackage", app_dir)
    manifest = json.loads((app_dir / "manifest.json").read_text(encoding="utf-8"))
    del manifest["bots"]
    (app_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    out = tmp_path / "broken.zip"

    result = run_package(
        tmp_path, "--app-dir", str(app_dir), "--out", str(out), MICROSOFT_APP_ID=BOT_ID
    )

    assert result.returncode != 0
    assert "bots" in result.stderr
    assert not out.exists()


def test_wrong_icon_size_and_bad_app_id_are_refused(tmp_path):
    app_dir = tmp_path / "appPackage"
    shutil.copytree(REPO / "appPackage", app_dir)
    shutil.copy(app_dir / "color.png", app_dir / "outline.png")

    result = run_package(
        tmp_path,
        "--app-dir",
        str(app_dir),
        "--out",
        str(tmp_path / "x.zip"),
        MICROSOFT_APP_ID=BOT_ID,
    )
    assert result.returncode != 0
    assert "outline.png is 192x192, must be 32x32" in result.stderr

    result = run_package(tmp_path, "--out", str(tmp_path / "y.zip"), MICROSOFT_APP_ID="not-a-guid")
    assert result.returncode != 0
    assert "MICROSOFT_APP_ID must be a GUID" in result.stderr

    result = run_package(tmp_path, "--out", str(tmp_path / "z.zip"))
    assert result.returncode != 0
    assert "MICROSOFT_APP_ID is not set" in result.stderr


def test_package_declares_the_portfolio_tabs_and_their_sign_in(tmp_path):
    out = tmp_path / "styra-teams.zip"
    result = run_package(tmp_path, "--out", str(out), MICROSOFT_APP_ID=BOT_ID,
                         STYRA_PUBLIC_URL="https://styra.example.se")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        swedish = json.loads(archive.read("sv.json"))
    assert manifest["staticTabs"] == [{
        "entityId": "portfolio", "name": "Portfolio", "contentUrl": "https://styra.example.se/tab/portfolio",
        "websiteUrl": "https://styra.example.se/tab/portfolio", "scopes": ["personal"]}]
    assert swedish["staticTabs[0].name"] == "Portfölj"
    assert manifest["configurableTabs"][0]["configurationUrl"] == "https://styra.example.se/tab/config"
    assert manifest["configurableTabs"][0]["context"] == ["channelTab"]
    assert manifest["webApplicationInfo"] == {"id": BOT_ID, "resource": f"api://styra.example.se/{BOT_ID}"}
    assert manifest["validDomains"] == ["styra.example.se"]


def test_package_refuses_a_public_url_teams_cannot_frame(tmp_path):
    result = run_package(tmp_path, "--out", str(tmp_path / "x.zip"), MICROSOFT_APP_ID=BOT_ID,
                         STYRA_PUBLIC_URL="http://styra.example.se")
    assert result.returncode == 1 and "STYRA_PUBLIC_URL must be https://<host>" in result.stderr
