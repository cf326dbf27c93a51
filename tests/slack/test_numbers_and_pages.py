"""On Slack, what an answer offers works where it is offered: a bare `page 2` turns the last list
and a bare number clicks that button of the last answer, also on another replica."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.clock import FrozenClock
from bot.registry import Registry
from storage.db import Database
from tests.conftest import START
from tests.slack.driver import SlackDriver

SLUGS = [f"cop-{n:02d}" for n in range(1, 12)]  # 11: two pages of ten
# Each community sends its creator a welcome DM, which Slack's pace of one message a second per
# conversation would spread over 11 s; these tests are about pages and numbers, not pacing.
UNPACED = {
    "COPBOT_ADMINS": "UROOT",
    "COPBOT_SLACK_CHANNEL_PER_SECOND": "1000",
    "COPBOT_SLACK_WORKSPACE_PER_MINUTE": "60000",
}


@pytest.fixture
async def slack(
    database: Database, clock: FrozenClock, registry: Registry
) -> AsyncIterator[SlackDriver]:
    driver = await SlackDriver.start(clock=clock, db=database, registry=registry, settings=UNPACED)
    yield driver
    await driver.close()


async def _eleven_communities(slack: SlackDriver) -> None:
    for slug in SLUGS:
        assert "Created" in await slack.say(f"community new {slug} Community {slug}", "UROOT")


async def test_page_and_bare_numbers_on_slack(
    slack: SlackDriver, database: Database, clock: FrozenClock, registry: Registry
) -> None:
    await _eleven_communities(slack)
    first = await slack.say("communities", "UADA")
    assert "Page 1 of 2" in first and "cop-11" not in first
    second = await slack.say("page 2", "UADA")
    assert "cop-11" in second and "I don't know" not in second
    # The answer's buttons count from 1, as the local chat numbers them: 1 is "Join cop-11".
    joined = await slack.say("1", "UADA")
    assert "Welcome to *Community cop-11*" in joined and "I don't know" not in joined
    await slack.say("communities", "UADA")  # ten Join buttons and Next page
    assert "buttons 1-11" in await slack.say("99", "UADA")

    # Another replica on the same database knows what this person was last shown.
    other = await SlackDriver.start(clock=clock, db=database, registry=registry, settings=UNPACED)
    other._ids = itertools.count(10_000)  # request ids of its own, as a real Slack sends
    try:
        await slack.say("communities", "UBO")
        assert "cop-11" in await other.say("page 2", "UBO")
        assert "Welcome to *Community cop-11*" in await other.say("1", "UBO")
    finally:
        await other.close()


async def test_a_number_with_nothing_offered_says_so(slack: SlackDriver) -> None:
    answer = await slack.say("4", "UADA")
    assert "had none" in answer and "I don't know" not in answer


async def test_a_number_clicks_a_button_of_a_message_copbot_sent_on_its_own(
    slack: SlackDriver, clock: FrozenClock
) -> None:
    await slack.say("community new data-eng Data Engineering", "ULEAD")
    await slack.say("help", "ULEAD")  # an answer without buttons before the nudge
    heartbeat = slack.adapter.core.heartbeat
    await heartbeat.tick()
    clock.set(START + timedelta(days=1))  # the community's first nudge: Do it, Snooze, …
    await heartbeat.tick()
    snoozed = await slack.say("2", "ULEAD")
    assert "Snoozed" in snoozed and "had none" not in snoozed
