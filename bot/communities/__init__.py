"""Communities: joining, charters, roles, and the member's own profile (`me`, linking)."""

from __future__ import annotations

from bot.registry import Registry


def register(registry: Registry) -> None:
    """Add this capability's commands, forms, jobs and demo data to `registry`."""
    from bot.communities import (
        commands,
        demo,
        goals,
        home,
        lifecycle,
        network,
        own_time,
        people,
        roles,
    )

    registry.install(commands, demo, goals, home, lifecycle, network, people, own_time, roles)
