"""Meeting attendance verbs: RSVP, check-in, who came, rating, and the CSV and .ics files."""

from __future__ import annotations

from datetime import timedelta

from bot import activity, downloads
from bot.context import Context
from bot.errors import UserError
from bot.meetings import files as meetings_files
from bot.meetings.commands import (
    _STATUS_WORDS,
    GROUP,
    load_meeting,
    load_occurrence,
    require_member,
)
from bot.meetings.core import (
    STATUS_LABELS,
    ics_link,
    in_check_in_window,
    occurrence_card,
    pulse_closes_at,
    pulse_token,
    when,
)
from bot.messages import Attachment, Choice, Reply, Visibility
from bot.people import find_person, split_person
from bot.permissions import Capability
from bot.registry import command
from storage import meetings, people

# -- RSVP, check-in, attendance ----------------------------------------------------------------


@command(
    "rsvp",
    usage="rsvp <session id> going|maybe|no",
    summary="Answer whether you'll come to a session",
    group=GROUP,
)
async def rsvp(ctx: Context, args: str) -> list[Reply]:
    head, _, rest = args.strip().partition(" ")
    occurrence, meeting, community = await load_occurrence(
        ctx, head, "rsvp <session id> going|maybe|no"
    )
    status = _STATUS_WORDS.get(" ".join(rest.lower().split()))
    if status is None:
        raise UserError(f"Answer `rsvp {occurrence.id} going`, `maybe` or `no`.")
    if occurrence.state != "scheduled" or meeting.cancelled_at:
        raise UserError(f"That session of *{meeting.title}* is not happening.")
    if occurrence.ends_at <= ctx.now:
        raise UserError(f"That session of *{meeting.title}* is over.")
    await require_member(ctx, community)
    assert occurrence.id is not None and community.id is not None
    first = await meetings.set_rsvp(ctx.session, occurrence.id, ctx.member_id, status, ctx.now)
    if first:
        await ctx.record_activity(
            community.id, ctx.member_id, activity.RSVP, ref=f"occurrence:{occurrence.id}"
        )
    counts = await meetings.rsvp_counts(ctx.session, [occurrence.id])
    # In a channel the clicked message is everyone's: redraw it without personal marks (in the
    # community's timezone) and confirm privately.
    personal = ctx.request.conversation.is_direct
    card = occurrence_card(
        occurrence,
        meeting,
        community,
        viewer=ctx.tz if personal else ctx.community_zone(community),
        counts=counts.get(occurrence.id, {}),
        mine=status if personal else None,
        now=ctx.now,
        settings=ctx.settings,
        replace=True,
    )
    if personal:
        return [card]
    return [
        card,
        Reply(
            f"Noted: {STATUS_LABELS[status].lower()} to *{meeting.title}* on "
            f"{when(occurrence.starts_at, ctx.tz)}.",
            visibility=Visibility.PRIVATE,
        ),
    ]


@command(
    "checkin",
    usage="checkin <session id>",
    summary="Check in to a session while it runs",
    group=GROUP,
)
async def check_in(ctx: Context, args: str) -> Reply:
    occurrence, meeting, community = await load_occurrence(ctx, args, "checkin <session id>")
    if occurrence.state != "scheduled" or meeting.cancelled_at:
        raise UserError(f"That session of *{meeting.title}* is not happening.")
    if not in_check_in_window(occurrence, ctx.now):
        raise UserError(
            f"Check-in opens 10 minutes before the start ({when(occurrence.starts_at, ctx.tz)}) "
            "and closes when the session ends."
        )
    await require_member(ctx, community)
    assert occurrence.id is not None and community.id is not None
    if await record_attended(ctx, occurrence.id, community.id, ctx.member_id, "check-in"):
        # Not in place: the reminder clicked carries the link people still need.
        return Reply(f"You're checked in to *{meeting.title}*. Enjoy!")
    return Reply(f"You're already checked in to *{meeting.title}*.")


async def record_attended(
    ctx: Context, occurrence_id: int, community_id: int, member_id: int, source: str
) -> bool:
    """Record that someone attended (and log it as activity); False if already recorded."""
    recorded = await meetings.record_attendance(
        ctx.session,
        occurrence_id,
        member_id,
        source=source,
        recorded_by=ctx.member_id,
        now=ctx.now,
    )
    if recorded:
        await ctx.record_activity(
            community_id, member_id, activity.ATTENDANCE, ref=f"occurrence:{occurrence_id}"
        )
    return recorded


