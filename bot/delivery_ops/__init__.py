"""The delivery view for coordinators: what is queued, failed, and retrying it."""

from __future__ import annotations

from bot.registry import Registry


def register(registry: Registry) -> None:
    """Add this capability's commands, forms, jobs and demo data to `registry`."""
    from bot.delivery_ops import commands

    registry.install(commands)
