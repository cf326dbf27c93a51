"""When a survey opens and closes: `now`, `3d`, `2026-03-20`, `2026-03-20 17:00` (local)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import UserError

_DAYS = re.compile(r"^(\d{1,3})\s*(d|days?)$")
_WEEKS = re.compile(r"^(\d{1,2})\s*(w|weeks?)$")
HOW = "Use `now`, `7d`, `2w`, `2026-03-20` or `2026-03-20 17:00`."


def parse_moment(text: str, *, now: datetime, zone: ZoneInfo, end_of_day: bool) -> datetime:
    """An aware UTC instant; a bare date means 09:00 (opening) or 23:59 (closing) local."""
    text = " ".join(text.lower().split())
    if text in {"", "now"}:
        return now
    if found := _DAYS.match(text):
        return now + timedelta(days=int(found[1]))
    if found := _WEEKS.match(text):
        return now + timedelta(weeks=int(found[1]))
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(text, pattern)
        except ValueError:
            continue
        if pattern == "%Y-%m-%d":
            parsed = datetime.combine(parsed.date(), time(23, 59) if end_of_day else time(9, 0))
        return parsed.replace(tzinfo=zone).astimezone(UTC)
    raise UserError(f"I can't read `{text}` as a time. {HOW}")
