"""`snooze` and `hours`: a person's say over when copbot may write to them.

The rules (which messages wait, for how long) are bot/availability.py's; the dispatcher applies
them to every proactive message. Changing either here lets held messages be looked at again.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.availability import HOURS_HELP, parse_hours, stored_hours
from bot.context import Context
from bot.errors import UserError
from bot.messages import Choice, Reply
from bot.registry import command
from bot.when import NAMED_DATE, named_date, named_day, parse_span, written_date
from storage import outbox

GROUP = "You"
LONGEST_SNOOZE = timedelta(days=366)
SNOOZE_HELP = "Type `snooze 2w`, `snooze 3d`, `snooze until 2027-01-05` or `snooze off`."


def _local(ctx: Context, moment: datetime) -> str:
    return f"{moment.astimezone(ctx.tz):%a %d %b %Y, %H:%M} ({ctx.tz.key})"


def _snooze_end(ctx: Context, text: str) -> datetime:
    span = parse_span(text)
    if span is not None:
        return ctx.now + span
    rest = text.removeprefix("until").strip()
    today = ctx.now.astimezone(ctx.tz).date()
    day = written_date(rest)
    if day is None:
        found = NAMED_DATE.fullmatch(rest)
        day = named_date(found, today) if found else named_day(rest, today)
    if day is None:
        raise UserError(f"I could not read `{text}`. {SNOOZE_HELP}")
    # Back on that day: messages resume from its start (and then wait for working hours).
    return datetime.combine(day, time(0), ctx.tz)


@command(
    "snooze",
    usage="snooze [2w | 3d | until <date> | off]",
    summary="Pause proactive messages for a while",
    group=GROUP,
    details=(
        "Prompts, reminders, nudges and digests wait until the snooze ends (answers to what "
        "you do yourself still come). `snooze` alone shows it."
    ),
    examples=("snooze 2w", "snooze until 2027-01-05", "snooze off"),
)
async def snooze(ctx: Context, args: str) -> Reply:
    text = " ".join(args.lower().split())
    member = ctx.member
    if not text:
        if member.snoozed_until and member.snoozed_until > ctx.now:
            return Reply(
                f"You are snoozed until {_local(ctx, member.snoozed_until)}.",
                choices=(Choice("Snooze off", "snooze off"),),
            )
        return Reply(f"You are not snoozed. {SNOOZE_HELP}")
    assert member.id is not None
    if text in {"off", "stop", "end", "cancel"}:
        was = member.snoozed_until is not None and member.snoozed_until > ctx.now
        member.snoozed_until = None
        ctx.session.add(member)
        released = await outbox.release_held(ctx.session, member.id, ctx.now)
        if not was:
            return Reply("You were not snoozed.")
        waiting = f" {released} waiting message{'s' * (released != 1)} will follow." * bool(
            released
        )
        return Reply(f"Snooze off: copbot writes to you again.{waiting}")
    until = _snooze_end(ctx, text)
    if until <= ctx.now:
        raise UserError(f"That is not in the future. {SNOOZE_HELP}")
    if until - ctx.now > LONGEST_SNOOZE:
        raise UserError(f"Snooze for a year at most. {SNOOZE_HELP}")
    member.snoozed_until = until
    ctx.session.add(member)
    # Held for the old end: looked at again against the new one.
    await outbox.release_held(ctx.session, member.id, ctx.now)
    return Reply(
        f"Snoozed until {_local(ctx, until)}: prompts, reminders, nudges and digests wait "
        "until then. Answers to what you do yourself still come.",
        choices=(Choice("Undo", "snooze off"),),
    )


@command(
    "hours",
    usage="hours [08:00-16:00 mon-thu | off | default]",
    summary="Your working hours: prompts and digests wait for them",
    group=GROUP,
    details=(
        "Survey prompts, nudges and digests wait for your next working hour, in your timezone "
        "(`timezone`). Reminders of meetings you said you'd attend come on time."
    ),
    examples=("hours 08:00-16:00 mon-thu", "hours 9-17", "hours off"),
)
async def hours(ctx: Context, args: str) -> Reply:
    text = " ".join(args.lower().split())
    member = ctx.member
    assert member.id is not None
    if not text:
        current = stored_hours(member.work_hours, ctx.settings.work_hours)
        shown = "any time (`hours off`)" if current is None else str(current)
        source = "" if member.work_hours else " (the default)"
        return Reply(
            f"Your working hours: {shown}{source}, in {ctx.tz.key}. {HOURS_HELP}",
        )
    if text in {"off", "any", "any time", "anytime"}:
        member.work_hours = "off"
        answer = "Working hours off: prompts and digests come at any time."
    elif text in {"default", "reset"}:
        member.work_hours = None
        default = stored_hours(None, ctx.settings.work_hours)
        answer = f"Back to the default working hours: {default or 'any time'}."
    else:
        parsed = parse_hours(text)
        member.work_hours = str(parsed)
        answer = (
            f"Your working hours are now {parsed}, in {ctx.tz.key}. Prompts, nudges and "
            "digests wait for them."
        )
    ctx.session.add(member)
    await outbox.release_held(ctx.session, member.id, ctx.now)
    return Reply(answer)
