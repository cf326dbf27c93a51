"""`copbot slack-manifest`: the Slack app manifest, ready to paste at api.slack.com/apps.

Printed as JSON, which is valid YAML, so no YAML library is needed.
"""

from __future__ import annotations

import json
from typing import Any

from bot.config import Settings

BOT_SCOPES = (
    "commands",
    "chat:write",
    "im:write",
    "im:history",
    # Reading a channel's recent messages tells whether a post interrupted by a crash went out.
    "channels:history",
    "app_mentions:read",
    "users:read",
    "users:read.email",
    "users.profile:read",
    "files:write",
    "channels:read",
    "groups:read",
)
BOT_EVENTS = (
    "app_home_opened",
    "app_mention",
    "message.im",
    "member_joined_channel",
    # A workspace that removes copbot: its tokens are deleted and delivery there stops.
    "app_uninstalled",
    "tokens_revoked",
)


def manifest(public_url: str | None, socket_mode: bool, name: str = "copbot") -> dict[str, Any]:
    events_url = f"{public_url.rstrip('/')}/slack/events" if public_url else None
    if not socket_mode and not events_url:
        raise ValueError("HTTP mode needs the public https URL of this server (--url)")
    slash: dict[str, Any] = {
        "command": "/cop",
        "description": "Run your Community of Practice",
        "usage_hint": "help | communities | join <community> | expert <topic> | lessons <words>",
        "should_escape": True,
    }
    interactivity: dict[str, Any] = {"is_enabled": True}
    oauth: dict[str, Any] = {"scopes": {"bot": list(BOT_SCOPES)}}
    if public_url:
        # Installs into many workspaces (SLACK_CLIENT_ID/SECRET) come back here.
        oauth["redirect_urls"] = [f"{public_url.rstrip('/')}/slack/oauth_redirect"]
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    if not socket_mode:
        slash["url"] = events_url
        interactivity["request_url"] = events_url
        events["request_url"] = events_url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": name,
            "description": "Runs Communities of Practice: experts, lessons, meetings, health.",
            "background_color": "#2c2d30",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": name, "always_online": True},
            "shortcuts": [
                {
                    "name": "Save as lesson",
                    "type": "message",
                    "callback_id": "save_as_lesson",
                    "description": "Turn this message into a lesson learned",
                }
            ],
            "slash_commands": [slash],
        },
        "oauth_config": oauth,
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            # Enterprise Grid: one org-wide install serves every workspace of the org.
            "org_deploy_enabled": True,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }


def manifest_yaml(
    settings: Settings | None = None,
    socket_mode: bool = False,
    *,
    public_url: str | None = None,
) -> str:
    """The manifest as text (JSON, a subset of YAML). The URL defaults to COPBOT_PUBLIC_URL."""
    url = public_url or (settings.public_url if settings else None)
    if url is None and not socket_mode:
        url = Settings().public_url
    if url is None and not socket_mode:
        url = "https://YOUR-HOST.example.com"
    return json.dumps(manifest(url, socket_mode), indent=2)
