"""Slack adapter (slack-bolt AsyncApp mounted in our aiohttp app)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from bot.core_api import CoreAPI

NOT_CONNECTED = "Slack: not connected (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET)"


def mount(app: web.Application, core: CoreAPI) -> str:
    """Mount POST /slack/events when Slack is configured; returns a status line.

    With SLACK_APP_TOKEN set, Slack is reached over Socket Mode instead (no public URL).
    """
    settings = core.services.settings
    if not settings.slack_bot_token or not (
        settings.slack_signing_secret or settings.slack_app_token
    ):
        return NOT_CONNECTED
    from adapters.slack.handlers import SLACK, SlackAdapter

    adapter = SlackAdapter(core, settings)
    app[SLACK] = adapter
    core.services.ports.register(adapter.port)
    app.on_cleanup.append(adapter.close)
    if settings.slack_app_token:
        app.on_startup.append(adapter.start_socket_mode)
        return "Slack: connected over Socket Mode"
    app.router.add_post("/slack/events", adapter.handle_http)
    return f"Slack: listening on {settings.base_url}/slack/events"
