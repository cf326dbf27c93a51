"""The demo has the leaders' network with its quarterly meeting, and one person's hours."""

from __future__ import annotations

from sqlmodel import select

from bot.app import Core
from storage import communities
from storage.tables.meetings import Meeting
from tests.demo_copy import seed_demo
from tests.helpers import Chat


async def test_the_demo_network_meets_quarterly_and_kenji_keeps_his_hours(
    core: Core, chat: Chat
) -> None:
    assert await seed_demo(core.services)
    network = await chat.text("leaders network", as_="grace")
    assert "*Leaders' network* (`leaders`)" in network
    async with core.services.db.session() as session:
        network_ = await communities.leaders_network(session)
        assert network_ is not None
        (meeting,) = (
            await session.exec(select(Meeting).where(Meeting.community_id == network_.id))
        ).all()
    assert meeting.title == "Leaders' network: quarterly exchange"
    assert "every 3 months" in await chat.text(f"meeting show {meeting.id}", as_="tove")
    assert "08:00-16:00 mon-thu, in Asia/Tokyo" in await chat.text("hours", as_="kenji")
