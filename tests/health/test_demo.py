"""The demo has last quarter's health checks, with a trend against the quarter before."""

from __future__ import annotations

from tests.demo_copy import seed_demo
from tests.helpers import Chat


async def test_demo_health(chat: Chat) -> None:
    assert await seed_demo(chat.core.services)
    view = await chat.text("health in data-eng", as_="grace")
    assert "*Q4 2025* (2 leaders answered)" in view
    assert "vs last quarter" in view and "Maturing" in view
    assert "cut a team's failed loads" in view
    safety = await chat.text("health in safety", as_="tove")
    assert "*Q3 2025* (1 leader answered)" in safety
    await chat.tick()  # no duplicate prompts for the seeded quarter; nothing crashes
