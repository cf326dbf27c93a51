"""Success stories: value-creation stories (Wenger-Trayner cycles), featured for digests."""

from __future__ import annotations

from bot.registry import Registry


def register(registry: Registry) -> None:
    """Add this capability's commands, forms and demo data to `registry`."""
    from bot.stories import commands, demo

    registry.install(commands, demo)
