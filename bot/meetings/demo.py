"""Demo data for meetings (`copbot demo`): each community's series with months of history, and
the leaders' network's quarterly meeting."""

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

# community, title, rule, local start, minutes, agenda. A weekly series in each community, so
# there is a session with an agenda and RSVPs within seven days whatever day the demo starts.
DEMO_MEETINGS = [
    ("data-eng", "Monthly data clinic", "FREQ=MONTHLY;BYDAY=+1TU", "15:00", 60,
     "Round of wins; one case from the floor; what we'll try next."),
    ("data-eng", "Weekly data chat", "FREQ=WEEKLY;BYDAY=WE", "15:00", 30,
     "One pipeline incident and its fix; questions from the channel."),
    ("safety", "Inspection huddle", "FREQ=WEEKLY;BYDAY=TH", "10:00", 45,
     "Near misses of the week; one checklist item to sharpen."),
]  # fmt: skip
# RSVPs to the next session, by position in the roster (the rest have not answered yet).
NEXT_RSVPS = ("going", "going", "maybe", "going", "no")


@demo_seeder(20)
async def seed_meetings(jctx: JobContext, made: dict[str, Any]) -> None:
    members = made.get("members", {})
    places = made.get("communities", {})
    for slug, title, rule, at, duration, agenda in DEMO_MEETINGS:
        community = places.get(slug)
        if community is None or community.id is None:
            continue
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
                agenda=agenda,
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
        upcoming = await meetings.occurrences_of(jctx.session, meeting.id, after=jctx.now)
        if upcoming and upcoming[0].id is not None:
            for member, status in zip(roster, NEXT_RSVPS, strict=False):
                assert member.id is not None
                await meetings.set_rsvp(
                    jctx.session, upcoming[0].id, member.id, status, jctx.now - timedelta(hours=2)
                )


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
