"""Meetings: scheduling, recurrence, reminders, RSVPs, check-in, attendance and files."""

from __future__ import annotations

from bot.registry import Registry


def register(registry: Registry) -> None:
    """Add this capability's commands, forms, jobs and demo data to `registry`."""
    from bot.meetings import attendance, commands, demo, files, jobs, occurrences, reminders

    registry.install(commands, occurrences, reminders, attendance, files, jobs, demo)
