"""`copbot teams-package`: the Teams app package (manifest.json and two icons in a zip).

Upload it in Teams (Apps > Manage your apps > Upload an app) or in the Teams admin center. The
manifest uses schema 1.19 (widely accepted for uploads): the bot is the Azure Bot's app id,
it works in personal chats, teams and group chats, and its command menus list the main verbs
with the same summaries as `help`. The package id is the bot's app id, so re-uploading a new
version replaces the old one.
"""

from __future__ import annotations

import json
import re
import zipfile
from importlib import metadata
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from adapters.teams.actions import manifest_extension
from bot.config import Settings
from bot.registry import Registry

MANIFEST_VERSION = "1.30"
SCHEMA = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
ICONS = ("color.png", "outline.png")
ACCENT = "#4F6BED"
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
# Limits of the 1.30 schema's bot command lists (1.19 allowed 10 commands of 32/128 chars).
COMMAND_TITLE = 128
COMMAND_DESCRIPTION = 4000
MAX_COMMANDS = 12
TRIGGERS = ["mention", "slash"]

# The verbs people reach for first, in menu order (only those registered are listed).
PERSONAL_VERBS = (
    "help",
    "home",
    "communities",
    "join",
    "expert",
    "lessons",
    "lesson",
    "meetings",
    "surveys",
    "stats",
    "link",
    "my data",
)
TEAM_VERBS = (
    "help",
    "communities",
    "community link",
    "charter",
    "members",
    "expert",
    "lessons",
    "meetings",
    "survey new",
    "meeting new",
    "stats",
    "health",
)


def write_package(
    out: Path, *, settings: Settings, registry: Registry, domain: str | None = None
) -> Path:
    """Write the zip to `out`; raises ValueError when there is no usable bot app id."""
    manifest = build_manifest(settings, registry=registry, domain=domain)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    icons = files("adapters.teams") / "icons"
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for name in ICONS:
            archive.writestr(name, (icons / name).read_bytes())
    return out


def build_manifest(
    settings: Settings, *, registry: Registry, domain: str | None = None
) -> dict[str, Any]:
    app_id = settings.microsoft_app_id.strip()
    if not GUID.match(app_id):
        raise ValueError(
            "Set MICROSOFT_APP_ID to the Azure Bot's Microsoft App ID (a GUID) first; "
            "see 'Connect to Teams' in the README."
        )
    host = _host(domain) or _host(settings.public_url)
    website = f"https://{host}" if host else "https://github.com/copbot/copbot"
    manifest: dict[str, Any] = {
        "$schema": SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": _version(),
        "id": app_id,
        "developer": {
            "name": "copbot",
            "websiteUrl": website,
            "privacyUrl": website,
            "termsOfUseUrl": website,
        },
        "name": {"short": "copbot", "full": "copbot: Communities of Practice"},
        "description": {
            "short": "Run your Communities of Practice where people already chat.",
            "full": (
                "copbot helps Communities of Practice run themselves: find a community and "
                "an expert, share lessons learned, keep meetings on rhythm with reminders and "
                "RSVPs, and ask members how things are going with short surveys. Type `help` "
                "in a chat with copbot, or @mention it in a channel."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT,
        "bots": [
            {
                "botId": app_id,
                "scopes": ["personal", "team", "groupChat"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {
                        "scopes": ["personal"],
                        "triggers": TRIGGERS,
                        "commands": command_list(registry, PERSONAL_VERBS),
                    },
                    {
                        "scopes": ["team", "groupChat"],
                        "triggers": TRIGGERS,
                        "commands": command_list(registry, TEAM_VERBS),
                    },
                ],
            }
        ],
        "composeExtensions": [manifest_extension(app_id)],
        "validDomains": [host] if host else [],
    }
    return manifest


def command_list(registry: Registry, verbs: tuple[str, ...]) -> list[dict[str, str]]:
    """Menu entries for the registered verbs among `verbs`, with their `help` summaries."""
    entries = []
    for verb in verbs:
        spec = registry.commands.get(verb)
        if spec is None or spec.hidden:
            continue
        description = spec.summary if spec.usage == verb else f"{spec.summary}: {spec.usage}"
        entries.append(
            {"title": verb[:COMMAND_TITLE], "description": _clip(description, COMMAND_DESCRIPTION)}
        )
    return entries[:MAX_COMMANDS]


def _host(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    parsed = urlparse(value if "://" in value else f"https://{value}")
    return parsed.hostname or None


def _version() -> str:
    try:
        return metadata.version("copbot")
    except metadata.PackageNotFoundError:
        return "1.0.0"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
