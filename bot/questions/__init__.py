"""Questions that get answered: asking an expert or the community, answers, escalation."""

from __future__ import annotations

from bot.registry import Registry


def register(registry: Registry) -> None:
    """Add this capability's commands, forms, jobs and demo data to `registry`."""
    from bot.questions import answers, ask, browse, demo, jobs, page

    registry.install(ask, answers, browse, jobs, demo, page)
