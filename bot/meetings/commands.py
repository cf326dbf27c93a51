"""Meeting verbs for a series: schedule, list, show and edit (the shared lookups live here too).

One session's verbs (cancel, skip, agenda) are in `bot.meetings.occurrences`, reminders in
`bot.meetings.reminders`, RSVP, check-in and attendance in `bot.meetings.attendance`, the form
in `bot.meetings.forms`. Reminders, the no-agenda nudge and the post-meeting prompts run on
the heartbeat in `bot.meetings.jobs`; the `.ics`/CSV files and demo data live in
`bot.meetings.files`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.context import Context, zone
from bot.delivery import WANTED
from bot.errors import UserError
from bot.meetings import due as meetings_due
from bot.meetings import jobs as meetings_jobs
from bot.meetings.core import (
    LISTING_WINDOW,
    STATUS_LABELS,
    editable_schedule,
    ics_link,
    occurrence_card,
    plan_meeting,
    preview,
    pulse_closes_at,
    replan_meeting,
    rsvp_choices,
    schedule_text,
    start_local,
    when,
)
from bot.meetings.forms import MEETING_LIMITS, _form_duration, _form_schedule, meeting_form
from bot.meetings.parse import (
    SCHEDULE_EXAMPLES,
    Schedule,
    parse_duration,
    parse_meeting,
    parse_schedule,
    parse_time,
)
from bot.meetings.parse import zone_name as canonical_zone
from bot.messages import Choice, Reply
from bot.paging import Page, take_page
from bot.people import find_person
from bot.permissions import Capability
from bot.registry import command, form, home_section
from bot.surveys.core import min_answers
from storage import communities, meetings, people
from storage.tables import Community
from storage.tables.meetings import Meeting, MeetingOccurrence

GROUP = "Meetings"
PER_PAGE = 5
_ID = re.compile(r"^#?(\d{1,9})$")
_STATUS_WORDS = {
    "going": "going", "yes": "going", "y": "going", "attending": "going",
    "maybe": "maybe", "tentative": "maybe", "perhaps": "maybe",
    "no": "no", "not": "no", "n": "no", "decline": "no", "not going": "no",
}  # fmt: skip
EDIT_FIELDS = ("title", "time", "schedule", "timezone", "duration", "link", "agenda", "facilitator")


def parse_id(text: str, what: str, usage: str) -> int:
    found = _ID.match(text.strip())
    if not found:
        raise UserError(f"Which {what}? Type `{usage}`; `meetings` shows the numbers.")
    return int(found[1])


async def load_meeting(ctx: Context, text: str, usage: str) -> tuple[Meeting, Community]:
    meeting_id = parse_id(text, "meeting", usage)
    meeting = await meetings.get_meeting(ctx.session, meeting_id)
    community = (
        await communities.get_community(ctx.session, meeting.community_id) if meeting else None
    )
    if meeting is None or community is None:
        raise UserError(f"There is no meeting `{meeting_id}`. Type `meetings` to see them.")
    return meeting, community


async def load_occurrence(
    ctx: Context, text: str, usage: str
) -> tuple[MeetingOccurrence, Meeting, Community]:
    occurrence_id = parse_id(text, "session", usage)
    found = await meetings.get_occurrence(ctx.session, occurrence_id)
    community = (
        await communities.get_community(ctx.session, found[1].community_id) if found else None
    )
    if found is None or community is None:
        raise UserError(f"There is no session `{occurrence_id}`. Type `meetings` to see them.")
    return found[0], found[1], community


async def require_organiser(ctx: Context, meeting: Meeting, community: Community) -> None:
    """Leaders and facilitators of the community, or this meeting's own facilitator."""
    if meeting.facilitator_id == ctx.member_id:
        return
    await ctx.require(Capability.SCHEDULE_MEETINGS, community)


def _require_live(meeting: Meeting) -> None:
    if meeting.cancelled_at:
        raise UserError(
            f"*{meeting.title}* is cancelled. Press Undo on the cancellation, or schedule a new "
            "one with `meeting new`."
        )


