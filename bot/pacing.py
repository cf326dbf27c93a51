"""How fast each platform lets us send: the estimate a launcher is told before a fan-out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from bot.config import Settings
from bot.messages import Platform


def sends_per_second(settings: Settings, platform: Platform) -> float | None:
    """The binding rate of a fan-out of DMs (one message per person) on a platform; None when
    the platform sets no limit (the local chat)."""
    if platform is Platform.SLACK:
        return settings.slack_workspace_per_minute / 60.0
    if platform is Platform.TEAMS:
        return settings.teams_tenant_per_second
    return None


def fanout_duration(settings: Settings, counts: Mapping[Platform, int]) -> timedelta:
    """How long DMs to `counts` people take at the platforms' pace (platforms send side by side)."""
    seconds = 0.0
    for platform, count in counts.items():
        rate = sends_per_second(settings, platform)
        if rate and count:
            seconds = max(seconds, count / rate)
    return timedelta(seconds=seconds)


def about(duration: timedelta) -> str:
    """'about 4 minutes', 'under a minute', 'about 2 hours'."""
    seconds = duration.total_seconds()
    if seconds < 60:
        return "under a minute"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"about {minutes} minute{'s' if minutes != 1 else ''}"
    hours = round(minutes / 60)
    return f"about {hours} hours"
