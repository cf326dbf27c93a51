"""Microsoft Teams adapter (botbuilder CloudAdapter)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web

    from bot.app import Core


def mount(app: web.Application, core: Core) -> str:
    """Mount POST /api/messages; returns a status line."""
    return "Teams: not connected (set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD)"
