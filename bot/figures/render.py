"""How a figure reads: its value in its unit, the arrow against the previous window."""

from __future__ import annotations

from bot.figures.definitions import FigureDef
from bot.figures.measure import Measure

UP, DOWN, FLAT = "↑", "↓", "→"


def number_text(definition: FigureDef, value: float) -> str:
    match definition.unit:
        case "share":
            return f"{round(value * 100)}%"
        case "count":
            return f"{round(value)}"
        case "signed":
            return f"{round(value):+d}"
        case "nps":
            return f"{round(value):+d}"
        case "index":
            return f"{round(value)}/100"
        case "hours":
            return f"{value:.1f} h"
    return f"{value:g}"


def value_text(definition: FigureDef, measure: Measure) -> str:
    if measure.value is None:
        return measure.missing or "no data"
    return number_text(definition, measure.value)


def arrow(definition: FigureDef, current: Measure, previous: Measure) -> str:
    """↑ / ↓ when the shown values differ, → when they read the same, "" without both.

    Compared as displayed (whole percentage points, whole counts) so "42% → 42%" never shows
    an arrow up because of a rounding remainder.
    """
    if current.value is None or previous.value is None:
        return ""
    scale = 100 if definition.unit == "share" else 1
    now, before = round(current.value * scale), round(previous.value * scale)
    if definition.unit == "hours":
        now, before = round(current.value * 10), round(previous.value * 10)
    if now > before:
        return UP
    if now < before:
        return DOWN
    return FLAT
