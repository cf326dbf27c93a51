"""`copbot teams-package`: a zip with a manifest Teams accepts and both icons."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, Draft7Validator, validators
from PIL import Image

from adapters.teams.package import build_manifest, write_package
from bot.app import build_registry
from bot.config import Settings
from tests.teams.driver import APP_ID

REGISTRY = build_registry()
SCHEMA = Path(__file__).parent.parent / "schemas" / "teams-v1.30" / "MicrosoftTeams.schema.json"
# The schema declares draft-04 but pins `manifestVersion` with `const` (a draft-06 keyword that
# draft-04 validators skip): Teams enforces it, so the check does too.
ManifestValidator = validators.extend(
    Draft4Validator, {"const": Draft7Validator.VALIDATORS["const"]}
)


def _settings(**env: str) -> Settings:
    return Settings(DATABASE_URL="sqlite+aiosqlite:///unused.db", **env)


def test_package_holds_the_manifest_and_icons(tmp_path: Path) -> None:
    settings = _settings(MICROSOFT_APP_ID=APP_ID, COPBOT_PUBLIC_URL="https://cop.example.org/")
    path = write_package(tmp_path / "out" / "copbot.zip", settings=settings, registry=REGISTRY)
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        color = Image.open(io.BytesIO(archive.read("color.png")))
        outline = Image.open(io.BytesIO(archive.read("outline.png")))
    assert color.size == (192, 192) and color.format == "PNG"
    assert outline.size == (32, 32) and outline.mode == "RGBA"
    assert outline.getpixel((0, 0))[3] == 0  # transparent background
    assert manifest["manifestVersion"] == "1.30"
    assert manifest["$schema"].endswith("/v1.30/MicrosoftTeams.schema.json")
    assert manifest["id"] == APP_ID
    assert manifest["validDomains"] == ["cop.example.org"]
    assert manifest["developer"]["websiteUrl"] == "https://cop.example.org"
    assert len(manifest["name"]["short"]) <= 30
    assert len(manifest["description"]["short"]) <= 80
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    personal, team = bot["commandLists"]
    assert personal["scopes"] == ["personal"]
    assert team["scopes"] == ["team", "groupChat"]
    for listed in (personal, team):
        assert 0 < len(listed["commands"]) <= 12
        assert listed["triggers"] == ["mention", "slash"]
        for entry in listed["commands"]:
            assert entry["title"] in REGISTRY.commands
            assert len(entry["title"]) <= 128 and 0 < len(entry["description"]) <= 4000
    titles = {c["title"] for c in personal["commands"]}
    assert {"help", "communities", "join"} <= titles


def test_manifest_validates_against_microsofts_published_schema() -> None:
    schema = json.loads(SCHEMA.read_text())
    settings = _settings(MICROSOFT_APP_ID=APP_ID, COPBOT_PUBLIC_URL="https://cop.example.org/")
    manifest = build_manifest(settings, registry=REGISTRY)
    assert manifest["manifestVersion"] == schema["properties"]["manifestVersion"]["const"]
    errors = sorted(ManifestValidator(schema).iter_errors(manifest), key=str)
    assert not [f"{list(e.absolute_path)}: {e.message}" for e in errors]


def test_the_schema_check_catches_what_teams_would_refuse() -> None:
    schema = json.loads(SCHEMA.read_text())
    settings = _settings(MICROSOFT_APP_ID=APP_ID)
    manifest = build_manifest(settings, registry=REGISTRY)
    manifest["bots"][0]["commandLists"][0]["commands"] *= 2  # 22 commands: over the 12 allowed
    manifest["manifestVersion"] = "1.19"
    messages = [error.message for error in ManifestValidator(schema).iter_errors(manifest)]
    assert any("is too long" in message for message in messages)
    assert any("1.30" in message for message in messages)


def test_domain_option_wins_over_the_public_url() -> None:
    settings = _settings(MICROSOFT_APP_ID=APP_ID, COPBOT_PUBLIC_URL="https://a.example.com")
    manifest = build_manifest(settings, registry=REGISTRY, domain="bot.example.net")
    assert manifest["validDomains"] == ["bot.example.net"]


@pytest.mark.parametrize("app_id", ["", "not-a-guid"])
def test_a_missing_app_id_is_explained(app_id: str) -> None:
    with pytest.raises(ValueError, match="MICROSOFT_APP_ID"):
        build_manifest(_settings(MICROSOFT_APP_ID=app_id), registry=REGISTRY)


def test_cli_writes_the_package(tmp_path: Path) -> None:
    env = {"MICROSOFT_APP_ID": APP_ID, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "teams-package", "--out", "pkg.zip", "--domain", "x.io"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Upload an app" in done.stdout
    with zipfile.ZipFile(tmp_path / "pkg.zip") as archive:
        assert json.loads(archive.read("manifest.json"))["validDomains"] == ["x.io"]
    missing = subprocess.run(
        [sys.executable, "-m", "bot", "teams-package"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing.returncode == 2
    assert "MICROSOFT_APP_ID" in missing.stderr and "Traceback" not in missing.stderr
