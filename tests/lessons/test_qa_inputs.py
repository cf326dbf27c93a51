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


async def test_near_is_a_word_people_search_for(chat: Chat, community: str) -> None:
    await chat(
        "lesson Near-miss reports need no blame | Keep near-miss reports blame-free because "
        "people stop reporting #safety",
        as_="ada",
    )
    # Before, "near" was dropped as an FTS operator: "near-miss" searched for "miss" alone.
    text = await chat.text("lessons near-miss", as_="ada")
    assert "Lessons: near miss" in text and "Near-miss reports need no blame" in text


async def test_a_second_hashtag_is_not_silently_ignored(chat: Chat, community: str) -> None:
    await chat(
        "lesson Pin providers | Pin provider versions because plans drift #terraform", as_="ada"
    )
    text = await chat.text("lessons #terraform #kubernetes", as_="ada")
    assert "One topic at a time: these are on #terraform." in text


async def test_the_next_page_command_has_no_double_space(chat: Chat, community: str) -> None:
    for n in range(6):
        await chat(f"lesson Lesson number {n} | Do thing {n} because reason {n}", as_="ada")
    replies = await chat("lessons", as_="ada")
    pages = [c.command for r in replies for c in r.choices if "page" in c.command]
    assert pages == ["lessons page 2"]
