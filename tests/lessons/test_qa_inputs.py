"""Odd but plausible input to the lesson form, found by QA in the local chat."""

from __future__ import annotations

import pytest

from tests.helpers import Chat, text_of
from tests.lessons.test_lessons import lesson_number, submit


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("yesterday", "01 Mar 2026"),  # the test clock is 2 March 2026
        ("Today", "02 Mar 2026"),
        ("17 Feb 2026", "17 Feb 2026"),
        ("Feb 17, 2026", "17 Feb 2026"),
        ("2026/02/17", "17 Feb 2026"),
    ],
)
async def test_the_date_it_happened_can_be_written_as_people_say_it(
    chat: Chat, community: str, typed: str, shown: str
) -> None:
    replies = await submit(chat, event_date=typed)
    assert not replies[0].errors, replies[0].errors
    number = lesson_number(replies)
    assert f"Happened on: {shown}" in await chat.text(f"lesson show {number}", as_="ada")


@pytest.mark.parametrize("typed", ["03/04/2026", "last spring", "tomorrow"])
async def test_an_ambiguous_or_future_date_is_refused_with_what_to_type(
    chat: Chat, community: str, typed: str
) -> None:
    replies = await submit(chat, event_date=typed)
    errors = dict(replies[0].errors)
    assert "2026-02-17" in errors["event_date"] or "On or before" in errors["event_date"]
    assert "Saved lesson" not in text_of(replies)
