"""Pulse surveys: creation, anonymous answers, results, charts and CSV."""

from __future__ import annotations

from bot.registry import Registry


def register(registry: Registry) -> None:
    """Add this capability's commands, forms, jobs and demo data to `registry`."""
    from bot.surveys import commands, create, demo, jobs

    registry.install(create, commands, demo, jobs)
