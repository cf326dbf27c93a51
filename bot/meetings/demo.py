"""Demo data of the meetings capability: the leaders' network's quarterly meeting."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.context import JobContext
from bot.meetings.core import plan_meeting
from bot.registry import demo_seeder
from storage import meetings
from storage.tables.meetings import Meeting


@demo_seeder(60)
async def seed_network_meeting(jctx: JobContext, made: dict[str, Any]) -> None:
    """After the other demo meetings, so their ids stay the ones the README shows."""
    network = made.get("network")
    if network is None or network.id is None:
        return
    # The first day of next quarter, 15:00: later than the communities' own demo sessions.
    local = jctx.now.astimezone(jctx.community_zone(network))
    quarter_month = 3 * ((local.month - 1) // 3) + 4
    year = local.year + (quarter_month > 12)
    first = datetime(year, (quarter_month - 1) % 12 + 1, 1, 15, 0)
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
