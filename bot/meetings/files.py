"""Meeting files behind signed links (.ics calendar, attendance CSV) and the demo meetings."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import JobContext
from bot.context import zone as zone_of
from bot.meetings.core import meeting_zone, start_local
from bot.messages import Attachment
from bot.registry import download
from storage import communities, meetings, people
from storage.tables import Community
from storage.tables.meetings import Meeting

if TYPE_CHECKING:
    from icalendar import Event

STATUS_WORDS = {"going": "going", "maybe": "maybe", "no": "not going"}


async def ics_bytes(session: AsyncSession, meeting: Meeting, community: Community) -> bytes:
    """A VCALENDAR with the series: DTSTART with TZID, RRULE, EXDATE for skipped sessions.

    After a schedule change the series starts at its next session (`meetings_core.rebase`);
    sessions held before that keep their own time as separate events, so a calendar never
    shows the past at the new time.
    """
    # Imported here: only a calendar download needs icalendar (docs/HACKING.md, "Imports a
    # process may not need").
    from icalendar import Calendar, vRecur

    assert meeting.id is not None
    zone = meeting_zone(meeting)
    calendar = Calendar()
    calendar.add("prodid", "-//copbot//meetings//EN")
    calendar.add("version", "2.0")
    first = start_local(meeting).replace(tzinfo=zone)
    description = f"{community.name}. {meeting.agenda}".strip()
    if meeting.rrule:
        earlier = await meetings.occurrences_of(
            session, meeting.id, until=first.astimezone(UTC), states=("scheduled",)
        )
        for occurrence in earlier:
            past = _event(meeting, f"meeting-{meeting.id}-session-{occurrence.id}@copbot")
            past.add("dtstart", occurrence.starts_at.astimezone(zone))
            past.add("duration", occurrence.ends_at - occurrence.starts_at)
            past.add("description", description)
            calendar.add_component(past)
    event = _event(meeting, f"meeting-{meeting.id}@copbot")
    event.add("dtstart", first)
    event.add("duration", timedelta(minutes=meeting.duration_minutes))
    if meeting.rrule:
        event.add("rrule", vRecur.from_ical(meeting.rrule))
        skipped = await meetings.occurrences_of(
            session, meeting.id, after=first.astimezone(UTC), states=("skipped", "cancelled")
        )
        if skipped:
            event.add("exdate", [o.starts_at.astimezone(zone) for o in skipped])
    event.add("description", description)
    if meeting.cancelled_at:
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _event(meeting: Meeting, uid: str) -> Event:
    from icalendar import Event

    event = Event()
    event.add("uid", uid)
    event.add("summary", meeting.title)
    event.add("dtstamp", meeting.created_at)
    if meeting.location:
        event.add("location", meeting.location)
        if meeting.location.startswith(("http://", "https://")):
            event.add("url", meeting.location)
    return event


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas in user-provided text."""
    return f"'{value}" if value[:1] in {"=", "+", "-", "@"} else value


async def attendance_csv(
    session: AsyncSession, meeting: Meeting, community: Community, now: datetime
) -> bytes:
    assert meeting.id is not None
    zone = zone_of(community.timezone)
    held = [
        o for o in await meetings.occurrences_of(session, meeting.id, until=now) if o.id is not None
    ]
    ids = [o.id for o in held if o.id is not None]
    answers = {
        (r.occurrence_id, r.member_id): r.status for r in await meetings.rsvps_for(session, ids)
    }
    came = {(a.occurrence_id, a.member_id) for a in await meetings.attendance_for(session, ids)}
    everyone = await people.members_by_ids(
        session, sorted({m for _, m in answers} | {m for _, m in came})
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["occurrence_start", "member", "department", "rsvp", "attended"])
    for occurrence in held:
        assert occurrence.id is not None
        local = occurrence.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        here = {m for o, m in answers if o == occurrence.id} | {
            m for o, m in came if o == occurrence.id
        }
        for member_id in sorted(here, key=lambda m: everyone[m].display_name.lower()):
            member = everyone[member_id]
            writer.writerow(
                [
                    local,
                    _cell(member.display_name),
                    _cell(member.department or ""),
                    STATUS_WORDS.get(answers.get((occurrence.id, member_id), ""), ""),
                    "yes" if (occurrence.id, member_id) in came else "no",
                ]
            )
    return out.getvalue().encode("utf-8")


async def _meeting_and_community(jctx: JobContext, arg: str) -> tuple[Meeting, Community] | None:
    if not arg.isdecimal():
        return None
    meeting = await meetings.get_meeting(jctx.session, int(arg))
    if meeting is None:
        return None
    community = await communities.get_community(jctx.session, meeting.community_id)
    return (meeting, community) if community else None


@download("ics")
async def ics_download(jctx: JobContext, arg: str) -> Attachment | None:
    found = await _meeting_and_community(jctx, arg)
    if found is None:
        return None
    data = await ics_bytes(jctx.session, *found)
    return Attachment(data, f"meeting-{arg}.ics", "text/calendar")


@download("attendance")
async def attendance_download(jctx: JobContext, arg: str) -> Attachment | None:
    found = await _meeting_and_community(jctx, arg)
    if found is None:
        return None
    data = await attendance_csv(jctx.session, found[0], found[1], jctx.now)
    return Attachment(data, f"attendance-meeting-{arg}.csv", "text/csv")