@command(
    "attendance",
    usage="attendance <session id> @person [@person …]",
    summary="Mark who attended a session (leaders and facilitators)",
    group=GROUP,
    examples=("attendance 17 @ada @bo",),
)
async def mark_attendance(ctx: Context, args: str) -> Reply:
    head, _, rest = args.strip().partition(" ")
    occurrence, meeting, community = await load_occurrence(
        ctx, head, "attendance <session id> @person"
    )
    if meeting.facilitator_id != ctx.member_id:
        await ctx.require(Capability.MARK_ATTENDANCE, community)
    assert occurrence.id is not None and community.id is not None
    if occurrence.starts_at - timedelta(minutes=10) > ctx.now:
        raise UserError("That session has not started yet; mark attendance once it begins.")
    if not rest.strip():
        attendees = await meetings.attendance_for(ctx.session, [occurrence.id])
        names = await people.members_by_ids(ctx.session, [a.member_id for a in attendees])
        listed = ", ".join(sorted(m.display_name for m in names.values()))
        return Reply(
            f"{len(attendees)} attended *{meeting.title}* on "
            f"{when(occurrence.starts_at, ctx.tz)}{': ' + listed if listed else ''}. "
            f"Add people with `attendance {occurrence.id} @name @name`."
        )
    marked, already = [], []
    remaining = rest.strip()
    while remaining:
        token, remaining = split_person(remaining)
        token = token.strip(",;")
        if token.lower() in {"", "and", "&"}:
            continue
        person = await find_person(ctx, token)
        assert person.id is not None
        if await record_attended(ctx, occurrence.id, community.id, person.id, "leader"):
            marked.append(person.display_name)
        else:
            already.append(person.display_name)
    text = f"Marked {len(marked)} as attended: {', '.join(marked) or 'nobody new'}."
    if already:
        text += f" Already marked: {', '.join(already)}."
    return Reply(text)


@command(
    "attendance export",
    usage="attendance export <meeting id>",
    summary="Attendance of a meeting as a CSV file (leaders)",
    group=GROUP,
)
async def export(ctx: Context, args: str) -> Reply:
    meeting, community = await load_meeting(ctx, args, "attendance export <meeting id>")
    await ctx.require(Capability.EXPORT, community)
    assert meeting.id is not None
    data = await meetings_files.attendance_csv(ctx.session, meeting, community, ctx.now)
    url = downloads.link(ctx.settings, "attendance", str(meeting.id), now=ctx.now)
    return Reply(
        f"Attendance of *{meeting.title}* as CSV.",
        file=Attachment(data, f"attendance-meeting-{meeting.id}.csv", "text/csv"),
        choices=(Choice("Download link", url=url),),
    )


@command(
    "meeting ics",
    usage="meeting ics <meeting id>",
    summary="A calendar file (.ics) for a meeting series",
    group=GROUP,
)
async def ics(ctx: Context, args: str) -> Reply:
    meeting, community = await load_meeting(ctx, args, "meeting ics <meeting id>")
    assert meeting.id is not None
    data = await meetings_files.ics_bytes(ctx.session, meeting, community)
    return Reply(
        f"Calendar file for *{meeting.title}*: open it to add every session to your calendar.",
        file=Attachment(data, f"meeting-{meeting.id}.ics", "text/calendar"),
        choices=(Choice("Calendar link", url=ics_link(ctx.settings, meeting.id, ctx.now)),),
    )


@command(
    "meeting rate",
    usage="meeting rate <session id> <1-5>",
    summary="Say whether a session was worth your time (anonymous)",
    group=GROUP,
    hidden=True,
)
async def rate(ctx: Context, args: str) -> Reply:
    head, _, rest = args.strip().partition(" ")
    occurrence, meeting, community = await load_occurrence(
        ctx, head, "meeting rate <session id> <1-5>"
    )
    await require_member(ctx, community)
    if not rest.strip().isdecimal() or not 1 <= int(rest.strip()) <= 5:
        raise UserError(f"Rate from 1 to 5, e.g. `meeting rate {occurrence.id} 4`.")
    if occurrence.starts_at > ctx.now:
        raise UserError("That session has not happened yet.")
    closes = pulse_closes_at(occurrence)
    if ctx.now >= closes:
        # After it closed the rating may be on show: a late answer would change it visibly.
        raise UserError(
            f"Feedback on *{meeting.title}* of {when(occurrence.starts_at, ctx.tz)} closed on "
            f"{when(closes, ctx.tz)}. Thanks all the same!"
        )
    assert occurrence.id is not None
    await meetings.save_pulse(
        ctx.session,
        occurrence.id,
        pulse_token(ctx.settings, occurrence.id, ctx.member_id),
        int(rest.strip()),
        ctx.now,
    )
    return Reply(
        f"Thanks! Your answer about *{meeting.title}* is recorded anonymously (tap another "
        f"number to change it until {when(closes, ctx.tz)}). The rating shows once feedback "
        "closes.",
        replace=True,
    )