async def require_member(ctx: Context, community: Community) -> None:
    assert community.id is not None
    if not await communities.active_membership(ctx.session, community.id, ctx.member_id):
        raise UserError(
            f"Join {community.name} first: type `join {community.slug}`.",
        )


@command(
    "meeting new",
    usage='meeting new ["<title>" <schedule> [timezone] [duration] [link]]',
    summary="Schedule a meeting or a series (leaders and facilitators)",
    group=GROUP,
    details="Schedules: " + SCHEDULE_EXAMPLES + ". With no arguments a form opens. "
    "The time is in the community's timezone unless you add one, e.g. `Europe/Berlin`.",
    examples=(
        'meeting new "Monthly clinic" every first tuesday 15:00 Europe/Berlin 60m '
        "https://meet.example/abc",
        "meeting new Retro once 10 mar 15:00",
    ),
)
async def create(ctx: Context, args: str) -> Reply:
    community = await ctx.community()
    await ctx.require(Capability.SCHEDULE_MEETINGS, community)
    if not args.strip():
        return Reply(f"Schedule a meeting for {community.name}.", form=meeting_form(community))
    parsed = parse_meeting(args, now=ctx.now, default_zone=community.timezone)
    schedule = parsed.schedule
    return await _create(
        ctx,
        community,
        title=parsed.title,
        start=schedule.start_local,
        rule=schedule.rule,
        timezone=schedule.timezone,
        duration=schedule.duration or 60,
        location=schedule.location or "",
        agenda="",
    )


@form("meeting.new", limits=MEETING_LIMITS)
async def create_from_form(ctx: Context, values: Mapping[str, str]) -> Reply:
    community = await ctx.community(values.get("_arg"))
    await ctx.require(Capability.SCHEDULE_MEETINGS, community)
    title = values.get("title", "").strip()
    if not title or len(title) > 200:
        raise UserError("Give the meeting a title.", fields={"title": "Required."})
    zone_name = values.get("timezone") or community.timezone
    schedule = _form_schedule(ctx, values.get("when", ""), zone_name)
    return await _create(
        ctx,
        community,
        title=title,
        start=schedule.start_local,
        rule=schedule.rule,
        timezone=schedule.timezone,
        duration=_form_duration(values.get("duration", "")),
        location=(values.get("location") or schedule.location or "")[:500],
        agenda=values.get("agenda", "")[:2000],
    )


async def _create(
    ctx: Context,
    community: Community,
    *,
    title: str,
    start: datetime,
    rule: str,
    timezone: str,
    duration: int,
    location: str,
    agenda: str,
) -> Reply:
    assert community.id is not None
    meeting = await meetings.create_meeting(
        ctx.session,
        Meeting(
            community_id=community.id,
            title=title,
            start_local=start.isoformat(timespec="minutes"),
            timezone=timezone,
            duration_minutes=duration,
            rrule=rule,
            location=location,
            agenda=agenda,
            facilitator_id=ctx.member_id,
            created_by=ctx.member_id,
            created_at=ctx.now,
        ),
    )
    await plan_meeting(ctx.session, meeting, ctx.now)
    next_ones = "\n".join(f"• {line}" for line in preview(meeting, ctx.now, ctx.tz))
    return Reply(
        f"Scheduled *{title}* for {community.name} (meeting `{meeting.id}`): "
        f"{schedule_text(meeting)}.\nNext sessions in your time:\n{next_ones}",
        choices=(
            Choice("Show", f"meeting show {meeting.id}"),
            Choice("Add agenda", f"meeting edit {meeting.id}"),
            Choice("Undo", f"meeting cancel {meeting.id} confirm", style="danger"),
        ),
        context=f"Reminders go out "
        f"{meetings_jobs.offsets_text(meetings_due.offsets_of(community))} before each session "
        "(`meeting reminders` to change).",
    )


