"""The shared reader of human dates and times (`bot/when.py`) that meetings, surveys and
lessons all call."""

from __future__ import annotations

import contextlib
from datetime import date, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import UserError
from bot.when import NAMED_DATE, named_date, named_day, parse_span, parse_time, written_date

TODAY = date(2026, 3, 2)  # a Monday
# Pieces of dates and times, in and out of range, for the property test to combine.
PIECES = [
    *("24", "31", "99", "0", "dec", "Feb", "2027", "9999", "0000", ",", "th", "-", "next"),
    *("3pm", "13pm", "25:61", "9h30", "12:00", "7d", "999d", "99w", "today", "tue"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15:00", time(15, 0)),
        ("at 9h30", time(9, 30)),
        ("3pm", time(15, 0)),
        ("12am", time(0, 0)),
        ("12 pm", time(12, 0)),
        ("3:30 p.m.", time(15, 30)),
        ("every tuesday", None),
        ("2026-03-10", None),
    ],
)
def test_times_of_day(text: str, expected: time | None) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "13pm", "0am", "9:75"])
def test_impossible_times_are_refused_with_the_way_to_write_one(text: str) -> None:
    with pytest.raises(UserError, match="Use 24-hour `15:00` or `3pm`"):
        parse_time(text)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("today", TODAY),
        ("Tomorrow", date(2026, 3, 3)),
        ("monday", date(2026, 3, 9)),  # today is Monday: the next one
        ("tue", date(2026, 3, 3)),
        ("thurs", date(2026, 3, 5)),
        ("sundays", date(2026, 3, 8)),
        ("yesterday", None),
        ("soon", None),
    ],
)
def test_named_days(word: str, expected: date | None) -> None:
    assert named_day(word, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24 dec", date(2026, 12, 24)),
        ("Dec 24th", date(2026, 12, 24)),
        ("December 24th, 2027", date(2027, 12, 24)),
        ("Jan 5, 2027", date(2027, 1, 5)),
        ("1 march", date(2027, 3, 1)),  # passed yesterday: next year's
        ("2nd mar", TODAY),
        ("5 sept", date(2026, 9, 5)),
    ],
)
def test_month_name_dates_mean_the_next_such_day_without_a_year(text: str, expected: date) -> None:
    found = NAMED_DATE.search(text)
    assert found is not None
    assert named_date(found, TODAY) == expected


def test_a_month_name_date_that_does_not_exist_is_refused() -> None:
    found = NAMED_DATE.search("31 feb")
    assert found is not None
    with pytest.raises(UserError, match=r"`31 feb` is not a date\. Use `YYYY-MM-DD`"):
        named_date(found, TODAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", timedelta(days=7)),
        ("10 days", timedelta(days=10)),
        ("1 day", timedelta(days=1)),
        ("2w", timedelta(weeks=2)),
        ("3 weeks", timedelta(weeks=3)),
        ("3h", timedelta(hours=3)),
        ("12 hours", timedelta(hours=12)),
        ("friday", None),
        ("7", None),
        ("100w", None),
    ],
)
def test_spans(text: str, expected: timedelta | None) -> None:
    assert parse_span(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-02-17", date(2026, 2, 17)),
        ("2026/02/17", date(2026, 2, 17)),
        ("17 Feb 2026", date(2026, 2, 17)),
        ("17 february 2026", date(2026, 2, 17)),
        ("Feb 17, 2026", date(2026, 2, 17)),
        ("03/04/2026", None),  # March or April? Not guessed.
        ("17 feb", None),
        ("2026-02-30", None),
    ],
)
def test_written_dates_need_their_year_and_no_guessing(text: str, expected: date | None) -> None:
    assert written_date(text) == expected


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=30),
        st.lists(st.sampled_from(PIECES), max_size=5).map(" ".join),
    )
)
def test_any_text_gives_a_value_or_a_user_error(text: str) -> None:
    for read in (
        parse_time,
        parse_span,
        written_date,
        lambda t: named_day(t, TODAY),
        lambda t: (found := NAMED_DATE.search(t)) and named_date(found, TODAY),
    ):
        with contextlib.suppress(UserError):
            read(text)
