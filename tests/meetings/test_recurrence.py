"""Schedules typed in words become RFC 5545 rules that keep the wall-clock time across DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import UserError
from bot.meetings.parse import parse_meeting, parse_schedule
from bot.meetings.recurrence import describe, next_slots, slots_between

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
BERLIN = "Europe/Berlin"


def schedule(text: str, zone: str = BERLIN):  # type: ignore[no-untyped-def]
    return parse_schedule(text, now=NOW, default_zone=zone)


def local_starts(text: str, count: int, zone: str = BERLIN) -> list[datetime]:
    parsed = schedule(text, zone)
    tz = ZoneInfo(parsed.timezone)
    slots = next_slots(parsed.start_local, parsed.rule, tz, NOW, count)
    return [s.starts_at.astimezone(tz).replace(tzinfo=None) for s in slots]


def test_the_example_line_gives_title_rule_zone_duration_and_link() -> None:
    parsed = parse_meeting(
        '"Monthly clinic" every first tuesday 15:00 Europe/Berlin 60m https://meet.example/abc',
        now=NOW,
        default_zone="UTC",
    )
    assert parsed.title == "Monthly clinic"
    s = parsed.schedule
    assert s.rule == "FREQ=MONTHLY;BYDAY=+1TU"
    assert s.start_local == datetime(2026, 3, 3, 15, 0)
    assert (s.timezone, s.duration, s.location) == (BERLIN, 60, "https://meet.example/abc")


def test_once_on_a_date() -> None:
    s = schedule("once 2026-03-10 15:00")
    assert (s.rule, s.start_local) == ("", datetime(2026, 3, 10, 15, 0))
    assert local_starts("once 2026-03-10 15:00", 5) == [datetime(2026, 3, 10, 15, 0)]


def test_weekly_on_a_weekday() -> None:
    assert local_starts("every week on thursday 10:00", 3) == [
        datetime(2026, 3, 5, 10, 0),
        datetime(2026, 3, 12, 10, 0),
        datetime(2026, 3, 19, 10, 0),
    ]


def test_every_two_weeks_starts_at_the_next_matching_day() -> None:
    # 9:30 Berlin on Monday 2 March has passed at 10:00 Berlin, so the series starts on the 9th.
    assert local_starts("every 2 weeks on monday 9:30", 3) == [
        datetime(2026, 3, 9, 9, 30),
        datetime(2026, 3, 23, 9, 30),
        datetime(2026, 4, 6, 9, 30),
    ]
    assert schedule("every other week on monday 9:30").rule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"
    assert schedule("biweekly on monday 9:30").rule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"


def test_monthly_by_date() -> None:
    assert local_starts("monthly on the 15th 14:00", 3) == [
        datetime(2026, 3, 15, 14, 0),
        datetime(2026, 4, 15, 14, 0),
        datetime(2026, 5, 15, 14, 0),
    ]


def test_monthly_by_weekday_position_including_last() -> None:
    assert local_starts("every first tuesday 15:00", 3) == [
        datetime(2026, 3, 3, 15, 0),
        datetime(2026, 4, 7, 15, 0),
        datetime(2026, 5, 5, 15, 0),
    ]
    assert local_starts("every last friday 16:00", 3) == [
        datetime(2026, 3, 27, 16, 0),
        datetime(2026, 4, 24, 16, 0),
        datetime(2026, 5, 29, 16, 0),
    ]
    assert schedule("every third wednesday 11:00").rule == "FREQ=MONTHLY;BYDAY=+3WE"


def test_tolerant_wording() -> None:
    s = schedule("weekly on Thu at 10am for 45 minutes")
    assert (s.rule, s.start_local.hour, s.duration) == ("FREQ=WEEKLY;BYDAY=TH", 10, 45)
    assert schedule("every weekday 9:15 1h30").duration == 90
    assert schedule("tomorrow 3:30pm").start_local == datetime(2026, 3, 3, 15, 30)
    assert schedule("on friday 10:00").rule == ""


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("every tuesday", "At what time?"),
        ("every fortnite 10:00", "I didn't understand `fortnite`"),
        ("once 2026-02-01 10:00", "has already passed"),
        ("once 2026-13-45 10:00", "is not a date"),
        ("every tuesday 25:00", "is not a time"),
        ("every tuesday 10:00 Mars/Base", "not a timezone"),
        ("10:00", "On which day?"),
        ("every tuesday 10:00 900m", "between 5 minutes and 12 hours"),
        ("once 9999-12-31 23:59", "at most two years ahead"),
        ("every ² weeks 10:00", "I didn't understand"),
    ],
)
def test_mistakes_get_an_example_of_what_to_type(text: str, hint: str) -> None:
    with pytest.raises(UserError) as caught:
        schedule(text)
    assert hint in caught.value.message


def test_a_title_is_needed() -> None:
    with pytest.raises(UserError, match="title"):
        parse_meeting("every tuesday 10:00", now=NOW, default_zone=BERLIN)


@pytest.mark.parametrize(
    ("zone", "before", "after"),
    [
        # Europe springs forward on 29 March and falls back on 25 October 2026.
        ("Europe/Berlin", datetime(2026, 3, 26, 14, 0), datetime(2026, 4, 2, 13, 0)),
        ("Europe/Berlin", datetime(2026, 10, 22, 13, 0), datetime(2026, 10, 29, 14, 0)),
        # The US changes on 8 March and 1 November 2026.
        ("America/New_York", datetime(2026, 3, 5, 20, 0), datetime(2026, 3, 12, 19, 0)),
        ("America/New_York", datetime(2026, 10, 29, 19, 0), datetime(2026, 11, 5, 20, 0)),
    ],
)
def test_dst_changes_keep_the_wall_clock_time(zone: str, before: datetime, after: datetime) -> None:
    tz = ZoneInfo(zone)
    start = datetime(2026, 3, 5, 15, 0)  # Thursdays 15:00 local
    slots = slots_between(
        start, "FREQ=WEEKLY;BYDAY=TH", tz, NOW, datetime(2026, 12, 31, tzinfo=UTC)
    )
    assert all(s.starts_at.astimezone(tz).hour == 15 for s in slots)
    utc_starts = [s.starts_at.replace(tzinfo=None) for s in slots]
    assert before in utc_starts and after in utc_starts
    index = utc_starts.index(before)
    assert utc_starts[index + 1] == after
    assert after - before != timedelta(days=7)


def test_a_time_skipped_by_dst_still_happens_once() -> None:
    tz = ZoneInfo(BERLIN)
    slots = slots_between(
        datetime(2026, 3, 22, 2, 30),
        "FREQ=WEEKLY;BYDAY=SU",
        tz,
        NOW,
        datetime(2026, 4, 10, tzinfo=UTC),
    )
    assert len(slots) == 3  # 22 Mar, 29 Mar (02:30 does not exist: moved to 03:30), 5 Apr


def test_descriptions_read_back() -> None:
    start = datetime(2026, 3, 3, 15, 0)
    assert describe(start, "FREQ=MONTHLY;BYDAY=+1TU") == "every month on the first Tuesday at 15:00"
    assert describe(start, "FREQ=MONTHLY;BYDAY=-1FR") == "every month on the last Friday at 15:00"
    assert describe(start, "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO") == (
        "every 2 weeks on Monday at 15:00"
    )
    assert describe(start, "FREQ=MONTHLY;BYMONTHDAY=15") == "every month on the 15th at 15:00"
    assert describe(start, "").startswith("once, on Tue 3 Mar 2026")
    for rule in ("FREQ=MONTHLY;BYDAY=+1TU", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"):
        again = schedule(describe(start, rule).replace(",", ""))
        assert again.rule == rule


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("Catch up on data every tuesday 10:00", "Catch up on data"),
        ("Retro on 2026-03-10 15:00", "Retro"),
        ("Planning on friday 10:00", "Planning"),
        ("Sync next friday 10:00", "Sync"),
        ("“Curly quotes” every monday 9:00", "Curly quotes"),
    ],
)
def test_titles_without_quotes_stop_at_the_schedule(line: str, title: str) -> None:
    assert parse_meeting(line, now=NOW, default_zone=BERLIN).title == title
