"""The trend chart of `stats`: a few headline shares, one point per month or quarter."""

from __future__ import annotations

import io
from collections.abc import Sequence

from bot.figures.definitions import BY_KEY
from bot.figures.measure import Measure
from bot.figures.window import Window

# Shares on one 0-100% axis, so the lines compare at a glance.
CHART_KEYS = ("active_ratio", "contributor_ratio", "attendance_rate", "department_reach")


def trend_png(
    title: str,
    series: Sequence[tuple[Window, dict[str, Measure]]],
    keys: Sequence[str] = CHART_KEYS,
) -> bytes | None:
    """A line per figure over the windows of `series`; None when no figure has a value.

    A window without a value leaves a gap in its line rather than a drop to 0.
    """
    drawn = [k for k in keys if any(m.get(k, Measure(None)).value is not None for _, m in series)]
    if not drawn:
        return None
    # Imported here: matplotlib costs a second to import and only this function needs it.
    # The object-oriented API with the Agg canvas never touches pyplot's global state, so it
    # is safe without a display and from concurrent requests.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 4), layout="constrained")
    FigureCanvasAgg(fig)
    axis = fig.subplots()
    positions = list(range(len(series)))
    for key in drawn:
        values = [
            100 * v if (v := m.get(key, Measure(None)).value) is not None else float("nan")
            for _, m in series
        ]
        axis.plot(positions, values, marker="o", label=BY_KEY[key].label)
    axis.set_xticks(positions, [w.short_label for w, _ in series], fontsize=8)
    axis.set_ylim(0, 105)
    axis.set_ylabel("%")
    axis.grid(True, alpha=0.3)
    fig.legend(loc="outside lower center", ncols=len(drawn), fontsize=8)
    axis.set_title(title, fontsize=11)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    return buffer.getvalue()
