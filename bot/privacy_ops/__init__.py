"""A member's own data: export it, or ask to be forgotten."""

from __future__ import annotations

from bot.registry import Registry


def register(registry: Registry) -> None:
    """Add this capability's commands, forms, jobs and demo data to `registry`."""
    from bot.privacy_ops import commands

    registry.install(commands)
