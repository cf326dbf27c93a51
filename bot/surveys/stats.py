"""Survey arithmetic on bare answer values (DOMAIN.md §2): rate, distribution, mean, % favourable,
NPS. Pure functions, so the figures can be tested on known data."""

from __future__ import annotations

from dataclasses import dataclass

from bot.surveys.core import Question


@dataclass(frozen=True, slots=True)
class QuestionStats:
    question: Question
    n: int  # answers, N/A included
    distribution: tuple[tuple[str, int], ...]  # (label, count) in scale order
    mean: float | None = None  # over numeric answers (A5 without N/A; NPS 0-10)
    favourable: float | None = None  # A5: share of 4-5 among non-N/A, in %
    not_applicable: int = 0
    nps: float | None = None  # % promoters (9-10) - % detractors (0-6)
    texts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Withheld:
    """A question whose figures are not shown: too few answers to stay anonymous."""

    question: Question


def response_rate(respondents: int, invited: int) -> float | None:
    """Respondents / invitees, in %; None when nobody was invited."""
    if invited <= 0:
        return None
    return 100.0 * respondents / invited


def nps(scores: list[int]) -> float | None:
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return 100.0 * (promoters - detractors) / len(scores)


def stats_for(question: Question, values: list[str]) -> QuestionStats:
    if question.kind == "text":
        # Sorted, not in answer order, so the list cannot be matched to who answered when.
        return QuestionStats(question, len(values), (), texts=tuple(sorted(values, key=str.lower)))
    labels = question.labels()
    counts = {value: 0 for value in labels}
    for value in values:
        if value in counts:
            counts[value] += 1
    distribution = tuple((labels[v], counts[v]) for v in labels)
    if question.kind == "a5":
        scored = [int(v) for v in values if v in {"1", "2", "3", "4", "5"}]
        return QuestionStats(
            question,
            len(values),
            distribution,
            mean=sum(scored) / len(scored) if scored else None,
            favourable=100.0 * sum(1 for s in scored if s >= 4) / len(scored) if scored else None,
            not_applicable=counts["na"],
        )
    if question.kind == "nps":
        scores = [int(v) for v in values if v.isdecimal()]
        return QuestionStats(
            question,
            len(values),
            distribution,
            mean=sum(scores) / len(scores) if scores else None,
            nps=nps(scores),
        )
    return QuestionStats(question, len(values), distribution)


def summary_line(stats: QuestionStats) -> str:
    """One line of figures for a question's results."""
    parts = [f"n={stats.n}"]
    if stats.question.kind == "nps" and stats.nps is not None:
        parts.append(f"NPS {stats.nps:+.0f}")
    if stats.mean is not None:
        parts.append(f"mean {stats.mean:.1f}")
    if stats.favourable is not None:
        parts.append(f"{stats.favourable:.0f}% favourable")
    if stats.not_applicable:
        parts.append(f"{stats.not_applicable} N/A")
    if stats.question.kind not in {"text", "nps"}:
        # N/A is already counted above ("1 N/A"); listing it again reads like a second group.
        na_label = stats.question.labels().get("na")
        shown = [
            f"{label} {count}" for label, count in stats.distribution if count and label != na_label
        ]
        if shown:
            parts.append(", ".join(shown))
    return "; ".join(parts)
