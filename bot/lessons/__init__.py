"""Lessons learned: drafting, review, publishing, search and sensitivity."""

from __future__ import annotations

from bot.registry import Registry


def register(registry: Registry) -> None:
    """Add this capability's commands, forms, jobs and demo data to `registry`."""
    from bot.lessons import browse, commands, demo

    registry.install(commands, browse, demo)
