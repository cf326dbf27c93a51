"""Respect for people's time: when a proactive message may reach its recipient.

Decided where every proactive message passes, the dispatcher (at claim time, so a snooze set
after a message was queued still holds it, and the database row records the wait):

| kind (storage.tables.outbox) | working hours | snooze |
|---|---|---|
| `reply`: answers the recipient's own action | on time | on time |
| `wanted`: something they asked for (a meeting they RSVP'd to) | on time | held |
| `notice`, `bulk`: survey prompts, nudges, digests, routed questions | held | held |

"Snooze holds everything proactive" (issue 17): a reminder someone asked for is still
proactive, so a snooze holds it too; only the answer to what they just did comes through.
Channel posts have no single recipient and are never held.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import UserError
from bot.when import WEEKDAYS
from storage.tables.outbox import BULK_KIND, NOTICE, REPLY, WANTED

__all__ = ["BULK_KIND", "NOTICE", "REPLY", "WANTED", "WorkHours", "held_until", "parse_hours"]

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*-\s*(\d{1,2})(?::(\d{2}))?\s*(.*)$")
HOURS_HELP = "Type e.g. `hours 08:00-16:00 mon-thu`, `hours 9-17`, or `hours off` for any time."


@dataclass(frozen=True, slots=True)
class WorkHours:
    start: time
    end: time
    days: frozenset[int]  # 0 = Monday

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M} {_days_text(self.days)}"


DEFAULT_HOURS = WorkHours(time(9), time(18), frozenset(range(5)))


def _days_text(days: frozenset[int]) -> str:
    ordered = sorted(days)
    if ordered and ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) > 2:
        return f"{_DAY_NAMES[ordered[0]]}-{_DAY_NAMES[ordered[-1]]}"
    return ",".join(_DAY_NAMES[d] for d in ordered)


def _day(word: str) -> int:
    found = WEEKDAYS.get(word.strip().lower())
    if found is None:
        raise UserError(f"`{word}` is not a day of the week. {HOURS_HELP}")
    return int(found.weekday)


def _parse_days(text: str) -> frozenset[int]:
    text = text.strip().lower()
    if not text or text in {"weekdays", "workdays"}:
        return DEFAULT_HOURS.days
    if text in {"every day", "daily", "all week"}:
        return frozenset(range(7))
    days: set[int] = set()
    for part in re.split(r"[,\s]+", text):
        if not part:
            continue
        if "-" in part:
            first, last = (_day(p) for p in part.split("-", 1))
            span = (last - first) % 7
            days.update((first + i) % 7 for i in range(span + 1))
        else:
            days.add(_day(part))
    return frozenset(days)


def parse_hours(text: str) -> WorkHours:
    """`08:00-16:00 mon-thu`, `9-17`, `8:30-17:00 mon,wed,fri`; a friendly refusal otherwise."""
    found = _RANGE.match(text)
    if not found:
        raise UserError(f"I could not read `{text}` as working hours. {HOURS_HELP}")
    try:
        start = time(int(found[1]), int(found[2] or 0))
        end = time(int(found[3]), int(found[4] or 0)) if int(found[3]) < 24 else time(23, 59)
    except ValueError:
        raise UserError(f"`{text}` has a time that does not exist. {HOURS_HELP}") from None
    if end <= start:
        raise UserError(f"Working hours must end after they start. {HOURS_HELP}")
    return WorkHours(start, end, _parse_days(found[5]))


def stored_hours(value: str | None, default: str | None = None) -> WorkHours | None:
    """A member's hours as stored: None is the deployment's default (COPBOT_WORK_HOURS, else
    09:00-18:00 on weekdays), "off" is any time (None)."""
    value = value or default
    if value is None:
        return DEFAULT_HOURS
    if value.strip().lower() == "off":
        return None
    try:
        return parse_hours(value)
    except UserError:
        return DEFAULT_HOURS


def next_working_time(now: datetime, zone: ZoneInfo, hours: WorkHours | None) -> datetime:
    """`now` if it is within the hours, else the start of the next working day (aware UTC)."""
    if hours is None or not hours.days:
        return now
    local = now.astimezone(zone)
    for ahead in range(8):
        day = local.date() + timedelta(days=ahead)
        if day.weekday() not in hours.days:
            continue
        opens = datetime.combine(day, hours.start, zone)
        closes = datetime.combine(day, hours.end, zone)
        if ahead == 0 and opens <= local < closes:
            return now
        if local < opens:
            # Through UTC, so a day that changes its clock (DST) opens at its own local hour.
            return opens.astimezone(now.tzinfo)
    return now  # unreachable with at least one day


def held_until(
    now: datetime,
    *,
    kind: str,
    zone: ZoneInfo,
    hours: WorkHours | None,
    snoozed_until: datetime | None,
) -> tuple[datetime, str] | None:
    """When a message of `kind` may go to this person, and why it waits; None: now."""
    if kind == REPLY:
        return None
    at, why = now, ""
    if snoozed_until is not None and snoozed_until > now:
        at, why = snoozed_until, "snooze"
    if kind != WANTED:
        opens = next_working_time(at, zone, hours)
        if opens > at:
            at, why = opens, why or "hours"
    return (at, why) if at > now else None
