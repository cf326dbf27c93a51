"""Reading a meeting from one typed line, tolerantly.

`"Monthly clinic" every first tuesday 15:00 Europe/Berlin 60m https://meet.example/abc`,
`once 2026-03-10 15:00`, `every 2 weeks on monday 9:30`, `monthly on the 15th 14:00`,
`every last friday 16:00`, `weekly on thursday 10am for 45 minutes`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil.rrule import DAILY, FR, MO, MONTHLY, SA, SU, TH, TU, WE, WEEKLY, rrule, weekday

from bot.errors import UserError
from bot.meetings.recurrence import rule_string, to_utc
from bot.when import (
    ISO_DATE,
    NAMED_DATE,
    TIME_12,
    TIME_24,
    WEEKDAYS,
    named_date,
    named_day,
    parse_time,
)

EXAMPLE = (
    'For example `meeting new "Monthly clinic" every first tuesday 15:00 Europe/Berlin 60m '
    "https://meet.example/abc`, or `meeting new Retro once 10 mar 15:00`."
)
SCHEDULE_EXAMPLES = (
    "`once 10 mar 15:00`, `every week on thursday 10:00`, `every 2 weeks on monday 9:30`, "
    "`monthly on the 15th 14:00`, `every last friday 16:00`"
)
DEFAULT_DURATION = 60
MAX_DURATION = 12 * 60
MAX_AHEAD = timedelta(days=731)

_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
    "fourth": 4, "4th": 4, "fifth": 5, "5th": 5, "last": -1,
}  # fmt: skip
_WEEK_WORDS = {"week", "weeks", "weekly"}
_MONTH_WORDS = {"month", "months", "monthly"}
_DAY_WORDS = {"day", "days", "daily"}
_FILLER = {"at", "on", "the", "of", "a", "starting", "from", "and", "in", "-", "@", "every-"}
_STRONG_START = {"once", "every", "each", "weekly", "monthly", "daily", "biweekly", "fortnightly"}
_STRONG_START |= {"today", "tomorrow"}
_WEAK_START = {"on", "next"}

_URL = re.compile(r"https?://\S+", re.I)
_ZONE = re.compile(r"(?<!\S)([A-Za-z][A-Za-z_+-]*(?:/[A-Za-z0-9_+-]+)+|UTC|GMT)(?!\S)")
_DURATION = re.compile(
    r"(?<!\S)(?:for\s+)?(?:(\d{1,2})\s*(?:h|hr|hrs|hour|hours)\s*(?:(\d{1,2})\s*"
    r"(?:m|min|mins|minutes)?)?|(\d{1,3})\s*(?:m|min|mins|minute|minutes))(?!\S)",
    re.I,
)
# Said with a time ("3pm CET"), these mean a zone but not which place's daylight saving.
_ZONE_ABBREVIATIONS = {
    "cet", "cest", "eet", "eest", "wet", "west", "bst", "ist", "est", "edt", "cst", "cdt",
    "mst", "mdt", "pst", "pdt", "akst", "hst", "jst", "kst", "aest", "aedt", "awst", "nzst",
}  # fmt: skip
_UTC_OFFSET = re.compile(r"(?:utc|gmt)?[+-]\d{1,2}(?::?\d{2})?", re.I)
_MONTHDAY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$")


@dataclass(frozen=True, slots=True)
class Schedule:
    start_local: datetime  # naive wall-clock time of the first occurrence
    rule: str  # "" for a one-off meeting
    timezone: str
    duration: int | None = None
    location: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedMeeting:
    title: str
    schedule: Schedule


def zone_name(name: str) -> str:
    """The canonical spelling of a timezone name, forgiving case (`europe/berlin`)."""
    name = name.strip()
    if name.upper() in {"UTC", "GMT"}:
        return "UTC"
    # Checked first: tzdata knows "EST" and "CET", but "EST" never moves to summer time.
    if name.lower() in _ZONE_ABBREVIATIONS or _UTC_OFFSET.fullmatch(name):
        _abbreviation(name)
    canonical = _zone_names().get(name.lower())
    if canonical:
        return canonical
    raise UserError(
        f"`{name}` is not a timezone I know. Use a name like `Europe/Berlin`.",
        fields={"timezone": "Use a name like Europe/Berlin or America/New_York."},
    )


def _abbreviation(word: str) -> None:
    raise UserError(
        f"Write the timezone as a place, like `Europe/Berlin` or `America/New_York`, not "
        f"`{word}`: abbreviations and offsets are ambiguous and miss daylight saving.",
        fields={"timezone": "Use a name like Europe/Berlin or America/New_York."},
    )


@cache
def _zone_names() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def check_zone(name: str) -> ZoneInfo:
    try:
        # A stored zone (a community's, a meeting's) is used as it is, even "EST".
        return ZoneInfo(_zone_names().get(name.strip().lower(), name))
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            f"`{name}` is not a timezone I know. Use a name like `Europe/Berlin`.",
            fields={"timezone": "Use a name like Europe/Berlin or America/New_York."},
        ) from None


def parse_meeting(text: str, *, now: datetime, default_zone: str) -> ParsedMeeting:
    """Title and schedule from a typed line, or a UserError with an example."""
    text = text.strip()
    title, rest = _split_title(text)
    if not title:
        raise UserError(f"Give the meeting a title first. {EXAMPLE}")
    if len(title) > 200:
        raise UserError("Keep the title under 200 characters.")
    if not rest.strip():
        raise UserError(f"When is *{title}*? Add a schedule after the title. {EXAMPLE}")
    return ParsedMeeting(title, parse_schedule(rest, now=now, default_zone=default_zone))


def _split_title(text: str) -> tuple[str, str]:
    for opening, closing in (('"', '"'), ("“", "”"), ("'", "'")):
        if text.startswith(opening):
            end = text.find(closing, 1)
            if end > 0:
                return text[1:end].strip(), text[end + 1 :]
    words = text.split()
    # Strong words ("every", a date…) mark the schedule; "on" or "next" only when nothing else
    # does, so "Catch up on data every tuesday 10:00" keeps its title.
    strong = [i for i, w in enumerate(words) if w.lower() in _STRONG_START or ISO_DATE.fullmatch(w)]
    named = NAMED_DATE.search(" ".join(words))
    if named:  # "Xmas party dec 24 10:00": the title ends where the date starts
        strong = sorted([*strong, len(" ".join(words)[: named.start()].split())])
    weak = [i for i, w in enumerate(words) if w.lower() in _WEAK_START]
    if not strong and not weak:
        return text, ""
    index = strong[0] if strong else weak[0]
    while index > 0 and words[index - 1].lower() in _WEAK_START | {"at"}:
        index -= 1
    return " ".join(words[:index]), " ".join(words[index:])


def parse_duration(text: str) -> int | None:
    found = _DURATION.search(text)
    if not found:
        return None
    minutes = int(found[3]) if found[3] else int(found[1]) * 60 + int(found[2] or 0)
    if not 5 <= minutes <= MAX_DURATION:
        raise UserError("A meeting lasts between 5 minutes and 12 hours, e.g. `60m` or `1h30`.")
    return minutes


def parse_schedule(text: str, *, now: datetime, default_zone: str) -> Schedule:
    """A schedule from words like `every 2 weeks on monday 9:30 Europe/Berlin 45m`."""
    rest = f" {text} "
    location = None
    url = _URL.search(rest)
    if url:
        location = url[0].rstrip(".,;)")
        rest = rest.replace(url[0], " ")
    named_zone = default_zone
    zone_match = _ZONE.search(rest)
    if zone_match:
        named_zone = zone_name(zone_match[1])
        rest = rest.replace(zone_match[0], " ", 1)
    for word in rest.split():
        if word.lower() in _ZONE_ABBREVIATIONS or _UTC_OFFSET.fullmatch(word):
            _abbreviation(word)
    zone = check_zone(named_zone)
    at = parse_time(rest)
    if at is not None:
        found = TIME_12.search(rest) or TIME_24.search(rest)
        assert found is not None
        rest = rest.replace(found[0], " ", 1)
    duration = parse_duration(rest)
    rest = _DURATION.sub(" ", rest, count=1)
    on_date = None
    date_match = ISO_DATE.search(rest)
    if date_match:
        try:
            on_date = date(int(date_match[1]), int(date_match[2]), int(date_match[3]))
        except ValueError:
            raise UserError(f"`{date_match[0]}` is not a date. Use `YYYY-MM-DD`.") from None
        rest = rest.replace(date_match[0], " ", 1)
    local_now = now.astimezone(zone).replace(tzinfo=None)
    named = NAMED_DATE.search(rest) if on_date is None else None
    if named:
        on_date = named_date(named, local_now.date())
        rest = rest.replace(named[0], " ", 1)
    plan = _read_words(rest.lower().replace(",", " ").split(), local_now.date())
    if plan.on_date:
        on_date = plan.on_date
    if at is None:
        raise UserError(f"At what time? Add a time like `15:00` or `3pm`. {EXAMPLE}")
    if on_date is not None and not date(1970, 1, 2) <= on_date <= local_now.date() + MAX_AHEAD:
        raise UserError("Schedule meetings at most two years ahead, as `YYYY-MM-DD`.")
    start_local, rule = _resolve(plan, on_date, at, local_now)
    if to_utc(start_local, zone) <= now:
        raise UserError(
            f"{start_local:%Y-%m-%d %H:%M} in {named_zone} has already passed. "
            "Pick a time in the future."
        )
    return Schedule(start_local, rule, named_zone, duration, location)


@dataclass
class _Plan:
    once: bool = False
    recurring: bool = False
    freq: int | None = None
    interval: int = 1
    weekdays: list[weekday] | None = None
    monthdays: list[int] | None = None
    on_date: date | None = None


def _read_words(tokens: list[str], today: date) -> _Plan:
    plan = _Plan()
    weekdays: list[weekday] = []
    monthdays: list[int] = []
    # Ordinals waiting for their weekday: "2nd and 4th tuesday" reads 2nd, then 4th tuesday.
    positions: list[int] = []
    index = 0
    while index < len(tokens):
        word = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if word in _FILLER:
            pass
        elif word == "once":
            plan.once = True
        elif word in {"every", "each"}:
            plan.recurring = True
        elif word == "other":
            plan.interval = 2
        elif word.isdecimal() and following in _WEEK_WORDS | _MONTH_WORDS | _DAY_WORDS:
            plan.interval = int(word)
            if not 1 <= plan.interval <= 52:
                raise UserError(
                    f"`every {word} {following}` can't be scheduled: repeat every 1 to 52 "
                    f"{following.removesuffix('ly').removesuffix('s')}s."
                )
        elif word in _WEEK_WORDS:
            plan.freq, plan.recurring = WEEKLY, True
        elif word in {"biweekly", "fortnightly", "fortnight"}:
            plan.freq, plan.interval, plan.recurring = WEEKLY, 2, True
        elif word in _MONTH_WORDS:
            plan.freq, plan.recurring = MONTHLY, True
        elif word in _DAY_WORDS:
            plan.freq, plan.recurring = DAILY, True
        elif word in {"weekdays", "workdays", "weekday"}:
            plan.freq, plan.recurring = WEEKLY, True
            weekdays.extend([MO, TU, WE, TH, FR])
        elif word in {"today", "tomorrow"}:
            plan.on_date = named_day(word, today)
        elif word == "next":
            plan.once = True
        elif word in _ORDINALS and following in WEEKDAYS:
            for n in [*positions, _ORDINALS[word]]:
                weekdays.append(WEEKDAYS[following](n))
            positions.clear()
            plan.freq, plan.recurring = MONTHLY, True
            index += 1
        elif word in _ORDINALS and following in {*_ORDINALS, "and", "&", "or"}:
            positions.append(_ORDINALS[word])
        elif word in WEEKDAYS:
            weekdays.append(WEEKDAYS[word])
        elif (monthday := _MONTHDAY.match(word)) and 1 <= int(monthday[1]) <= 31:
            monthdays.append(int(monthday[1]))
        else:
            raise UserError(
                f"I didn't understand `{word}` in the schedule. Write it like {SCHEDULE_EXAMPLES}; "
                "put a title that has words like `on` in quotes."
            )
        index += 1
    # Ordinals with no weekday after them are days of the month: "on the 1st and 15th".
    if any(n < 1 for n in positions):
        raise UserError(f"The last what? Write it like `every last friday 16:00`. {EXAMPLE}")
    monthdays[:0] = positions
    plan.weekdays = weekdays or None
    plan.monthdays = sorted(set(monthdays)) or None
    return plan


def _resolve(
    plan: _Plan, on_date: date | None, at: time, local_now: datetime
) -> tuple[datetime, str]:
    recurring = plan.recurring and not plan.once
    if not recurring and plan.monthdays and not on_date:
        recurring, plan.freq = True, MONTHLY
    if not recurring:
        if on_date is None and plan.weekdays:
            wanted = plan.weekdays[0].weekday
            ahead = (wanted - local_now.weekday()) % 7
            candidate = datetime.combine(local_now.date() + timedelta(days=ahead), at)
            if candidate <= local_now:
                candidate += timedelta(days=7)
            return candidate, ""
        if on_date is None:
            raise UserError(
                "On which day? Add a date like `once 10 mar 15:00` or a repeat like "
                f"`every tuesday 15:00`. {EXAMPLE}"
            )
        return datetime.combine(on_date, at), ""
    base = datetime.combine(on_date or local_now.date(), at)
    freq = plan.freq
    if (plan.weekdays and any(w.n for w in plan.weekdays)) or plan.monthdays:
        freq = MONTHLY
    elif freq is None:
        freq = WEEKLY if plan.weekdays else None
    if freq is None:
        raise UserError(f"Every what? Write it like {SCHEDULE_EXAMPLES}.")
    options: dict[str, object] = {"interval": plan.interval}
    if freq == MONTHLY:
        if plan.weekdays:
            options["byweekday"] = [w if w.n else w(1) for w in plan.weekdays]
        else:
            options["bymonthday"] = plan.monthdays or base.day
    elif freq == WEEKLY:
        options["byweekday"] = plan.weekdays or [(MO, TU, WE, TH, FR, SA, SU)[base.weekday()]]
    # The first matching day first (ignoring the interval), then the rule anchored on it, so
    # "every 2 weeks on monday" starts next Monday and DTSTART is the first instance (RFC 5545).
    pattern = {k: v for k, v in options.items() if k != "interval"}
    first = rrule(freq, dtstart=base, **pattern).after(max(base, local_now))  # type: ignore[arg-type]  # rrule's keywords have one type each
    if first is None:
        raise UserError(f"That schedule never happens. Write it like {SCHEDULE_EXAMPLES}.")
    return first, rule_string(rrule(freq, dtstart=first, **options))  # type: ignore[arg-type]  # rrule's keywords have one type each
