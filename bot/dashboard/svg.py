"""Charts as inline SVG, drawn on the server: no JavaScript, no external asset, readable by
screen readers through a title and a link to the same figures as a table.

Every piece of text is escaped (labels can be user text such as a meeting title).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from markupsafe import Markup, escape

from bot.pages import Chart

# Small enough that 14px text stays readable when a phone scales the chart down.
WIDTH, HEIGHT = 420, 250
LEFT, RIGHT, TOP, BOTTOM = 36, 8, 34, 36
COLOURS = ("#1f5fa8", "#e08a00", "#2e8b57", "#b03060")


def _nice_max(value: float) -> float:
    """A round top for the value axis: four gridline steps of 1, 2, 2.5 or 5 × a power of
    ten, at least 1 each (counts of people read badly as 1.25)."""
    if value <= 0:
        return 4.0
    wanted = value / 4
    power = 10 ** math.floor(math.log10(wanted))
    for factor in (1, 2, 2.5, 5, 10):
        step = max(1.0, factor * power)
        if step >= wanted:
            return 4 * step
    return 4 * 10 * power


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def render(chart: Chart, title: str, element_id: str) -> Markup:
    """The chart as an `<svg>` element; `title` names it for assistive technology."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    if chart.kind == "stacked":
        totals = [sum(s.values[i] or 0 for s in chart.series) for i in range(len(chart.labels))]
        top = chart.maximum or _nice_max(max(totals, default=0))
    else:
        values = [v for s in chart.series for v in s.values if v is not None]
        top = chart.maximum or _nice_max(max(values, default=0))

    def y(value: float) -> float:
        return TOP + plot_h - (value / top) * plot_h

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{element_id}-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{element_id}-title">{escape(title)}</title>',
    ]
    for step in range(5):
        value = top * step / 4
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" '
            f'y2="{y(value):.1f}"/>'
            f'<text class="axis" x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">'
            f"{_number(value)}</text>"
        )
    count = max(1, len(chart.labels))
    slot = plot_w / count
    every = max(1, math.ceil(count / 6))  # at most ~6 labels, so they never overlap
    for index, label in enumerate(chart.labels):
        if index % every == 0:
            x = LEFT + slot * (index + 0.5)
            parts.append(
                f'<text class="axis" x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    if chart.kind == "line":
        parts.extend(_lines(chart, slot, y))
    else:
        parts.extend(_bars(chart, slot, y))
    if len(chart.series) > 1:
        x = LEFT
        for number, series in enumerate(chart.series):
            colour = COLOURS[number % len(COLOURS)]
            parts.append(
                f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>'
                f'<text class="legend" x="{x + 16}" y="16">{escape(series.label)}</text>'
            )
            x += 24 + 8 * len(series.label)
    parts.append("</svg>")
    return Markup("".join(parts))


def _lines(chart: Chart, slot: float, y: Callable[[float], float]) -> list[str]:
    out = []
    for number, series in enumerate(chart.series):
        colour = COLOURS[number % len(COLOURS)]
        points = [
            (LEFT + slot * (i + 0.5), y(v), v, chart.labels[i])
            for i, v in enumerate(series.values)
            if v is not None
        ]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _, _ in points)
            out.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="3" points="{path}"/>'
            )
        for px, py, value, label in points:
            out.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="5" fill="{colour}">'
                f"<title>{escape(label)}: {_number(value)}</title></circle>"
                f'<text class="value" x="{px:.1f}" y="{py - 10:.1f}" text-anchor="middle">'
                f"{_number(value)}</text>"
            )
    return out


def _bars(chart: Chart, slot: float, y: Callable[[float], float]) -> list[str]:
    out = []
    groups = 1 if chart.kind == "stacked" else len(chart.series)
    bar_w = slot * 0.7 / groups
    base = y(0)
    for index, label in enumerate(chart.labels):
        stacked = 0.0
        for number, series in enumerate(chart.series):
            value = series.values[index] or 0
            colour = COLOURS[number % len(COLOURS)]
            x = LEFT + slot * index + slot * 0.15
            if chart.kind == "stacked":
                top, bottom = y(stacked + value), y(stacked)
                stacked += value
            else:
                x += bar_w * number
                top, bottom = y(value), base
            if not value:
                continue  # nothing to draw; the table still lists the zero
            unit = f" {chart.unit}" if chart.unit else ""
            out.append(
                f'<rect x="{x:.1f}" y="{top:.1f}" width="{bar_w:.1f}" '
                f'height="{max(0.0, bottom - top):.1f}" fill="{colour}">'
                f"<title>{escape(label)}, {escape(series.label)}: {_number(value)}{unit}"
                "</title></rect>"
            )
        if chart.kind == "stacked" and stacked:
            x = LEFT + slot * (index + 0.5)
            out.append(
                f'<text class="value" x="{x:.1f}" y="{y(stacked) - 5:.1f}" '
                f'text-anchor="middle">{_number(stacked)}</text>'
            )
        elif chart.kind == "bars" and groups == 1:
            value = chart.series[0].values[index] or 0
            x = LEFT + slot * (index + 0.5)
            out.append(
                f'<text class="value" x="{x:.1f}" y="{y(value) - 5:.1f}" '
                f'text-anchor="middle">{_number(value)}</text>'
            )
    return out
