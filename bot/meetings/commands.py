"""Meetings: schedule a series, list and RSVP, agendas, skips, check-in and attendance, .ics.

Reminders, the no-agenda nudge and the post-meeting prompts run on the heartbeat in
`bot.meetings.jobs`; the `.ics`/CSV files and demo data live in `bot.meetings.files`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta

from bot import activity, downloads
from bot.context import Context, zone
from bot.errors import UserError
from bot.form_limits import limits_of
from bot.meetings import due as meetings_due
from bot.meetings import files as meetings_files
from bot.meetings import jobs as meetings_jobs
from bot.meetings.core import (
    LISTING_WINDOW,
    STATUS_LABELS,
    agenda_of,
    editable_schedule,
    ics_link,
    in_check_in_window,
    meeting_zone,
    occurrence_card,
    plan_meeting,
    plan_starts,
    preview,
    pulse_closes_at,
    pulse_token,
    replan_meeting,
    rsvp_choices,
    schedule_text,
    start_local,
    when,
)
from bot.meetings.parse import (
    SCHEDULE_EXAMPLES,
    Schedule,
    parse_duration,
    parse_meeting,
    parse_schedule,
    parse_time,
)
from bot.meetings.parse import zone_name as canonical_zone
from bot.meetings.recurrence import day_text, slots_between
from bot.messages import Attachment, Choice, Form, FormField, Reply, Visibility
from bot.paging import Page, take_page
from bot.people import find_person, split_person
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


# -- creating ----------------------------------------------------------------------------------


def meeting_form(community: Community, meeting: Meeting | None = None) -> Form:
    fields = meeting_fields(meeting, community.timezone)
    if meeting is None:
        return Form(f"meeting.new:{community.slug}", "New meeting", fields, "Schedule")
    return Form(f"meeting.edit:{meeting.id}", "Edit meeting", fields, "Save")


def meeting_fields(meeting: Meeting | None, default_zone: str) -> tuple[FormField, ...]:
    return (
        FormField(
            "title",
            "Title",
            required=True,
            max_length=200,
            initial=meeting.title if meeting else None,
            placeholder="Monthly clinic",
        ),
        FormField(
            "when",
            "When",
            required=True,
            max_length=200,
            initial=editable_schedule(meeting) if meeting else None,
            placeholder="every first tuesday 15:00",
            hint="e.g. once 10 mar 15:00, every 2 weeks on monday 9:30, monthly on the 15th",
        ),
        FormField(
            "timezone",
            "Timezone",
            required=True,
            max_length=64,
            initial=meeting.timezone if meeting else default_zone,
        ),
        FormField(
            "duration",
            "Duration (minutes)",
            "number",
            initial=str(meeting.duration_minutes) if meeting else "60",
        ),
        FormField(
            "location",
            "Link or room",
            max_length=500,
            initial=(meeting.location or None) if meeting else None,
            placeholder="https://meet.example/abc",
        ),
        FormField(
            "agenda",
            "Agenda",
            "multiline",
            max_length=2000,
            initial=(meeting.agenda or None) if meeting else None,
        ),
    )


MEETING_LIMITS = limits_of(meeting_fields(None, "UTC"))


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


def _form_schedule(ctx: Context, text: str, zone_name: str) -> Schedule:
    zone_name = canonical_zone(zone_name)
    try:
        return parse_schedule(f"{text} {zone_name}", now=ctx.now, default_zone=zone_name)
    except UserError as exc:
        raise UserError(exc.message, fields={"when": _field_message(exc.message)}) from None


def _field_message(message: str, limit: int = 150) -> str:
    """A form field's error: whole first sentence and a short example, never cut mid-word."""
    first = message.split(". ")[0].rstrip(".") + "."
    if len(first) > limit:
        first = first[: limit - 1].rsplit(" ", 1)[0] + "…"
    example = " E.g. `every tuesday 15:00` or `once 10 mar 15:00`."
    return first + example if len(first) + len(example) <= limit else first


