"""Odd but plausible input to expertise commands, found by QA in the local chat."""

from __future__ import annotations

import pytest

from tests.helpers import Chat


@pytest.mark.parametrize("level", ["9", "0", "2.5", "-1"])
async def test_an_out_of_range_level_is_explained_not_made_a_topic(
    chat: Chat, community: str, level: str
) -> None:
    # Before, "spark level 9" added a topic called spark-level-9.
    text = await chat.text(f"expertise add spark level {level}", as_="ada")
    assert "Levels are 1 aware, 2 practitioner, 3 advanced, 4 expert" in text
    profile = await chat.text("profile", as_="ada")
    assert "level-" not in profile and "*spark*" not in profile


async def test_a_level_in_range_still_counts(chat: Chat, community: str) -> None:
    await chat("expertise add spark level 2", as_="ada")
    assert "*spark* — level 2 (practitioner)" in await chat.text("profile", as_="ada")


async def test_validation_evidence_says_what_was_validated(chat: Chat, community: str) -> None:
    await chat(
        "lesson Queues | Give backfills their own queue because they starve #airflow", as_="ada"
    )
    await chat("lesson publish 1", as_="lead")
    # Before, the evidence read "validated 1", which says nothing about what.
    assert "validated 1 lesson on airflow" in await chat.text("expert airflow", as_="bo")
    assert "validated 1 lesson" in await chat.text("profile @lead", as_="bo")
