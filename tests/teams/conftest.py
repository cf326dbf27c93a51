"""Fixtures: the real app in emulator mode on loopback, talking to a fake Bot Connector."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import FrozenClock
from bot.registry import Registry
from storage.db import Database
from tests.teams.driver import APP_ID, TeamsDriver
from tests.teams.fake_connector import PASSWORD


@pytest.fixture
async def secured(
    database: Database, clock: FrozenClock, registry: Registry
) -> AsyncIterator[TeamsDriver]:
    """The app with an app id configured: every activity needs a valid Bot Framework token."""
    driver = await TeamsDriver.start(
        clock=clock,
        db=database,
        registry=registry,
        settings={"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": PASSWORD},
    )
    yield driver
    await driver.close()


@pytest.fixture
async def teams(
    database: Database, clock: FrozenClock, registry: Registry
) -> AsyncIterator[TeamsDriver]:
    driver = await TeamsDriver.start(
        clock=clock, db=database, registry=registry, settings={"COPBOT_ADMINS": "29:root"}
    )
    yield driver
    await driver.close()
