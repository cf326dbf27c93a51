"""Meeting schedules: RFC 5545 rules over a wall-clock start in a named timezone.

A meeting keeps its local start ("15:00 in Europe/Berlin") and its rule; every occurrence is
computed in local time first and only then converted to UTC, so a weekly 15:00 stays at 15:00
across daylight-saving changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ORDINAL_NAMES = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}
# Never expand a rule further than this many occurrences in one call.
MAX_EXPANSION = 500


@dataclass(frozen=True, slots=True)
class Slot:
    """One planned occurrence: its wall-clock start and the matching UTC instant."""

    local: datetime  # naive, in the meeting's timezone
    starts_at: datetime  # aware UTC


def rule_string(rule: rrule) -> str:
    """The RRULE part of a dateutil rule (without DTSTART), e.g. `FREQ=WEEKLY;BYDAY=TU`."""
    for line in str(rule).splitlines():
        if line.startswith("RRULE:"):
            return line.removeprefix("RRULE:")
    raise ValueError("not a recurring rule")


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A naive wall-clock time in `zone` as aware UTC (a time skipped by DST moves forward)."""
    return local.replace(tzinfo=zone).astimezone(UTC)


def slots_between(
    start_local: datetime,
    rule: str,
    zone: ZoneInfo,
    after: datetime,
    until: datetime,
) -> list[Slot]:
    """Occurrences starting in [after, until) (aware UTC bounds), in order."""
    if not rule:
        starts_at = to_utc(start_local, zone)
        return [Slot(start_local, starts_at)] if after <= starts_at < until else []
    # Local bounds with a day of margin either side; filtered exactly in UTC below.
    low = after.astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
    high = until.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
    found: list[Slot] = []
    for local in rrulestr(rule, dtstart=start_local).xafter(max(low, start_local), inc=True):
        if local > high or len(found) >= MAX_EXPANSION:
            break
        starts_at = to_utc(local, zone)
        if after <= starts_at < until:
            found.append(Slot(local, starts_at))
    return found


def next_slots(
    start_local: datetime, rule: str, zone: ZoneInfo, after: datetime, count: int
) -> list[Slot]:
    """The next `count` occurrences starting at or after `after` (aware UTC)."""
    if not rule:
        return slots_between(start_local, rule, zone, after, datetime.max.replace(tzinfo=UTC))
    low = after.astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
    found: list[Slot] = []
    for local in rrulestr(rule, dtstart=start_local).xafter(max(low, start_local), inc=True):
        starts_at = to_utc(local, zone)
        if starts_at >= after:
            found.append(Slot(local, starts_at))
        if len(found) >= count:
            break
    return found


def describe(start_local: datetime, rule: str) -> str:
    """A short human description: "every 2 weeks on Monday at 09:30"."""
    at = start_local.strftime("%H:%M")
    if not rule:
        return f"once, on {day_text(start_local)} at {at}"
    parts = dict(part.split("=", 1) for part in rule.split(";") if "=" in part)
    freq = parts.get("FREQ", "")
    interval = int(parts.get("INTERVAL", "1") or 1)
    byday = parts.get("BYDAY", "")
    if freq == "DAILY":
        return ("every day" if interval == 1 else f"every {interval} days") + f" at {at}"
    if freq == "WEEKLY":
        days = [d for d in byday.split(",") if d] or [WEEKDAY_CODES[start_local.weekday()]]
        weekdays = ", ".join(WEEKDAY_NAMES[WEEKDAY_CODES.index(d[-2:])] for d in days)
        every = "every week" if interval == 1 else f"every {interval} weeks"
        return f"{every} on {weekdays} at {at}"
    if freq == "MONTHLY":
        every = "every month" if interval == 1 else f"every {interval} months"
        if byday:
            # "+2TU,+4TU" reads "the second and fourth Tuesday"; mixed weekdays name each one.
            codes = byday.split(",")
            names = [WEEKDAY_NAMES[WEEKDAY_CODES.index(code[-2:])] for code in codes]
            places = [ORDINAL_NAMES.get(int(code[:-2] or 1), code[:-2]) for code in codes]
            if len(set(names)) == 1:
                return f"{every} on the {_and(places)} {names[0]} at {at}"
            each = _and([f"{place} {name}" for place, name in zip(places, names, strict=True)])
            return f"{every} on the {each} at {at}"
        monthdays = [int(d) for d in parts.get("BYMONTHDAY", str(start_local.day)).split(",")]
        return f"{every} on the {_and([ordinal(day) for day in monthdays])} at {at}"
    return f"{rule} at {at}"


def ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def day_text(day: date) -> str:
    """`Tue 3 Mar 2026`, the way session times are written (no leading zero)."""
    return f"{day:%a} {day.day} {day:%b %Y}"
