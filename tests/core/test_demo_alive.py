"""The demo is alive whatever day it starts: a session with an agenda and RSVPs within a week in
each community, a pulse waiting for an answer, experts on the README's topics, lessons from this
week and a draft to validate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot import demo
from bot.app import Core
from bot.clock import FrozenClock
from storage import communities, meetings
from storage.tables import Community
from storage.tables.lessons import Lesson
from storage.tables.meetings import Meeting, MeetingOccurrence
from tests.helpers import Chat

STARTS = [
    datetime(2026, 3, 2, 9, 0, tzinfo=UTC),  # a Monday, the day before a month's first Tuesday
    datetime(2026, 3, 7, 20, 0, tzinfo=UTC),  # a Saturday evening
    datetime(2026, 12, 1, 16, 0, tzinfo=UTC),  # a first Tuesday, after the monthly clinic
]


@pytest.mark.parametrize("start", STARTS, ids=["monday", "saturday", "first-tuesday"])
async def test_the_demo_is_alive_whatever_day_it_starts(
    chat: Chat, core: Core, clock: FrozenClock, start: datetime
) -> None:
    clock.set(start)
    assert await demo.seed(core.services)
    week = start + timedelta(days=7)
    async with core.services.db.session() as session:
        places = (await session.exec(select(Community))).all()
        assert {c.slug for c in places} == {"data-eng", "safety"}
        for community in places:
            rows = (
                await session.exec(
                    select(MeetingOccurrence, Meeting)
                    .join(Meeting, Meeting.id == MeetingOccurrence.meeting_id)  # type: ignore[arg-type]
                    .where(
                        Meeting.community_id == community.id,
                        MeetingOccurrence.starts_at > start,  # type: ignore[operator]
                        MeetingOccurrence.starts_at <= week,  # type: ignore[operator]
                        MeetingOccurrence.state == "scheduled",
                    )
                )
            ).all()
            assert rows, f"no session within a week in {community.slug}"
            answered = [
                await meetings.rsvps_for(session, [o.id]) for o, m in rows if m.agenda.strip()
            ]
            assert any(answered), f"no session with an agenda and RSVPs in {community.slug}"
        recent = (
            await session.exec(
                select(Lesson).where(Lesson.created_at >= start - timedelta(days=7))  # type: ignore[operator]
            )
        ).all()
        assert any(lesson.status == "published" for lesson in recent)
        assert any(lesson.status == "draft" for lesson in recent)
        data_eng = await communities.find_community(session, "data-eng")
        assert data_eng is not None

    # What a newcomer who becomes linus (a member) or grace (a leader) sees.
    meetings_seen = await chat.text("meetings", as_="linus")
    assert "Weekly data chat" in meetings_seen and "No meetings" not in meetings_seen
    surveys = await chat.text("surveys", as_="linus")
    assert "Surveys waiting for you" in surveys and "Pulse: this month's sessions" in surveys
    for topic in ("spark", "airflow", "kubernetes"):
        found = await chat.text(f"expert {topic}", as_="linus")
        assert "I know nobody" not in found, found
    assert "Tag cloud resources" in await chat.text("lessons pending", as_="grace")
