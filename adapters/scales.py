"""Recognising a rating scale among a reply's choices, so both platforms show it as buttons.

A scale is one command with a different number at the end of each choice (`survey answer 4 0`
… `survey answer 4 10`), each labelled by its number (`3`, `3 Neutral`), optionally with an
`N/A` choice: a 1-5 agreement scale with N/A or a 0-10 recommend question. As buttons it is
answered in one click; a select menu would take two.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.messages import Choice

MAX_SCALE = 11  # 0-10, the longest scale copbot asks
_NOT_APPLICABLE = "na"


def is_scale(choices: Sequence[Choice]) -> bool:
    """True for 2-11 command choices that form a numbered scale (see the module's text)."""
    if not 2 <= len(choices) <= MAX_SCALE or any(not c.command or c.url for c in choices):
        return False
    split = [(c.command or "").rsplit(" ", 1) for c in choices]
    if any(len(parts) != 2 for parts in split) or len({prefix for prefix, _ in split}) != 1:
        return False
    numbers: list[int] = []
    for choice, (_prefix, value) in zip(choices, split, strict=True):
        if value.lower() == _NOT_APPLICABLE and choice.label.strip().lower() == "n/a":
            continue
        label = choice.label.strip()
        if not value.isdigit() or not (label == value or label.startswith(f"{value} ")):
            return False
        numbers.append(int(value))
    return len(numbers) >= 2 and numbers == list(range(numbers[0], numbers[0] + len(numbers)))
