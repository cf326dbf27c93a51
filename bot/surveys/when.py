"""When a survey opens and closes: `now`, `3d`, `friday`, `2026-03-20 17:00` (local time)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bot.errors import UserError
from bot.when import named_day, parse_span

_NAMED_DAY = re.compile(r"^(?:next\s+)?(\w+)(?:\s+(\d{1,2}):(\d{2}))?$")
HOW = "Use `now`, `7d`, `2w`, `friday`, `tomorrow 17:00`, `2026-03-20` or `2026-03-20 17:00`."


def parse_moment(text: str, *, now: datetime, zone: ZoneInfo, end_of_day: bool) -> datetime:
    """An aware UTC instant; a bare date means 09:00 (opening) or 23:59 (closing) local."""
    text = " ".join(text.lower().split())
    if text in {"", "now"}:
        return now
    if (span := parse_span(text)) is not None:
        return now + span
    if (found := _NAMED_DAY.match(text)) and (day := named_day(found[1], _today(now, zone))):
        if not found[2]:
            at = time(23, 59) if end_of_day else time(9, 0)
        elif int(found[2]) > 23 or int(found[3]) > 59:
            raise UserError(f"`{text}` is not a time of day. {HOW}")
        else:
            at = time(int(found[2]), int(found[3]))
        return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(text, pattern)
        except ValueError:
            continue
        if pattern == "%Y-%m-%d":
            parsed = datetime.combine(parsed.date(), time(23, 59) if end_of_day else time(9, 0))
        return parsed.replace(tzinfo=zone).astimezone(UTC)
    raise UserError(f"I can't read `{text}` as a time. {HOW}")


def _today(now: datetime, zone: ZoneInfo) -> date:
    """Today in the asker's zone: `friday` means their Friday, not UTC's."""
    return now.astimezone(zone).date()
