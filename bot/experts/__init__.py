"""Experts: who knows what, asking a question and routing it to people who can answer."""

from __future__ import annotations

from bot.registry import Registry


def register(registry: Registry) -> None:
    """Add this capability's commands, forms, jobs and demo data to `registry`."""
    from bot.experts import commands, coverage

    registry.install(commands, coverage)
