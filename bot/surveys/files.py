"""Survey results as files: a PNG chart of the distributions and a CSV of the aggregates.

Both draw only what they are given: callers pass `bot.surveys.results` figures, where a
question too thin to stay anonymous arrives as `Withheld` and shows no figure at all.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from bot.surveys.stats import QuestionStats, Withheld

WITHHELD_NOTE = "hidden: too few answers to stay anonymous"


def chart_png(title: str, stats: Sequence[QuestionStats | Withheld]) -> bytes | None:
    """Horizontal bars per scored question; None when there is nothing to draw."""
    drawable = [
        (n, s)
        for n, s in enumerate(stats, start=1)
        if isinstance(s, QuestionStats) and s.distribution and s.n
    ]
    if not drawable:
        return None
    # Imported here, not at the top: matplotlib costs ~40 MB and half a second at start-up,
    # and most processes never draw a chart (docs/HACKING.md, "Imports a process may not need").
    # The object-oriented API renders with Agg and never touches pyplot's global state, so it is
    # safe on a server without a display and from concurrent requests.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    height = sum(1.0 + 0.28 * len(s.distribution) for _, s in drawable)
    fig = Figure(figsize=(8, max(2.5, height)), layout="constrained")  # room for suptitle
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(drawable), 1, squeeze=False)
    for axis, (number, item) in zip(axes[:, 0], drawable, strict=True):
        labels = [label for label, _ in item.distribution]
        counts = [count for _, count in item.distribution]
        axis.barh(labels, counts, color="#3b7dd8")
        axis.invert_yaxis()
        axis.set_title(_wrap(f"{number}. {item.question.text}"), fontsize=9, loc="left")
        axis.tick_params(labelsize=8)
        axis.xaxis.get_major_locator().set_params(integer=True)
    fig.suptitle(title, fontsize=11)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    return buffer.getvalue()


def _wrap(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def aggregates_csv(
    stats: Sequence[QuestionStats | Withheld], respondents: int, invited: int
) -> bytes:
    """One row per (question, answer option) with counts, plus the per-question figures.

    Aggregates only: free-text answers and anything about who answered are left out; a
    withheld question is one row saying so, without even its number of answers.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["respondents", respondents, "invited", invited])
    writer.writerow(["question", "kind", "option", "count", "n", "mean", "favourable_pct", "nps"])
    for number, item in enumerate(stats, start=1):
        if isinstance(item, Withheld):
            label = f"Q{number} {item.question.text}"
            writer.writerow([label, item.question.kind, WITHHELD_NOTE, "", "", "", "", ""])
            continue
        figures = [
            item.n,
            "" if item.mean is None else f"{item.mean:.2f}",
            "" if item.favourable is None else f"{item.favourable:.1f}",
            "" if item.nps is None else f"{item.nps:.1f}",
        ]
        label = f"Q{number} {item.question.text}"
        if not item.distribution:
            writer.writerow([label, item.question.kind, "", "", *figures])
        for option, count in item.distribution:
            writer.writerow([label, item.question.kind, option, count, *figures])
    return buffer.getvalue().encode("utf-8")
