"""Fixtures for meeting tests: a Berlin community linked to a channel, and id look-ups."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.app import Core
from storage.tables.meetings import Meeting, MeetingOccurrence
from tests.helpers import Chat

CHANNEL = "C-data"


@pytest.fixture
async def berlin(chat: Chat, community: str) -> str:
    """data-eng in Europe/Berlin, linked to channel C-data; ada lives in New York."""
    await chat("charter edit timezone Europe/Berlin", as_="lead")
    await chat(f"community link {community}", as_="lead", channel=CHANNEL)
    await chat("timezone America/New_York", as_="ada")
    await chat("timezone Asia/Tokyo", as_="bo")
    return community


async def meeting_ids(core: Core) -> list[int]:
    async with core.services.db.session() as session:
        result = await session.exec(select(Meeting.id).order_by(Meeting.id))
        return [i for i in result.all() if i is not None]


async def occurrences(core: Core, meeting_id: int | None = None) -> list[MeetingOccurrence]:
    async with core.services.db.session() as session:
        query = select(MeetingOccurrence).order_by(MeetingOccurrence.starts_at)
        if meeting_id is not None:
            query = query.where(MeetingOccurrence.meeting_id == meeting_id)
        result = await session.exec(query)
        return list(result.all())