# -- listing and showing -----------------------------------------------------------------------


@command(
    "meetings",
    usage="meetings [page N] [in <community>]",
    summary="Upcoming meetings, with RSVP buttons",
    group=GROUP,
)
async def list_upcoming(ctx: Context, args: str) -> list[Reply]:
    rest, number = take_page(args)
    if ctx.named_community is not None or ctx.channel_community is not None or rest.strip():
        scope = [await ctx.community(rest.strip() or None)]
    else:
        scope = await communities.communities_of(ctx.session, ctx.member_id)
    if not scope:
        return [Reply("You are not in a community yet. Type `communities` to find one.")]
    by_id = {c.id: c for c in scope}
    ids = [c.id for c in scope if c.id is not None]
    _none, total = await meetings.upcoming(
        ctx.session, ids, after=ctx.now, until=ctx.now + LISTING_WINDOW, limit=0
    )
    page = Page(min(number, max(1, -(-total // PER_PAGE))), PER_PAGE, total)
    rows, _ = await meetings.upcoming(
        ctx.session,
        ids,
        after=ctx.now,
        until=ctx.now + LISTING_WINDOW,
        offset=page.offset,
        limit=PER_PAGE,
    )
    if not rows:
        where = scope[0].name if len(scope) == 1 else "your communities"
        # Only those who may schedule get the button; the others would be refused on click.
        schedulers = [c for c in scope if await ctx.can(Capability.SCHEDULE_MEETINGS, c)]
        choices: tuple[Choice, ...] = ()
        if schedulers:
            # With one such community the form needs no "which community?" question.
            where_to = f" in {schedulers[0].slug}" if len(schedulers) == 1 else ""
            choices = (Choice("Schedule a meeting", f"meeting new{where_to}"),)
        return [
            Reply(
                f"No meetings in the next 4 weeks in {where}. Leaders and facilitators can "
                "schedule one with `meeting new`.",
                choices=choices,
            )
        ]
    occurrence_ids = [o.id for o, _ in rows if o.id is not None]
    counts = await meetings.rsvp_counts(ctx.session, occurrence_ids)
    mine = await meetings.rsvps_of(ctx.session, ctx.member_id, occurrence_ids)
    replies = [
        Reply(
            f"Upcoming meetings (times in {ctx.tz.key}). {page.footer()}",
            title="Meetings",
        )
    ]
    for occurrence, meeting in rows:
        assert occurrence.id is not None
        replies.append(
            occurrence_card(
                occurrence,
                meeting,
                by_id[meeting.community_id],
                viewer=ctx.tz,
                counts=counts.get(occurrence.id, {}),
                mine=mine.get(occurrence.id),
                now=ctx.now,
                settings=ctx.settings,
            )
        )
    suffix = f" in {scope[0].slug}" if len(scope) == 1 else ""
    more = tuple(
        Choice(c.label, f"{c.command}{suffix}") for c in page.more("meetings") if c.command
    )
    if more:
        replies.append(Reply(page.footer(), choices=more))
    return replies


@command(
    "meeting show",
    usage="meeting show <meeting id>",
    summary="A meeting's schedule, next sessions and calendar file",
    group=GROUP,
)
async def show(ctx: Context, args: str) -> Reply:
    meeting, community = await load_meeting(ctx, args, "meeting show <meeting id>")
    assert meeting.id is not None
    upcoming = await meetings.occurrences_of(
        ctx.session, meeting.id, after=ctx.now - timedelta(hours=12), limit=5
    )
    upcoming = [o for o in upcoming if o.ends_at > ctx.now][:3]
    lines = [f"• {when(o.starts_at, ctx.tz)} (session `{o.id}`)" for o in upcoming]
    if not lines and not meeting.cancelled_at:
        # Further ahead than the planned rows (a one-off months away): computed from the rule.
        lines = [f"• {line}" for line in preview(meeting, ctx.now, ctx.tz)]
    facilitator = None
    if meeting.facilitator_id:
        person = await people.get_member(ctx.session, meeting.facilitator_id)
        facilitator = person.display_name if person else None
    fields = [
        ("Community", community.name),
        ("Schedule", schedule_text(meeting)),
        ("Duration", f"{meeting.duration_minutes} minutes"),
        ("Next sessions (your time)", "\n".join(lines) or "(none planned)"),
    ]
    if meeting.location:
        fields.append(("Where", meeting.location))
    if facilitator:
        fields.append(("Facilitator", facilitator))
    if meeting.agenda:
        fields.append(("Agenda", meeting.agenda))
    rating = await _last_rating(ctx, meeting)
    if rating:
        fields.append(("Last session", rating))
    status = " This meeting is cancelled." if meeting.cancelled_at else ""
    choices = [Choice("Add to calendar", url=ics_link(ctx.settings, meeting.id, ctx.now))]
    assert community.id is not None
    member = await communities.active_membership(ctx.session, community.id, ctx.member_id)
    if upcoming and not meeting.cancelled_at and not member:
        # RSVPs and reminders are for members: offer what they would be told to do first.
        choices.append(Choice(f"Join {community.name}", f"join {community.slug}"))
    elif upcoming and not meeting.cancelled_at:
        assert upcoming[0].id is not None
        choices.extend(rsvp_choices(upcoming[0].id, None))
        choices.append(Choice("Remind me", f"meeting remind me {meeting.id}"))
    return Reply(
        f"*{meeting.title}* (meeting `{meeting.id}`).{status}",
        title=meeting.title,
        fields=tuple(fields),
        choices=tuple(choices),
    )


async def _last_rating(ctx: Context, meeting: Meeting) -> str | None:
    """The mean rating of the last session whose feedback has closed, shown only with as many
    answers as an anonymous survey needs (COPBOT_ANONYMITY_THRESHOLD)."""
    assert meeting.id is not None
    held = await meetings.occurrences_of(
        ctx.session, meeting.id, after=ctx.now - timedelta(days=120), until=ctx.now
    )
    threshold = min_answers(ctx.settings)
    for occurrence in reversed(held):
        assert occurrence.id is not None
        if ctx.now < pulse_closes_at(occurrence):
            continue  # still taking answers: never a live figure
        count, mean = await meetings.pulse_summary(ctx.session, occurrence.id)
        if count >= threshold and mean is not None:
            return f"rated {mean:.1f} of 5 by {count} people ({when(occurrence.starts_at, ctx.tz)})"
        if count:
            return None
    return None


# -- changing ----------------------------------------------------------------------------------


@command(
    "meeting edit",
    usage="meeting edit <meeting id> [<field> <value>]",
    summary="Change a meeting (leaders and facilitators)",
    group=GROUP,
    details="Fields: " + ", ".join(EDIT_FIELDS) + ". With only the id a form opens.",
    examples=("meeting edit 3 time 16:00", "meeting edit 3 schedule every 2 weeks on monday 9:30"),
)
async def edit(ctx: Context, args: str) -> Reply:
    head, _, rest = args.strip().partition(" ")
    meeting, community = await load_meeting(ctx, head, "meeting edit <meeting id>")
    await require_organiser(ctx, meeting, community)
    if meeting.cancelled_at:
        raise UserError("That meeting is cancelled; schedule a new one with `meeting new`.")
    if not rest.strip():
        return Reply(f"Edit *{meeting.title}*.", form=meeting_form(community, meeting))
    field, _, value = rest.strip().partition(" ")
    field = {"when": "schedule", "location": "link", "where": "link", "tz": "timezone"}.get(
        field.lower(), field.lower()
    )
    if field not in EDIT_FIELDS:
        raise UserError(
            "You can change: " + ", ".join(f"`{f}`" for f in EDIT_FIELDS) + ". "
            f"For example `meeting edit {meeting.id} time 16:00`."
        )
    value = value.strip()
    replan = False
    if field == "title":
        if not value or len(value) > 200:
            raise UserError("Give a title of at most 200 characters.")
        meeting.title = value.strip('"')
    elif field == "time":
        at = parse_time(value)
        if at is None:
            raise UserError(f"Type a time, e.g. `meeting edit {meeting.id} time 16:00`.")
        local = start_local(meeting)
        meeting.start_local = datetime.combine(local.date(), at).isoformat(timespec="minutes")
        replan = True
    elif field == "schedule":
        schedule = parse_schedule(value, now=ctx.now, default_zone=meeting.timezone)
        _apply_schedule(meeting, schedule)
        replan = True
    elif field == "timezone":
        meeting.timezone, replan = canonical_zone(value), True
    elif field == "duration":
        minutes = parse_duration(value if not value.isdecimal() else f"{value}m")
        if minutes is None:
            raise UserError(f"Type minutes, e.g. `meeting edit {meeting.id} duration 90m`.")
        meeting.duration_minutes, replan = minutes, True
    elif field == "link":
        meeting.location = value[:500]
    elif field == "agenda":
        meeting.agenda = value[:2000]
        assert meeting.id is not None
        await meetings.recheck_agendas(ctx.session, meeting.id, ctx.now)
    elif field == "facilitator":
        person = await find_person(ctx, value)
        meeting.facilitator_id = person.id
    ctx.session.add(meeting)
    told = ""
    if replan:
        _check_still_ahead(ctx, meeting)
        told = await _carry_over(ctx, meeting, community)
    return _saved(ctx, meeting, told)


def _apply_schedule(meeting: Meeting, schedule: Schedule) -> None:
    meeting.start_local = schedule.start_local.isoformat(timespec="minutes")
    meeting.rrule = schedule.rule
    meeting.timezone = schedule.timezone
    if schedule.duration:
        meeting.duration_minutes = schedule.duration
    if schedule.location:
        meeting.location = schedule.location


def _check_still_ahead(ctx: Context, meeting: Meeting) -> None:
    if not preview(meeting, ctx.now, ctx.tz, 1):
        raise UserError(
            "That change would leave no session in the future. Pick a later time or date, e.g. "
            f"`meeting edit {meeting.id} schedule once 10 mar 15:00`."
        )


def _saved(ctx: Context, meeting: Meeting, told: str = "") -> Reply:
    next_ones = "\n".join(f"• {line}" for line in preview(meeting, ctx.now, ctx.tz))
    return Reply(
        f"Saved *{meeting.title}*: {schedule_text(meeting)}.\nNext sessions in your time:\n"
        f"{next_ones or '(none)'}" + (f"\n{told}" if told else ""),
        choices=(Choice("Show", f"meeting show {meeting.id}"),),
    )


async def _carry_over(ctx: Context, meeting: Meeting, community: Community) -> str:
    """Replan after a schedule change; RSVPs follow each moved session to its replacement and
    everyone who said going or maybe hears about the change. Returns a line for the organiser."""
    assert meeting.id is not None and community.id is not None
    told: set[int] = set()
    for old, was, new in await replan_meeting(ctx.session, meeting, ctx.now):
        assert old.id is not None
        if was != "scheduled":
            continue  # a skipped session stays skipped at its new time; nobody expects it
        if new is not None and new.id is not None:
            answers = await meetings.carry_rsvps(ctx.session, old.id, new.id, ctx.now)
            if old.agenda and not new.agenda:
                new.agenda = old.agenda
                ctx.session.add(new)
        else:
            answers = await meetings.rsvps_for(ctx.session, [old.id])
        coming = [a for a in answers if a.status in {"going", "maybe"}]
        found = await people.members_by_ids(ctx.session, [a.member_id for a in coming])
        for answer in coming:
            member = found.get(answer.member_id)
            if member is None or answer.member_id == ctx.member_id:
                continue
            viewer = zone(member.timezone, community.timezone)
            was = when(old.starts_at, viewer)
            if new is not None and new.id is not None:
                reply = Reply(
                    f"*{meeting.title}* ({community.name}) moved: {was} is now "
                    f"{when(new.starts_at, viewer)}. Your answer "
                    f"({STATUS_LABELS[answer.status].lower()}) still stands; change it below.",
                    title=f"Moved: {meeting.title}",
                    choices=rsvp_choices(new.id, answer.status),
                )
            else:
                reply = Reply(
                    f"*{meeting.title}* ({community.name}) on {was} no longer takes place: "
                    f"the schedule is now {schedule_text(meeting)}.",
                    title=f"Changed: {meeting.title}",
                    choices=(Choice("Next sessions", f"meeting show {meeting.id}"),),
                )
            if await ctx.notify_member(
                answer.member_id,
                reply,
                key=f"meeting-moved:{old.id}:{answer.member_id}",
                community_id=community.id,
                # News of a session is moot once it is over (the new one, or the old one
                # that no longer takes place).
                not_after=(new or old).ends_at,
                kind=WANTED,  # news of a session they said they would come to
            ):
                told.add(answer.member_id)
    if not told:
        return ""
    n = len(told)
    return (
        f"I told {n} {'person' if n == 1 else 'people'} who had answered going or maybe; "
        "their answers moved with the sessions."
    )


@form("meeting.edit", limits=MEETING_LIMITS)
async def edit_from_form(ctx: Context, values: Mapping[str, str]) -> Reply:
    meeting, community = await load_meeting(ctx, values.get("_arg", ""), "meeting edit <id>")
    await require_organiser(ctx, meeting, community)
    title = values.get("title", "").strip()
    if not title or len(title) > 200:
        raise UserError("Give the meeting a title.", fields={"title": "Required."})
    meeting.title = title
    zone_name = values.get("timezone") or meeting.timezone
    when_text = values.get("when", "").strip()
    duration = _form_duration(values.get("duration", ""))
    replan = duration != meeting.duration_minutes
    if when_text != editable_schedule(meeting) or zone_name != meeting.timezone:
        _apply_schedule(meeting, _form_schedule(ctx, when_text, zone_name))
        replan = True
    meeting.duration_minutes = duration
    meeting.location = values.get("location", "")[:500]
    meeting.agenda = values.get("agenda", "")[:2000]
    ctx.session.add(meeting)
    assert meeting.id is not None
    await meetings.recheck_agendas(ctx.session, meeting.id, ctx.now)
    told = ""
    if replan:
        _check_still_ahead(ctx, meeting)
        told = await _carry_over(ctx, meeting, community)
    return _saved(ctx, meeting, told)


# -- home --------------------------------------------------------------------------------------


@home_section(20)
async def next_meetings(ctx: Context) -> list[Reply]:
    mine = await communities.communities_of(ctx.session, ctx.member_id)
    ids = [c.id for c in mine if c.id is not None]
    if not ids:
        return []
    rows, total = await meetings.upcoming(
        ctx.session, ids, after=ctx.now, until=ctx.now + LISTING_WINDOW, limit=3
    )
    if not rows:
        return []
    statuses = await meetings.rsvps_of(ctx.session, ctx.member_id, [o.id for o, _ in rows if o.id])
    lines = []
    choices: list[Choice] = []
    for occurrence, meeting in rows:
        assert occurrence.id is not None
        state = STATUS_LABELS.get(statuses.get(occurrence.id, ""), "no answer yet")
        lines.append(
            f"*{meeting.title}*: {when(occurrence.starts_at, ctx.tz)} (you: {state.lower()})"
        )
        if occurrence.id not in statuses and len(choices) < 2:
            choices.append(Choice(f"Going: {meeting.title}"[:40], f"rsvp {occurrence.id} going"))
    choices.append(Choice(f"All meetings ({total})", "meetings"))
    return [Reply("\n".join(lines), title="Your next meetings", choices=tuple(choices))]
