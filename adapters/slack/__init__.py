"""Slack adapter (slack-bolt AsyncApp mounted in our aiohttp app)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web

    from bot.app import Core


def mount(app: web.Application, core: Core) -> str:
    """Mount POST /slack/events when Slack is configured; returns a status line."""
    return "Slack: not connected (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET)"
