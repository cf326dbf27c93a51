"""Community health checks: quarterly rounds, prompts, scoring and the health view."""

from __future__ import annotations

from bot.registry import Registry


def register(registry: Registry) -> None:
    """Add this capability's commands, forms, jobs and demo data to `registry`."""
    from bot.health import commands, demo, jobs

    registry.install(commands, demo, jobs)
