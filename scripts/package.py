"""Builds the Teams app package: build/styra-teams.zip.

Fills in the ids, validates the manifest and its localization files against the vendored
Teams schemas (appPackage/schema/v<manifestVersion>/), checks the icon sizes and zips
manifest.json, the icons and the localization files at the root of the archive.

Ids come from the environment (a .env file at the repository root is read too; the
environment wins):
  MICROSOFT_APP_ID     the bot's Microsoft App ID (Azure Bot registration), required;
                       MicrosoftAppId (what app.py reads) is used when it is unset
  STYRA_TEAMS_APP_ID   the Teams app id; a fixed id for local development when unset
  STYRA_PUBLIC_URL     https://<host> where Teams reaches Styra: the portfolio tab's pages
                       and its valid domain (https://localhost when unset, with a warning)
  STYRA_TAB_APP_ID_URI the Application ID URI of the tab's SSO (webApplicationInfo.resource);
                       api://<host>/<MICROSOFT_APP_ID> when unset

Exit status 0 on success, 1 with a message on stderr on any error.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import struct
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema

REPO = Path(__file__).resolve().parent.parent
DEFAULT_APP_DIR = REPO / "appPackage"
DEFAULT_OUT = REPO / "build" / "styra-teams.zip"
DEFAULT_ENV_FILE = REPO / ".env"

# Used when STYRA_TEAMS_APP_ID is unset, so a developer can side-load without registering.
DEV_TEAMS_APP_ID = "3c9f6a52-8d41-4e7b-b0a6-5f2d17c4e9b3"
PLACEHOLDER = re.compile(r"\$\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}")
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
ICON_SIZES = {"color": (192, 192), "outline": (32, 32)}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# PNG colour types with an alpha channel (grey+alpha, RGBA); palette images may carry tRNS.
PNG_ALPHA_TYPES = {4, 6}
PNG_PALETTE = 3
REQUIRED_SCOPES = {"personal", "team", "groupChat"}

log = logging.getLogger("package")


class PackageError(Exception):
    """A problem that stops the package from being built."""


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; blank lines, comments and `export ` prefixes are allowed."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.removeprefix("export ").split("=", 1)
        values[key.strip()] = value.strip().strip("'\"")
    return values


def resolve_ids(env: dict[str, str]) -> dict[str, str]:
    # MicrosoftAppId is the name app.py reads, so one .env serves both.
    bot_id = (env.get("MICROSOFT_APP_ID") or env.get("MicrosoftAppId") or "").strip()
    if not bot_id:
        raise PackageError(
            "MICROSOFT_APP_ID is not set: give the bot's Microsoft App ID "
            "(Azure Bot registration) in the environment or in .env (MicrosoftAppId)"
        )
    app_id = env.get("STYRA_TEAMS_APP_ID", "").strip() or DEV_TEAMS_APP_ID
    for name, value in (("MICROSOFT_APP_ID", bot_id), ("STYRA_TEAMS_APP_ID", app_id)):
        if not GUID.match(value):
            raise PackageError(f"{name} must be a GUID, got {value!r}")
    public = env.get("STYRA_PUBLIC_URL", "").strip()
    if public:
        parts = urlsplit(public)
        if parts.scheme != "https" or not parts.netloc or parts.path.strip("/"):
            raise PackageError(f"STYRA_PUBLIC_URL must be https://<host>, got {public!r}")
        host = parts.netloc
    else:
        host = "localhost"
        log.warning("STYRA_PUBLIC_URL is not set: the tabs point at https://localhost")
    uri = env.get("STYRA_TAB_APP_ID_URI", "").strip() or f"api://{host}/{bot_id}"
    return {"MICROSOFT_APP_ID": bot_id, "STYRA_TEAMS_APP_ID": app_id, "STYRA_PUBLIC_HOST": host,
            "STYRA_TAB_APP_ID_URI": uri}


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    unknown = sorted({m.group(1) for m in PLACEHOLDER.finditer(text)} - values.keys())
    if unknown:
        raise PackageError(f"manifest.json has placeholders with no value: {', '.join(unknown)}")
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def load_json(path: Path, text: str | None = None) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8") if text is None else text)
    except FileNotFoundError:
        raise PackageError(f"{path.name} is missing") from None
    except json.JSONDecodeError as error:
        raise PackageError(f"{path.name} is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise PackageError(f"{path.name} must hold a JSON object")
    return data


def schema_errors(document: dict, schema_path: Path, label: str) -> list[str]:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(
        schema, default=jsonschema.Draft4Validator
    )
    validator = validator_class(schema)
    messages = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        messages.append(f"{label}: {where}: {error.message}")
    return messages


def length_errors(strings: dict, schema_path: Path, label: str) -> list[str]:
    """maxLength next to a $ref is ignored under draft-04 (name.short, description.short...),
    so those limits are checked here."""
    properties = json.loads(schema_path.read_text(encoding="utf-8")).get("properties", {})
    errors = []
    for key, value in strings.items():
        limit = properties.get(key, {}).get("maxLength")
        if isinstance(value, str) and limit is not None and len(value) > limit:
            errors.append(f"{label}: {key}: {len(value)} characters, at most {limit}")
    return errors


def manifest_has(manifest: dict, dotted: str) -> bool:
    """Whether a localization key such as bots[0].commandLists[1].commands[2].title exists."""
    node: object = manifest
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", dotted):
        if part.startswith("["):
            index = int(part[1:-1])
            if not isinstance(node, list) or index >= len(node):
                return False
            node = node[index]
        else:
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
    return True


def check_bot(manifest: dict, bot_id: str) -> list[str]:
    """Styra is a bot: the package is useless without one answering in every scope."""
    bots = manifest.get("bots")
    if not isinstance(bots, list) or len(bots) != 1:
        return ["manifest.json: bots: Styra needs exactly one bot"]
    bot = bots[0]
    errors = []
    if bot.get("botId") != bot_id:
        errors.append("manifest.json: bots/0/botId must be ${{MICROSOFT_APP_ID}}")
    missing = REQUIRED_SCOPES - set(bot.get("scopes") or [])
    if missing:
        errors.append(f"manifest.json: bots/0/scopes lacks {', '.join(sorted(missing))}")
    return errors


def png_info(path: Path) -> tuple[int, int, int]:
    """(width, height, colour type) from the IHDR chunk, which must come first."""
    with path.open("rb") as file:
        header = file.read(26)
    if len(header) < 26 or not header.startswith(PNG_SIGNATURE) or header[12:16] != b"IHDR":
        raise PackageError(f"{path.name} is not a PNG file")
    width, height = struct.unpack(">II", header[16:24])
    return width, height, header[25]


def has_transparency_chunk(path: Path) -> bool:
    return b"tRNS" in path.read_bytes()


def check_icons(manifest: dict, app_dir: Path) -> list[str]:
    errors = []
    icons = manifest.get("icons") or {}
    for kind, (want_w, want_h) in ICON_SIZES.items():
        name = icons.get(kind)
        if not name:
            continue  # the schema has reported it
        path = app_dir / name
        if not path.is_file():
            errors.append(f"icons/{kind}: {name} is missing")
            continue
        width, height, colour_type = png_info(path)
        if (width, height) != (want_w, want_h):
            errors.append(f"icons/{kind}: {name} is {width}x{height}, must be {want_w}x{want_h}")
        if kind == "outline" and not (
            colour_type in PNG_ALPHA_TYPES
            or (colour_type == PNG_PALETTE and has_transparency_chunk(path))
        ):
            errors.append(f"icons/outline: {name} has no transparency (white on transparent)")
    return errors


def package_files(manifest: dict) -> list[str]:
    """Files the manifest refers to; Teams wants them next to manifest.json."""
    icons = manifest.get("icons") or {}
    names = [icons[k] for k in ("color", "outline", "color32x32") if icons.get(k)]
    info = manifest.get("localizationInfo") or {}
    if info.get("defaultLanguageFile"):
        names.append(info["defaultLanguageFile"])
    names += [lang["file"] for lang in info.get("additionalLanguages") or []]
    for name in names:
        if "/" in name or "\\" in name or name.startswith("."):
            raise PackageError(f"{name}: package files must sit at the root of the package")
    return names


def build(app_dir: Path, out: Path, env: dict[str, str]) -> list[str]:
    """Validates everything, then writes the zip; returns the names in it."""
    ids = resolve_ids(env)
    manifest_path = app_dir / "manifest.json"
    try:
        raw = manifest_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PackageError(f"{manifest_path} is missing") from None
    filled = fill_placeholders(raw, ids)
    manifest = load_json(manifest_path, filled)

    version = manifest.get("manifestVersion")
    schema_dir = app_dir / "schema" / f"v{version}"
    if not (schema_dir / "MicrosoftTeams.schema.json").is_file():
        raise PackageError(f"no vendored schema for manifestVersion {version!r} in {schema_dir}")

    errors = schema_errors(manifest, schema_dir / "MicrosoftTeams.schema.json", "manifest.json")
    errors += check_bot(manifest, ids["MICROSOFT_APP_ID"])
    errors += check_icons(manifest, app_dir)

    names = package_files(manifest)
    info = manifest.get("localizationInfo") or {}
    languages = [lang["file"] for lang in info.get("additionalLanguages") or []]
    if info.get("defaultLanguageFile"):
        languages.append(info["defaultLanguageFile"])
    for name in languages:
        path = app_dir / name
        if not path.is_file():
            errors.append(f"localizationInfo: {name} is missing")
            continue
        strings = load_json(path)
        localization_schema = schema_dir / "MicrosoftTeams.Localization.schema.json"
        errors += schema_errors(strings, localization_schema, name)
        errors += length_errors(strings, localization_schema, name)
        for key in strings:
            if key not in ("$schema", "localizationKeys") and not manifest_has(manifest, key):
                errors.append(f"{name}: {key}: no such element in manifest.json")
    if errors:
        raise PackageError("the app package is not valid:\n  " + "\n  ".join(errors))

    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        # Fixed timestamps: the same inputs give the same bytes.
        entries = [("manifest.json", filled.encode("utf-8"))]
        entries += [(name, (app_dir / name).read_bytes()) for name in names]
        for name, data in entries:
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data, compress_type=zipfile.ZIP_DEFLATED)
    partial.replace(out)
    return [name for name, _ in entries]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-dir", type=Path, default=DEFAULT_APP_DIR)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--env-file", type=Path, default=DEFAULT_ENV_FILE)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)

    env = {**read_env_file(args.env_file), **os.environ}
    try:
        names = build(args.app_dir, args.out, env)
    except PackageError as error:
        log.error("package: %s", error)
        return 1
    log.info("package: wrote %s (%s)", args.out, ", ".join(names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
