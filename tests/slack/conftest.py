"""Fixtures: the real app with Slack configured, talking to a fake Slack Web API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import FrozenClock
from bot.registry import Registry
from storage.db import Database
from tests.slack.driver import SlackDriver


@pytest.fixture
async def slack(
    database: Database, clock: FrozenClock, registry: Registry
) -> AsyncIterator[SlackDriver]:
    driver = await SlackDriver.start(
        clock=clock, db=database, registry=registry, settings={"COPBOT_ADMINS": "UROOT"}
    )
    yield driver
    await driver.close()
