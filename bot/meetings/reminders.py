"""Reminder verbs: a member's own reminders and a community's reminder offsets."""

from __future__ import annotations

import re

from bot.context import Context
from bot.errors import UserError
from bot.meetings import due as meetings_due
from bot.meetings import jobs as meetings_jobs
from bot.meetings.commands import GROUP, load_meeting, require_member
from bot.messages import Choice, Reply
from bot.permissions import Capability
from bot.registry import command
from storage import meetings


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
