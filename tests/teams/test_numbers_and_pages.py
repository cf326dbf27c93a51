"""On Teams, a bare `page 2` turns the last list and a bare number clicks that button of the
last answer, in the chat where they were offered."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FrozenClock
from tests.conftest import START
from tests.teams.driver import TeamsDriver

SLUGS = [f"cop-{n:02d}" for n in range(1, 12)]  # 11: two pages of ten


async def test_page_and_bare_numbers_on_teams(teams: TeamsDriver) -> None:
    for slug in SLUGS:
        assert "Created" in await teams.say(f"community new {slug} Community {slug}", "29:root")
    first = await teams.say("communities", "29:ada")
    assert "Page 1 of 2" in first and "cop-11" not in first
    second = await teams.say("page 2", "29:ada")
    assert "cop-11" in second and "I don't know" not in second
    joined = await teams.say("1", "29:ada")
    assert "Welcome to" in joined and "Community cop-11" in joined
    assert "I don't know" not in joined
    await teams.say("communities", "29:ada")  # ten Join buttons and Next page
    assert "buttons 1-11" in await teams.say("99", "29:ada")


async def test_a_number_clicks_a_button_of_a_message_copbot_sent_on_its_own(
    teams: TeamsDriver, clock: FrozenClock
) -> None:
    await teams.say("community new data-eng Data Engineering", "29:lead")
    heartbeat = teams.adapter.core.heartbeat
    await heartbeat.tick()
    clock.set(START + timedelta(days=1))  # the community's first nudge: Do it, Snooze, …
    await heartbeat.tick()
    snoozed = await teams.say("2", "29:lead")
    assert "Snoozed" in snoozed and "had none" not in snoozed
