"""Reading human dates and times, shared by every capability.

Weekday names (`tue`, `thursdays`), `today`/`tomorrow`/`next friday`, month-name dates
(`24 dec`, `Dec 24th`, `Jan 5, 2027`), times of day (`15:00`, `3pm`) and spans (`7d`, `2w`,
`3h`). Each capability decides what a bare day means for it and words its own refusals; the
pieces here refuse only what is never a date or a time, always with a `UserError`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from dateutil.rrule import FR, MO, SA, SU, TH, TU, WE, weekday

from bot.errors import UserError

WEEKDAYS: dict[str, weekday] = {
    "mo": MO, "mon": MO, "monday": MO, "mondays": MO,
    "tu": TU, "tue": TU, "tues": TU, "tuesday": TU, "tuesdays": TU,
    "we": WE, "wed": WE, "weds": WE, "wednesday": WE, "wednesdays": WE,
    "th": TH, "thu": TH, "thur": TH, "thurs": TH, "thursday": TH, "thursdays": TH,
    "fr": FR, "fri": FR, "friday": FR, "fridays": FR,
    "sa": SA, "sat": SA, "saturday": SA, "saturdays": SA,
    "su": SU, "sun": SU, "sunday": SU, "sundays": SU,
}  # fmt: skip
MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH_NAME = (
    r"(?P<month{n}>jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)"
    r"(?:uary|ruary|ch|il|e|y|ust|ember|ober)?\.?"
)
# "24 dec", "24th December 2026", "Dec 24", "December 24th, 2026".
NAMED_DATE = re.compile(
    r"(?<!\S)(?:(?P<day1>\d{1,2})(?:st|nd|rd|th)?\s+"
    + _MONTH_NAME.format(n=1)
    + r"|"
    + _MONTH_NAME.format(n=2)
    + r"\s+(?P<day2>\d{1,2})(?:st|nd|rd|th)?,?)"
    r"(?:\s+(?P<year>\d{4}))?(?!\S)",
    re.I,
)
ISO_DATE = re.compile(r"(?<!\S)(\d{4})-(\d{1,2})-(\d{1,2})(?!\S)")
TIME_12 = re.compile(r"(?<![\w:])(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?m\.?(?!\w)", re.I)
TIME_24 = re.compile(r"(?<![\w:])(\d{1,2})[:h](\d{2})(?!\w)")
_SPAN = re.compile(r"^(?:(\d{1,3})\s*(d|days?)|(\d{1,2})\s*(w|weeks?)|(\d{1,3})\s*(h|hours?))$")
# Unambiguous ways people write a day with its year; 03/04/2026 is not one (March or April?).
_WRITTEN_DATES = ("%Y-%m-%d", "%Y/%m/%d", "%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y")


def parse_time(text: str) -> time | None:
    """The first time of day in a text (`15:00`, `9h30`, `3pm`, `3:30 p.m.`), if any."""
    found = TIME_12.search(text)
    if found:
        hour, minute = int(found[1]), int(found[2] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            raise UserError(f"`{found[0]}` is not a time. Use 24-hour `15:00` or `3pm`.")
        hour = hour % 12 + (12 if found[3].lower() == "p" else 0)
        return time(hour, minute)
    found = TIME_24.search(text)
    if found:
        hour, minute = int(found[1]), int(found[2])
        if hour > 23 or minute > 59:
            raise UserError(f"`{found[0]}` is not a time. Use 24-hour `15:00` or `3pm`.")
        return time(hour, minute)
    return None


def named_date(found: re.Match[str], today: date) -> date:
    """The day of a `NAMED_DATE` match: "24 dec" is this year's, or next year's once it has
    passed; "24 dec 2027" is that day."""
    month = MONTHS[(found["month1"] or found["month2"]).lower()[:3]]
    day = int(found["day1"] or found["day2"])
    year = int(found["year"]) if found["year"] else today.year
    try:
        result = date(year, month, day)
        if not found["year"] and result < today:
            result = date(year + 1, month, day)
    except ValueError:
        raise UserError(f"`{found[0].strip()}` is not a date. Use `YYYY-MM-DD`.") from None
    return result


def named_day(word: str, today: date) -> date | None:
    """`today`, `tomorrow`, or the next such weekday after today; None for any other word."""
    word = word.lower()
    if word == "today":
        return today
    if word == "tomorrow":
        return today + timedelta(days=1)
    if word in WEEKDAYS:
        return today + relativedelta(days=1, weekday=WEEKDAYS[word](+1))
    return None


def parse_span(text: str) -> timedelta | None:
    """A span from now: `7d`, `10 days`, `2w`, `3h`; None when the text is not one."""
    found = _SPAN.match(" ".join(text.lower().split()))
    if not found:
        return None
    if found[1]:
        return timedelta(days=int(found[1]))
    if found[3]:
        return timedelta(weeks=int(found[3]))
    return timedelta(hours=int(found[5]))


def written_date(text: str) -> date | None:
    """A day written in full with its year: `2026-02-17`, `17 Feb 2026`, `Feb 17, 2026`."""
    text = " ".join(text.replace(",", " ").split())
    for layout in _WRITTEN_DATES:
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    return None
