"""Demo data for meetings (`copbot demo`): each community's series with months of history."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot import activity as kinds
from bot.context import JobContext
from bot.context import zone as zone_of
from bot.meetings.core import plan_meeting
from bot.meetings.recurrence import slots_between
from bot.registry import demo_seeder
from storage import activity, communities, meetings
from storage.tables.meetings import Meeting

DEMO_MEETINGS = {
    "data-eng": ("Monthly data clinic", "FREQ=MONTHLY;BYDAY=+1TU", "15:00", 60),
    "safety": ("Inspection huddle", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "10:00", 45),
}


@demo_seeder(20)
async def seed_meetings(jctx: JobContext, made: dict[str, Any]) -> None:
    members = made.get("members", {})
    for slug, community in made.get("communities", {}).items():
        if slug not in DEMO_MEETINGS or community.id is None:
            continue
        title, rule, at, duration = DEMO_MEETINGS[slug]
        zone = zone_of(community.timezone)
        since = jctx.now - timedelta(days=120)
        first_day = since.astimezone(zone).date()
        probe = datetime.combine(first_day, datetime.strptime(at, "%H:%M").time())
        first = slots_between(probe, rule, zone, since, jctx.now + timedelta(days=60))
        if not first:
            continue
        leaders = await communities.members_with_role(jctx.session, community.id, "leader")
        host = leaders[0].id if leaders else None
        meeting = await meetings.create_meeting(
            jctx.session,
            Meeting(
                community_id=community.id,
                title=title,
                start_local=first[0].local.isoformat(timespec="minutes"),
                timezone=community.timezone,
                duration_minutes=duration,
                rrule=rule,
                location="https://meet.example/" + slug,
                agenda="Round of wins; one case from the floor; what we'll try next.",
                facilitator_id=host,
                created_by=host or next(iter(members.values())).id,
                created_at=since,
            ),
        )
        await plan_meeting(jctx.session, meeting, jctx.now, since=since)
        assert meeting.id is not None
        past = await meetings.occurrences_of(jctx.session, meeting.id, until=jctx.now)
        roster = [m for m in await communities.members_of(jctx.session, community.id) if m.id]
        for number, occurrence in enumerate(past):
            assert occurrence.id is not None
            for position, member in enumerate(roster):
                assert member.id is not None
                # A plausible pattern: most say yes, a few maybe; attendance dips then recovers.
                pick = (number + position) % 5
                status = "going" if pick < 3 else "maybe" if pick == 3 else "no"
                await meetings.set_rsvp(
                    jctx.session, occurrence.id, member.id, status, occurrence.starts_at
                )
                if status == "going" or (status == "maybe" and number % 2 == 0):
                    await meetings.record_attendance(
                        jctx.session,
                        occurrence.id,
                        member.id,
                        source="check-in",
                        recorded_by=member.id,
                        now=occurrence.starts_at,
                    )
                    await activity.record(
                        jctx.session,
                        community_id=community.id,
                        member_id=member.id,
                        kind=kinds.ATTENDANCE,
                        contribution=False,
                        ref=f"occurrence:{occurrence.id}",
                        now=occurrence.starts_at,
                    )
            await meetings.claim_follow_up(jctx.session, occurrence.id)
            await meetings.claim_reminder(jctx.session, occurrence.id, 0, None)
