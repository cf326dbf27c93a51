"""Demo data of the meetings capability: the leaders' network's quarterly meeting."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.context import JobContext
from bot.meetings.core import plan_meeting
from bot.registry import demo_seeder
from storage import meetings
from storage.tables.meetings import Meeting


@demo_seeder(6)
async def seed_network_meeting(jctx: JobContext, made: dict[str, Any]) -> None:
    network = made.get("network")
    if network is None or network.id is None:
        return
    first = (jctx.now.astimezone(jctx.community_zone(network)) + timedelta(days=21)).replace(
        hour=15, minute=0, second=0, microsecond=0, tzinfo=None
    )
    organiser = made["members"]["grace"]
    meeting = await meetings.create_meeting(
        jctx.session,
        Meeting(
            community_id=network.id,
            title="Leaders' network: quarterly exchange",
            start_local=first.isoformat(timespec="minutes"),
            timezone=network.timezone,
            duration_minutes=60,
            rrule="FREQ=MONTHLY;INTERVAL=3",
            location="",
            agenda="What worked this quarter, one struggle each, the programme's news.",
            facilitator_id=organiser.id,
            created_by=organiser.id,
            created_at=jctx.now,
        ),
    )
    await plan_meeting(jctx.session, meeting, jctx.now)