def _form_duration(text: str) -> int:
    text = text.strip()
    if not text:
        return 60
    minutes = parse_duration(text if not text.isdecimal() else f"{text}m")
    if minutes is None:
        raise UserError("The duration is a number of minutes.", fields={"duration": "Minutes."})
    return minutes


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
    await meetings.recheck_agendas(ctx.session, meeting.id, ctx.now)
    told = ""
    if replan:
        _check_still_ahead(ctx, meeting)
        told = await _carry_over(ctx, meeting, community)
    return _saved(ctx, meeting, told)


@command(
    "meeting cancel",
    usage="meeting cancel <meeting id>",
    summary="Cancel a whole series (asks to confirm)",
    group=GROUP,
)
async def cancel(ctx: Context, args: str) -> Reply:
    head, _, rest = args.strip().partition(" ")
    meeting, community = await load_meeting(ctx, head, "meeting cancel <meeting id>")
    await require_organiser(ctx, meeting, community)
    if meeting.cancelled_at:
        return Reply(f"*{meeting.title}* is already cancelled.")
    if rest.strip().lower() not in {"confirm", "yes"}:
        return Reply(
            f"Cancel every future session of *{meeting.title}*? Nobody gets reminders for it "
            "any more.",
            choices=(
                Choice("Yes, cancel it", f"meeting cancel {meeting.id} confirm", style="danger"),
                Choice("Keep it", f"meeting show {meeting.id}"),
            ),
        )
    count = await meetings.cancel_meeting(ctx.session, meeting, ctx.now)
    called_off = {0: "", 1: " The next session is called off."}.get(
        count, f" The next {count} sessions are called off."
    )
    return Reply(
        f"Cancelled *{meeting.title}*: no more sessions or reminders.{called_off}",
        choices=(Choice("Undo", f"meeting restore {meeting.id}"),),
        replace=True,
    )


@command(
    "meeting restore",
    usage="meeting restore <meeting id>",
    summary="Undo cancelling a meeting",
    group=GROUP,
    hidden=True,
)
async def restore(ctx: Context, args: str) -> Reply:
    meeting, community = await load_meeting(ctx, args, "meeting restore <meeting id>")
    await require_organiser(ctx, meeting, community)
    if not meeting.cancelled_at:
        return Reply(f"*{meeting.title}* is not cancelled.")
    await meetings.restore_meeting(ctx.session, meeting, ctx.now)
    await plan_meeting(ctx.session, meeting, ctx.now)
    return Reply(f"*{meeting.title}* is back on.", replace=True)


async def _occurrence_on(
    ctx: Context, meeting: Meeting, text: str, states: tuple[str, ...]
) -> MeetingOccurrence:
    assert meeting.id is not None
    text = text.strip().lower()
    candidates = await meetings.occurrences_of(
        ctx.session, meeting.id, after=ctx.now, states=states
    )
    if text in {"", "next"}:
        if not candidates and meeting.rrule and not meeting.cancelled_at:
            # Every planned session may be skipped already: plan one more beyond them.
            known = await meetings.occurrences_of(
                ctx.session, meeting.id, after=ctx.now, states=None
            )
            zone = meeting_zone(meeting)
            limit = ctx.now + timedelta(days=366)
            slots = slots_between(start_local(meeting), meeting.rrule, zone, ctx.now, limit)
            starts = [s.starts_at for s in slots[: len(known) + 1]]
            await plan_starts(ctx.session, meeting, starts, ctx.now)
            candidates = await meetings.occurrences_of(
                ctx.session, meeting.id, after=ctx.now, states=states
            )
        if not candidates:
            raise UserError("There is no upcoming session of that meeting.")
        return candidates[0]
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise UserError(
            f"Give the date as `YYYY-MM-DD`, e.g. `meeting skip {meeting.id} 2026-04-07`."
        ) from None
    zone = meeting_zone(meeting)
    if not any(o.starts_at.astimezone(zone).date() == day for o in candidates):
        # Further ahead than planned so far: plan up to that day (at most a year ahead).
        limit = ctx.now + timedelta(days=366)
        end = min(datetime.combine(day, datetime.max.time(), zone), limit)
        slots = slots_between(start_local(meeting), meeting.rrule, zone, ctx.now, end)
        await plan_starts(ctx.session, meeting, [s.starts_at for s in slots], ctx.now)
        candidates = await meetings.occurrences_of(
            ctx.session, meeting.id, after=ctx.now, states=states
        )
    for occurrence in candidates:
        if occurrence.starts_at.astimezone(zone).date() == day:
            return occurrence
    raise UserError(f"*{meeting.title}* has no session on {day_text(day)}.")


