"""When a survey opens and closes: `now`, `3d`, `friday`, `2026-03-20 17:00` (local time)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta

from bot.errors import UserError

_DAYS = re.compile(r"^(\d{1,3})\s*(d|days?)$")
_WEEKS = re.compile(r"^(\d{1,2})\s*(w|weeks?)$")
_NAMED_DAY = re.compile(r"^(?:next\s+)?(\w+)(?:\s+(\d{1,2}):(\d{2}))?$")
_WEEKDAYS = {
    name: day
    for day, names in (
        (MO, ("monday", "mon")),
        (TU, ("tuesday", "tue")),
        (WE, ("wednesday", "wed")),
        (TH, ("thursday", "thu")),
        (FR, ("friday", "fri")),
        (SA, ("saturday", "sat")),
        (SU, ("sunday", "sun")),
    )
    for name in names
}
HOW = "Use `now`, `7d`, `2w`, `friday`, `tomorrow 17:00`, `2026-03-20` or `2026-03-20 17:00`."


def parse_moment(text: str, *, now: datetime, zone: ZoneInfo, end_of_day: bool) -> datetime:
    """An aware UTC instant; a bare date means 09:00 (opening) or 23:59 (closing) local."""
    text = " ".join(text.lower().split())
    if text in {"", "now"}:
        return now
    if found := _DAYS.match(text):
        return now + timedelta(days=int(found[1]))
    if found := _WEEKS.match(text):
        return now + timedelta(weeks=int(found[1]))
    if (found := _NAMED_DAY.match(text)) and (day := _named_day(found[1], now, zone)):
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


def _named_day(word: str, now: datetime, zone: ZoneInfo) -> date | None:
    """`today`, `tomorrow`, or the next such weekday after today, in the asker's zone."""
    today = now.astimezone(zone).date()
    if word == "today":
        return today
    if word == "tomorrow":
        return today + timedelta(days=1)
    if word in _WEEKDAYS:
        return today + relativedelta(days=1, weekday=_WEEKDAYS[word](+1))
    return None
