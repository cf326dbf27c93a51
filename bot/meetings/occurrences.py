"""One session of a series: cancel and restore a meeting, skip and unskip a date, its agenda."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.context import Context
from bot.errors import UserError
from bot.meetings.commands import GROUP, _require_live, load_meeting, require_organiser
from bot.meetings.core import (
    agenda_of,
    meeting_zone,
    plan_meeting,
    plan_starts,
    start_local,
    when,
)
from bot.meetings.recurrence import day_text, slots_between
from bot.messages import Choice, Reply
from bot.registry import command
from storage import meetings
from storage.tables.meetings import Meeting, MeetingOccurrence


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