@command(
    "meeting skip",
    usage="meeting skip <meeting id> <YYYY-MM-DD|next>",
    summary="Skip one session of a series",
    group=GROUP,
    examples=("meeting skip 3 2026-04-07",),
)
async def skip(ctx: Context, args: str) -> Reply:
    head, _, rest = args.strip().partition(" ")
    meeting, community = await load_meeting(ctx, head, "meeting skip <meeting id> <date>")
    await require_organiser(ctx, meeting, community)
    _require_live(meeting)
    occurrence = await _occurrence_on(ctx, meeting, rest, ("scheduled",))
    await meetings.set_state(ctx.session, occurrence, "skipped", ctx.now)
    day = occurrence.starts_at.astimezone(meeting_zone(meeting)).date()
    return Reply(
        f"Skipped *{meeting.title}* on {day_text(day)}. Nobody gets reminders for it.",
        choices=(Choice("Undo", f"meeting unskip {meeting.id} {day.isoformat()}"),),
    )


@command(
    "meeting unskip",
    usage="meeting unskip <meeting id> <YYYY-MM-DD>",
    summary="Put a skipped session back",
    group=GROUP,
    hidden=True,
)
async def unskip(ctx: Context, args: str) -> Reply:
    head, _, rest = args.strip().partition(" ")
    meeting, community = await load_meeting(ctx, head, "meeting unskip <meeting id> <date>")
    await require_organiser(ctx, meeting, community)
    if not rest.strip():
        raise UserError(f"Which date? e.g. `meeting unskip {meeting.id} 2026-04-07`.")
    occurrence = await _occurrence_on(ctx, meeting, rest, ("skipped",))
    await meetings.set_state(ctx.session, occurrence, "scheduled", ctx.now)
    return Reply(f"*{meeting.title}* on {rest.strip()} is back on.", replace=True)


@command(
    "agenda",
    usage="agenda <meeting id> [series] <text>",
    summary="Set the agenda of a meeting's next session (or of the whole series)",
    group=GROUP,
    examples=("agenda 3 Incident review; lightning talks", "agenda 3 series Open Q&A"),
)
async def set_agenda(ctx: Context, args: str) -> Reply:
    head, _, text = args.strip().partition(" ")
    meeting, community = await load_meeting(ctx, head, "agenda <meeting id> <text>")
    assert meeting.id is not None
    upcoming = [
        o for o in await meetings.occurrences_of(ctx.session, meeting.id, after=ctx.now, limit=1)
    ]
    text = text.strip()
    if not text:
        current = agenda_of(upcoming[0], meeting) if upcoming else meeting.agenda
        return Reply(
            f"Agenda of *{meeting.title}*: {current or '(none yet)'}\n"
            f"Set it with `agenda {meeting.id} <text>`."
        )
    await require_organiser(ctx, meeting, community)
    _require_live(meeting)
    if len(text) > 2000:
        raise UserError("Keep the agenda under 2000 characters.")
    words = text.split(maxsplit=1)
    if words[0].lower() == "series" or not meeting.rrule:
        if words[0].lower() == "series":
            text = words[1] if len(words) > 1 else ""
        meeting.agenda = text
        ctx.session.add(meeting)
        await meetings.recheck_agendas(ctx.session, meeting.id, ctx.now)
        return Reply(f"Set the agenda of every session of *{meeting.title}*.")
    if not upcoming:
        raise UserError("There is no upcoming session; use `agenda <id> series <text>`.")
    upcoming[0].agenda = text
    ctx.session.add(upcoming[0])
    return Reply(
        f"Set the agenda of *{meeting.title}* on {when(upcoming[0].starts_at, ctx.tz)}. "
        "It goes out with the reminder the day before."
    )


