"""Coordinators look after every community: `home` and `health` without one, and the overdue
warning reaching coordinators who never wrote to copbot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.admins import admin_accounts
from bot.clock import FrozenClock
from bot.config import Settings
from tests.health.test_health import answers
from tests.helpers import Chat, FakePort

Q2_START = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)  # both communities keep UTC


@pytest.fixture
def settings() -> Settings:
    # `boss` is a coordinator who has never written to copbot.
    return Settings(DATABASE_URL="sqlite+aiosqlite:///unused.db", COPBOT_ADMINS="root,boss")


def test_admin_entries_name_their_platform() -> None:
    settings = Settings(COPBOT_ADMINS="U012ABCDEF, teams:29:1xyz, 29:2abc, slack:W0ZZZZZZZ, root")
    assert set(admin_accounts(settings)) == {
        ("teams", "29:2abc"),
        ("console", "root"),
        ("slack", "U012ABCDEF"),
        ("slack", "W0ZZZZZZZ"),
        ("teams", "29:1xyz"),
    }


async def test_a_coordinator_without_a_community_sees_every_community(
    chat: Chat, community: str, clock: FrozenClock
) -> None:
    await chat("community new ops Operations", as_="olga")
    home = await chat.text("home", as_="root")
    assert "You are not in a community yet" not in home
    assert "The programme: 2 communities" in home
    assert "*Data Engineering* `data-eng`: 3 members" in home and "*Operations* `ops`" in home
    assert "no channel gets its reminders yet" in home  # loose ends leaders can fix

    clock.set(Q2_START + timedelta(hours=1))
    await chat.tick()
    opened = await chat("health check in data-eng", as_="lead")
    form = opened[0].form
    assert form is not None
    await chat.submit(form.form_id, answers(L14="merge"), as_="lead")
    health = await chat.text("health", as_="root")
    assert "Health of every community" in health
    assert "*Data Engineering* `data-eng`: 3 members; LHI 75/100" in health
    assert "leaders suggest: *merge with another community*" in health
    assert "*Operations* `ops`: 1 members; no health check yet; Q1 2026: *not answered*" in health
    # One community's health stays one command away, and others still need a community.
    assert "Health of Data Engineering" in await chat.text("health data-eng", as_="root")
    assert "You are not in a community yet" in await chat.text("health", as_="cy")
    assert "You are not in a community yet" in await chat.text("home", as_="cy")


async def test_the_overdue_warning_reaches_coordinators_who_never_wrote(
    chat: Chat, clock: FrozenClock, port: FakePort
) -> None:
    await chat("community new ops Operations", as_="olga")
    for moment in (Q2_START, Q2_START + timedelta(days=28, hours=1)):
        clock.set(moment)
        await chat.tick()
        await chat.tick()
    (overdue,) = [t for t in port.texts("boss") if "Health checks overdue" in t]
    assert "*Operations*" in overdue
    assert len([t for t in port.texts("root") if "Health checks overdue" in t]) == 1
    # When boss does write, they are the coordinator copbot already knew.
    assert "The programme: 1 community" in await chat.text("home", as_="boss")
