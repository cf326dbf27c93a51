"""Slack adapter (slack-bolt AsyncApp mounted in our aiohttp app)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from bot.core_api import CoreAPI

NOT_CONNECTED = (
    "Slack: not connected (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or SLACK_CLIENT_ID, "
    "SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET to install into many workspaces)"
)


def mount(app: web.Application, core: CoreAPI) -> str:
    """Mount POST /slack/events when Slack is configured; returns a status line.

    With SLACK_APP_TOKEN set, Slack is reached over Socket Mode instead (no public URL).
    """
    settings = core.services.settings
    if not settings.slack_enabled:
        return NOT_CONNECTED
    from adapters.slack.handlers import SLACK, SlackAdapter

    adapter = SlackAdapter(core, settings)
    app[SLACK] = adapter
    core.services.ports.register(adapter.port)
    app.on_cleanup.append(adapter.close)
    app.on_startup.append(adapter.check_credentials)
    installs = ""
    if settings.slack_oauth:
        app.router.add_get("/slack/install", adapter.handle_install)
        app.router.add_get("/slack/oauth_redirect", adapter.handle_install)
        installs = f"; install into a workspace at {settings.base_url}/slack/install"
    if settings.slack_app_token:
        app.on_startup.append(adapter.start_socket_mode)
        return "Slack: connected over Socket Mode" + installs
    app.router.add_post("/slack/events", adapter.handle_http)
    return f"Slack: listening on {settings.base_url}/slack/events" + installs
