"""Leader nudges (DOMAIN.md §4): daily rules over each community's facts, at most one nudge a
week per leader, each with "Do it", "Snooze" and "Not relevant"."""

from __future__ import annotations

from bot.registry import Registry


def register(registry: Registry) -> None:
    from bot.nudges import commands, jobs, page

    registry.install(commands, jobs, page)
