"""The quarterly leader health check (DOMAIN.md §1.5 A): items, quarters, scores and nudges.

Pure functions: which quarter a check reviews and when it is due in a community's timezone, the
Leader Health Index and per-dimension scores, and which nudge rules (§4) low scores raise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import mean
from typing import Any
from zoneinfo import ZoneInfo

from bot.surveys.core import Question

A5_ITEMS = {
    "L1": ("Domain", "Our purpose and scope are clear and still matter for members' day-to-day work."),  # noqa: E501
    "L2": ("Domain", "Most of last quarter's activities started from members' real questions and problems."),  # noqa: E501
    "L3": ("Community", "Besides me, at least two or three people actively share the work of running the community (a core group)."),  # noqa: E501
    "L4": ("Community", "Newcomers are welcomed and quickly find a way to take part."),
    "L5": ("Reach", "Members from several departments/locations take part, not mainly my own."),
    "L6": ("Practice", "We captured knowledge others can reuse this quarter (answers, lessons, guides)."),  # noqa: E501
    "L7": ("Practice", "Questions asked in the community get timely, useful answers, including from experts when needed."),  # noqa: E501
    "L8": ("Value", "I can name at least one concrete case where the community changed how someone worked or what they achieved."),  # noqa: E501
    "L9": ("Rhythm", "Our meeting rhythm and formats feel right: regular, not stale, not too frequent."),  # noqa: E501
    "L10": ("Sponsor", "Our sponsor knows what we do and supports it (visibility, members' time, resources)."),  # noqa: E501
    "L11": ("Capacity", "I have enough time and support to lead this community well."),
}  # fmt: skip
DIMENSIONS = tuple(dict.fromkeys(dimension for dimension, _ in A5_ITEMS.values()))
RAG = {"green": "Green (healthy)", "amber": "Amber (OK, could improve)", "red": "Red (struggling)"}
STAGES = {
    "potential": "Potential",
    "coalescing": "Coalescing",
    "maturing": "Maturing",
    "stewardship": "Stewardship",
    "transformation": "Transformation",
}
DIRECTIONS = {
    "continue": "Continue as is",
    "refocus": "Refocus",
    "merge": "Merge with another community",
    "pause": "Pause",
    "close": "Close",
}
CHOICE_ITEMS = {
    "L12": ("Overall health this quarter.", RAG),
    "L13": ("Which stage best describes the community now?", STAGES),
    "L14": ("For next quarter the community should:", DIRECTIONS),
}
TEXT_ITEMS = {
    "L15": "Value story (optional): What happened? What did people gain? How was it used? "
    "What difference did it make (time, cost, quality, risk)?",
    "L16": "What is the one thing you want help with next quarter?",
}
# Items scored <= 2 raise the §4 rule whose condition names them (L1, L3, L10, L11) or whose
# suggested action answers them (newcomers -> recruit, reach -> widen, answers -> route,
# rhythm -> schedule).
LOW_SCORE_RULES = {
    "L1": "N13",
    "L3": "N8",
    "L4": "N4",
    "L5": "N5",
    "L7": "N6",
    "L9": "N1",
    "L10": "N14",
    "L11": "N15",
}
LOW = 2
RAG_ORDER = ("green", "amber", "red")


def question(item: str) -> Question:
    """The item as a survey question, so parsing and form widgets are shared with surveys."""
    if item in A5_ITEMS:
        return Question("a5", A5_ITEMS[item][1])
    if item in CHOICE_ITEMS:
        text, options = CHOICE_ITEMS[item]
        return Question("choice", text, tuple(options.values()))
    return Question("text", TEXT_ITEMS[item], required=False)


ITEMS = (*A5_ITEMS, *CHOICE_ITEMS, *TEXT_ITEMS)


# -- quarters ----------------------------------------------------------------------------------


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}Q{quarter}"


def previous(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def parse_quarter(label: str) -> tuple[int, int]:
    return int(label[:4]), int(label[5:])


def pretty(label: str) -> str:
    year, quarter = parse_quarter(label)
    return f"Q{quarter} {year}"


def round_start(year: int, quarter: int, day: int, hour: int, zone: ZoneInfo) -> datetime:
    """When the check of the quarter before (year, quarter) is due: its first month, local."""
    local = datetime(year, 3 * (quarter - 1) + 1, min(max(day, 1), 28), min(max(hour, 0), 23))
    return local.replace(tzinfo=zone).astimezone(UTC)


def current_round(now: datetime, day: int, hour: int, zone: ZoneInfo) -> tuple[str, datetime]:
    """(quarter reviewed, when its check was due) of the latest round due at `now`."""
    local = now.astimezone(zone)
    year, quarter = local.year, (local.month - 1) // 3 + 1
    start = round_start(year, quarter, day, hour, zone)
    if now < start:
        year, quarter = previous(year, quarter)
        start = round_start(year, quarter, day, hour, zone)
    return quarter_label(*previous(year, quarter)), start


def next_round_start(now: datetime, day: int, hour: int, zone: ZoneInfo) -> datetime:
    """When the first round after `now` is due."""
    local = now.astimezone(zone)
    year, quarter = local.year, (local.month - 1) // 3 + 1
    start = round_start(year, quarter, day, hour, zone)
    if start > now:
        return start
    year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return round_start(year, quarter, day, hour, zone)


# -- scores ------------------------------------------------------------------------------------


def index_of(scores: list[float]) -> float | None:
    """Leader Health Index: the mean of L1-L11 (1-5) rescaled to 0-100."""
    if not scores:
        return None
    return (mean(scores) - 1) / 4 * 100


@dataclass(frozen=True, slots=True)
class QuarterHealth:
    quarter: str
    answered: int  # leaders who answered
    items: dict[str, float]  # item -> mean score over leaders (N/A left out)
    dimensions: dict[str, float]
    index: float | None
    rag: str | None
    stage: str | None
    direction: str | None
    stories: tuple[str, ...]
    help: tuple[str, ...]


def combine(quarter: str, answers: list[dict[str, Any]]) -> QuarterHealth:
    """One community's quarter from its leaders' answers (oldest first).

    Items are averaged over leaders; the RAG is the worst any leader gave ("a single red is a
    signal"); stage and direction come from the latest answer.
    """
    items: dict[str, float] = {}
    for item in A5_ITEMS:
        scores = [a[item] for a in answers if isinstance(a.get(item), int | float)]
        if scores:
            items[item] = mean(scores)
    dimensions: dict[str, float] = {}
    for dimension in DIMENSIONS:
        scores = [v for k, v in items.items() if A5_ITEMS[k][0] == dimension]
        if scores:
            dimensions[dimension] = mean(scores)
    rags = [a.get("L12") for a in answers if a.get("L12") in RAG_ORDER]
    latest = answers[-1] if answers else {}
    return QuarterHealth(
        quarter=quarter,
        answered=len(answers),
        items=items,
        dimensions=dimensions,
        index=index_of(list(items.values())),
        rag=max(rags, key=RAG_ORDER.index) if rags else None,
        stage=latest.get("L13"),
        direction=latest.get("L14"),
        stories=tuple(a["L15"] for a in answers if a.get("L15")),
        help=tuple(a["L16"] for a in answers if a.get("L16")),
    )


def low_items(answers: dict[str, Any]) -> list[tuple[str, str]]:
    """(item, rule) for every item scored <= 2 that a nudge rule matches."""
    return [
        (item, rule)
        for item, rule in LOW_SCORE_RULES.items()
        if isinstance(answers.get(item), int) and answers[item] <= LOW
    ]


def trend(now: float | None, before: float | None, digits: int = 0) -> str:
    if now is None or before is None:
        return ""
    delta = round(now - before, digits)
    if delta == 0:
        return " (= last quarter)"
    arrow = "▲" if delta > 0 else "▼"
    return f" ({arrow} {delta:+.{digits}f} vs last quarter)"
