"""Schedules people type that once scheduled something else than they asked for, or refused
input a person would expect to work (found by QA in the local chat)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import UserError
from bot.meetings.parse import parse_meeting, parse_schedule, zone_name
from bot.meetings.recurrence import describe, next_slots
from tests.helpers import Chat

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
BERLIN = "Europe/Berlin"


def local_starts(text: str, count: int) -> list[datetime]:
    parsed = parse_schedule(text, now=NOW, default_zone=BERLIN)
    tz = ZoneInfo(parsed.timezone)
    slots = next_slots(parsed.start_local, parsed.rule, tz, NOW, count)
    return [s.starts_at.astimezone(tz).replace(tzinfo=None) for s in slots]


def test_two_weekday_positions_in_a_month_are_both_kept() -> None:
    # Before, "2nd" read as the 2nd of the month and was dropped: only the 4th Tuesday remained.
    parsed = parse_schedule("every 2nd and 4th tuesday 10:00", now=NOW, default_zone=BERLIN)
    assert parsed.rule == "FREQ=MONTHLY;BYDAY=+2TU,+4TU"
    assert local_starts("every 2nd and 4th tuesday 10:00", 4) == [
        datetime(2026, 3, 10, 10, 0),
        datetime(2026, 3, 24, 10, 0),
        datetime(2026, 4, 14, 10, 0),
        datetime(2026, 4, 28, 10, 0),
    ]
    assert describe(parsed.start_local, parsed.rule) == (
        "every month on the second and fourth Tuesday at 10:00"
    )


@pytest.mark.parametrize(
    ("text", "rule", "words"),
    [
        (
            "every first and third monday 9:30",
            "FREQ=MONTHLY;BYDAY=+1MO,+3MO",
            "every month on the first and third Monday at 09:30",
        ),
        (
            "monthly on the 1st and 15th 14:00",
            "FREQ=MONTHLY;BYMONTHDAY=1,15",
            "every month on the 1st and 15th at 14:00",
        ),
        (
            "every 2nd tuesday and last friday 16:00",
            "FREQ=MONTHLY;BYDAY=+2TU,-1FR",
            "every month on the second Tuesday and last Friday at 16:00",
        ),
    ],
)
def test_several_days_a_month_read_back_from_their_description(
    text: str, rule: str, words: str
) -> None:
    parsed = parse_schedule(text, now=NOW, default_zone=BERLIN)
    assert parsed.rule == rule
    assert describe(parsed.start_local, parsed.rule) == words
    # `meeting edit` offers the description (without commas) as the schedule to change.
    again = parse_schedule(words.replace(",", ""), now=NOW, default_zone=BERLIN)
    assert again.rule == rule


@pytest.mark.parametrize("text", ["every 0 weeks on monday 9:00", "every 60 weeks on monday 9:00"])
def test_an_impossible_interval_is_refused_not_silently_changed(text: str) -> None:
    with pytest.raises(UserError, match="every 1 to 52 weeks"):
        parse_schedule(text, now=NOW, default_zone=BERLIN)


def test_timezone_names_forgive_case() -> None:
    parsed = parse_schedule("every tuesday 3pm europe/berlin", now=NOW, default_zone="UTC")
    assert parsed.timezone == BERLIN
    assert zone_name("america/new_york") == "America/New_York"
    assert zone_name("utc") == "UTC"


@pytest.mark.parametrize("word", ["CET", "pst", "UTC+1", "+01:00"])
def test_zone_abbreviations_and_offsets_ask_for_a_place(word: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_schedule(f"every tuesday 15:00 {word}", now=NOW, default_zone=BERLIN)
    assert "Europe/Berlin" in caught.value.message
    assert f"`{word}`" in caught.value.message
    assert "didn't understand" not in caught.value.message


async def test_editing_a_meetings_timezone_to_an_abbreviation_asks_for_a_place(
    chat: Chat, berlin: str
) -> None:
    await chat('meeting new "Clinic" every tuesday 15:00', as_="lead")
    text = await chat.text("meeting edit 1 timezone EST", as_="lead")
    assert "not `EST`" in text and "America/New_York" in text
    assert "(Europe/Berlin)" in await chat.text("meeting show 1", as_="lead")
    assert "(America/New_York)" in await chat.text(
        "meeting edit 1 timezone america/new_york", as_="lead"
    )


@pytest.mark.parametrize(
    ("line", "title", "start"),
    [
        ('"Party" 24 dec 10:00', "Party", datetime(2026, 12, 24, 10, 0)),
        ("Xmas party on December 24th at 3pm", "Xmas party", datetime(2026, 12, 24, 15, 0)),
        ("Kick-off Jan 5, 2027 9:30", "Kick-off", datetime(2027, 1, 5, 9, 30)),
        # Already past this year (NOW is 2 March 2026): next year's.
        ("Retro 1 feb 10:00", "Retro", datetime(2027, 2, 1, 10, 0)),
    ],
)
def test_dates_with_month_names_are_one_off_meetings(
    line: str, title: str, start: datetime
) -> None:
    parsed = parse_meeting(line, now=NOW, default_zone=BERLIN)
    assert (parsed.title, parsed.schedule.rule, parsed.schedule.start_local) == (title, "", start)


def test_an_impossible_named_date_is_refused() -> None:
    with pytest.raises(UserError, match="`30 feb` is not a date"):
        parse_schedule("30 feb 10:00", now=NOW, default_zone=BERLIN)


def test_the_schedule_examples_people_copy_never_go_stale() -> None:
    # Before, `once 2026-03-10 15:00` was shown as the example long after that day had passed.
    from bot.meetings.parse import SCHEDULE_EXAMPLES

    later = datetime(2031, 6, 1, 9, 0, tzinfo=UTC)
    examples = SCHEDULE_EXAMPLES.split("`")[1::2]
    assert "once 10 mar 15:00" in examples
    for example in examples:
        parsed = parse_schedule(example, now=later, default_zone=BERLIN)
        assert parsed.start_local > later.replace(tzinfo=None)
