"""Survey opening and closing times as people type them, in their own timezone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import UserError
from bot.surveys.when import parse_moment
from tests.conftest import START  # Monday 2 March 2026, 09:00 UTC

BERLIN = ZoneInfo("Europe/Berlin")  # UTC+1 until the end of March


@pytest.mark.parametrize(
    ("text", "end_of_day", "expected"),
    [
        ("now", True, START),
        ("3d", True, datetime(2026, 3, 5, 9, 0, tzinfo=UTC)),
        ("2w", False, datetime(2026, 3, 16, 9, 0, tzinfo=UTC)),
        ("friday", True, datetime(2026, 3, 6, 22, 59, tzinfo=UTC)),
        ("Next Friday", True, datetime(2026, 3, 6, 22, 59, tzinfo=UTC)),
        ("fri", False, datetime(2026, 3, 6, 8, 0, tzinfo=UTC)),
        ("monday", True, datetime(2026, 3, 9, 22, 59, tzinfo=UTC)),  # today is Monday: next one
        ("tomorrow 17:00", True, datetime(2026, 3, 3, 16, 0, tzinfo=UTC)),
        ("today 18:30", True, datetime(2026, 3, 2, 17, 30, tzinfo=UTC)),
        ("2026-03-20", True, datetime(2026, 3, 20, 22, 59, tzinfo=UTC)),
        ("2026-03-20 17:00", False, datetime(2026, 3, 20, 16, 0, tzinfo=UTC)),
    ],
)
def test_moments_people_type(text: str, end_of_day: bool, expected: datetime) -> None:
    assert parse_moment(text, now=START, zone=BERLIN, end_of_day=end_of_day) == expected


@pytest.mark.parametrize("text", ["blursday", "friday 25:00", "friday at noon", "2026-02-30"])
def test_unreadable_moments_say_what_to_type(text: str) -> None:
    with pytest.raises(UserError, match="Use `now`"):
        parse_moment(text, now=START, zone=BERLIN, end_of_day=True)
