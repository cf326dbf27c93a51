"""The public API of the engagement figures: what digests, nudges and dashboards call.

    window = Window.last_complete(Period.MONTH, now, zone)
    figures = await compute_figures(session, community, window, settings=settings, now=now)
    figures["active_ratio"].value, .previous_value, .arrow, .text, .line
    series = await trend_series(session, community, window, 6, settings=settings, now=now)

Every figure is defined once in `bot.figures.definitions.FIGURES`; each is computed for the
window and for `window.previous()`. A value is None when the data to compute it is missing, and
`missing` then says why ("no sessions held in November 2026"), so nobody reads a 0 that is not
one. Numbers are plain floats in the figure's unit (shares are 0..1).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.figures.definitions import BY_KEY, FIGURES, FigureDef
from bot.figures.measure import Measure
from bot.figures.render import arrow, value_text
from bot.figures.sources import SOURCES, SourceInput
from bot.figures.window import Window
from storage.tables import Community

__all__ = ["Figure", "FigureSet", "Measure", "compute_figures", "compute_window", "trend_series"]


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure for a window, with the same figure for the window before."""

    definition: FigureDef
    current: Measure
    previous: Measure
    window: Window

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def value(self) -> float | None:
        return self.current.value

    @property
    def previous_value(self) -> float | None:
        return self.previous.value

    @property
    def arrow(self) -> str:
        """↑, ↓ or → against the previous window; "" when either side has no value."""
        return arrow(self.definition, self.current, self.previous)

    @property
    def text(self) -> str:
        """The value as shown ("42%", "+3", "72/100"), or why there is none."""
        return value_text(self.definition, self.current)

    @property
    def line(self) -> str:
        """ "Active members: *67%* (4 of 6 members) ↑ from 50% in October 2026"."""
        shown = f"*{self.text}*" if self.current.value is not None else self.text
        line = f"{self.definition.label}: {shown}"
        if self.current.detail:
            line += f" ({self.current.detail})"
        if self.current.value is None:
            return line
        before = self.window.previous().label
        if self.previous.value is None:
            return line + f"; no figure for {before}"
        return line + f" {self.arrow} from {value_text(self.definition, self.previous)} in {before}"


@dataclass(frozen=True, slots=True)
class FigureSet:
    """Every figure of one community for one window, in the order of FIGURES."""

    community_id: int
    window: Window
    figures: tuple[Figure, ...] = field(default=())

    def __getitem__(self, key: str) -> Figure:
        for figure in self.figures:
            if figure.key == key:
                return figure
        raise KeyError(key)

    def __iter__(self) -> Iterator[Figure]:
        return iter(self.figures)

    def get(self, key: str) -> Figure | None:
        return next((f for f in self.figures if f.key == key), None)

    def sections(self) -> list[tuple[str, list[Figure]]]:
        found: dict[str, list[Figure]] = {}
        for figure in self.figures:
            found.setdefault(figure.definition.section, []).append(figure)
        return list(found.items())


async def compute_window(
    session: AsyncSession,
    community: Community,
    window: Window,
    *,
    settings: Settings,
    now: datetime | None = None,
    keys: frozenset[str] | None = None,
) -> dict[str, Measure]:
    """Every figure (or those in `keys`) for one window, without the comparison."""
    assert community.id is not None
    source_input = SourceInput(session, community.id, window, settings, now)
    found: dict[str, Measure] = {}
    for provides, source in SOURCES:
        if keys is not None and not provides & keys:
            continue
        found.update(await source(source_input))
    for definition in FIGURES:
        if definition.pending and definition.key not in found:
            found[definition.key] = Measure(None, missing=f"no data: {definition.pending}")
    return {k: v for k, v in found.items() if keys is None or k in keys}


async def compute_figures(
    session: AsyncSession,
    community: Community,
    window: Window,
    *,
    settings: Settings,
    now: datetime | None = None,
    include_leaders_only: bool = True,
) -> FigureSet:
    """Every figure for `window` and `window.previous()`.

    `now` caps a window still in progress (sessions not yet held do not count); pass the
    injected clock's now. `include_leaders_only=False` leaves out figures only leaders,
    sponsors and coordinators may see (the Leader Health Index).
    """
    assert community.id is not None
    keys = frozenset(d.key for d in FIGURES if include_leaders_only or not d.leaders_only)
    current = await compute_window(
        session, community, window, settings=settings, now=now, keys=keys
    )
    before = await compute_window(
        session, community, window.previous(), settings=settings, now=now, keys=keys
    )
    return FigureSet(
        community.id,
        window,
        tuple(
            Figure(BY_KEY[key], current[key], before[key], window)
            for key in (d.key for d in FIGURES)
            if key in keys
        ),
    )


async def trend_series(
    session: AsyncSession,
    community: Community,
    window: Window,
    count: int,
    *,
    settings: Settings,
    now: datetime | None = None,
    keys: frozenset[str] | None = None,
) -> list[tuple[Window, dict[str, Measure]]]:
    """One point per window for the `count` windows ending with `window`, oldest first."""
    return [
        (
            each,
            await compute_window(session, community, each, settings=settings, now=now, keys=keys),
        )
        for each in window.back(count)
    ]
