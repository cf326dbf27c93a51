"""The demo has the leaders' network with its quarterly meeting, and one person's hours."""

from __future__ import annotations

from bot.app import Core
from bot.demo import seed
from tests.helpers import Chat


async def test_the_demo_network_meets_quarterly_and_ada_keeps_her_hours(
    core: Core, chat: Chat
) -> None:
    assert await seed(core.services)
    network = await chat.text("leaders network", as_="grace")
    assert "*Leaders' network* (`leaders`)" in network
    meetings = await chat.text("meetings in leaders", as_="tove")
    assert "Leaders' network: quarterly exchange" in meetings
    assert "every 3 months" in await chat.text("meeting show 1", as_="tove")
    assert "08:00-16:00 mon-thu, in Europe/London" in await chat.text("hours", as_="ada")
