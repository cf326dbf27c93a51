"""Sponsor and programme digests (DOMAIN.md §3): built per period, delivered through the outbox."""

from __future__ import annotations

from bot.registry import Registry


def register(registry: Registry) -> None:
    """Add this capability's commands, jobs and page sections to `registry`."""
    from bot.digests import commands, jobs, pages

    registry.install(commands, jobs, pages)
