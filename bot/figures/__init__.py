"""Engagement figures (DOMAIN.md §2): definitions, windows, computation and `stats`.

Other capabilities (digests, nudges, dashboards) use `bot.figures.core.compute_figures` and
`trend_series` with a `bot.figures.window.Window`; the figures themselves are defined once in
`bot.figures.definitions.FIGURES`.
"""

from __future__ import annotations

from bot.registry import Registry


def register(registry: Registry) -> None:
    """Add `stats`, its chart download, the dashboard's figures section and the demo's history
    to `registry`."""
    from bot.figures import commands, demo, files, page

    registry.install(commands, demo, files, page)
