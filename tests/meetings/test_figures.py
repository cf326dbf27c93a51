"""Figures other capabilities read: the meeting rhythm (N1) and attendance per session (N3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app import Core
from bot.clock import FrozenClock
from storage import meetings
from tests.helpers import Chat

START = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)


async def test_rhythm_and_held_sessions(
    chat: Chat, berlin: str, clock: FrozenClock, core: Core
) -> None:
    async with core.services.db.session() as session:
        assert await meetings.meeting_rhythm(session, 1, clock.now()) == (None, None)
    await chat('meeting new "Clinic" every week on tuesday 15:00', as_="lead")
    await chat("rsvp 1 going", as_="ada")
    await chat("rsvp 1 going", as_="bo")
    clock.set(START + timedelta(minutes=5))
    await chat("checkin 1", as_="ada")
    clock.set(START + timedelta(days=1))
    async with core.services.db.session() as session:
        last, upcoming = await meetings.meeting_rhythm(session, 1, clock.now())
        assert last == START and upcoming == START + timedelta(days=7)
        held = await meetings.held_sessions(session, 1, START - timedelta(days=1), clock.now())
    assert [(o.id, attended, going) for o, attended, going in held] == [(1, {2}, 2)]
