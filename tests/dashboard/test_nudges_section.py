"""The community page shows its leaders the nudge rules with their state, as `nudges` does;
a sponsor's view of the same page leaves them out."""

from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import TestClient

from bot.clock import FrozenClock
from bot.config import Settings
from tests.dashboard.conftest import sign_in
from tests.demo_copy import seed_demo
from tests.helpers import Chat


async def test_leaders_see_the_nudges_and_their_state_sponsors_do_not(
    web: TestClient, chat: Chat, clock: FrozenClock, settings: Settings
) -> None:
    assert await seed_demo(chat.core.services)
    await chat.tick()
    for _ in range(8):
        clock.advance(timedelta(days=1))
        await chat.tick()
    said = await chat.text("nudges in data-eng", as_="ada")
    assert "last sent" in said
    await sign_in(web, chat, settings, "ada")
    page = await (await web.get("/c/data-eng")).text()
    assert "Leader nudges" in page and 'id="nudges-table"' in page
    assert "last sent" in page and "N10" in page
    web.session.cookie_jar.clear()
    await sign_in(web, chat, settings, "helen")
    sponsor = await (await web.get("/c/data-eng")).text()
    assert "Engagement figures" in sponsor and "Leader nudges" not in sponsor