@command(
    "meeting remind",
    usage="meeting remind me <meeting id> [off]",
    summary="Get (or stop) reminders of a meeting series in a DM",
    group=GROUP,
)
async def remind_me(ctx: Context, args: str) -> Reply:
    words = [w for w in args.split() if w.lower() != "me"]
    if not words:
        raise UserError("Which meeting? Type `meeting remind me <meeting id>`.")
    meeting, community = await load_meeting(ctx, words[0], "meeting remind me <meeting id>")
    assert meeting.id is not None
    on = not (len(words) > 1 and words[1].lower() in {"off", "stop", "no"})
    if on:
        # Reminders are for members, as RSVPs are; anyone may still turn theirs off.
        await require_member(ctx, community)
        if meeting.cancelled_at:
            raise UserError(f"*{meeting.title}* is cancelled, so there is nothing to remind of.")
    await meetings.set_opt_in(ctx.session, meeting.id, ctx.member_id, on, ctx.now)
    if on:
        return Reply(
            f"I'll remind you before every session of *{meeting.title}*.",
            choices=(Choice("Stop reminders", f"meeting remind me {meeting.id} off"),),
        )
    return Reply(
        f"No more reminders of *{meeting.title}* unless you RSVP.",
        choices=(Choice("Remind me again", f"meeting remind me {meeting.id}"),),
    )


_OFFSET = re.compile(r"^(?:(\d{1,3})d)?(?:(\d{1,3})h)?(?:(\d{1,5})(?:m|min|mins))?$")


def parse_offsets(text: str) -> list[int]:
    """`48h 1h 10m` → [2880, 60, 10]; a UserError with an example otherwise."""
    found: set[int] = set()
    for token in text.lower().replace(",", " ").split():
        match = _OFFSET.match(token)
        if not token or match is None or not any(match.groups()):
            raise UserError(
                f"I didn't understand `{token[:20]}`. Give how long before each session, like "
                "`48h 1h 10m` (d = days, h = hours, m = minutes), or `default`."
            )
        days, hours, minutes = (int(g or 0) for g in match.groups())
        total = days * 1440 + hours * 60 + minutes
        if not 0 < total <= meetings_due.MAX_OFFSET:
            raise UserError("Reminders go out at most 14 days and at least 1 minute before.")
        found.add(total)
    if len(found) > meetings_due.MAX_OFFSETS:
        raise UserError(f"At most {meetings_due.MAX_OFFSETS} reminders per session.")
    return sorted(found, reverse=True)


@command(
    "meeting reminders",
    usage="meeting reminders [<offsets>|default] [in <community>]",
    summary="When reminders go out before each session (leaders and facilitators change it)",
    group=GROUP,
    details="Reminders of an hour or more carry the agenda; shorter ones carry the link and a "
    "check-in button. They go to the community's channel and to members who said going or "
    "maybe or asked with `meeting remind me`.",
    examples=("meeting reminders 48h 1h 10m", "meeting reminders default"),
)
async def reminder_offsets(ctx: Context, args: str) -> Reply:
    community = await ctx.community()
    text = args.strip()
    if not text:
        return Reply(
            f"Reminders for {community.name} go out "
            f"{meetings_jobs.offsets_text(meetings_due.offsets_of(community))} before each "
            "session. Leaders and facilitators change this with e.g. `meeting reminders 48h 1h "
            "10m`."
        )
    await ctx.require(Capability.SCHEDULE_MEETINGS, community)
    if text.lower() in {"default", "reset"}:
        offsets = list(meetings_due.DEFAULT_OFFSETS)
    else:
        offsets = parse_offsets(text)
    # A new list, not an in-place change: the JSON column only notices a new value.
    community.reminder_offsets = offsets
    ctx.session.add(community)
    assert community.id is not None
    await meetings.recheck_reminders(ctx.session, community.id, ctx.now)
    return Reply(
        f"Reminders for {community.name} now go out {meetings_jobs.offsets_text(offsets)} "
        "before each session (from the next reminder on).",
        choices=(Choice("Back to 24 hours and 15 minutes", "meeting reminders default"),),
    )


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
