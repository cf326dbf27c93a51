"""Heartbeat work for meetings: plan occurrences ahead, remind, nudge for agendas, follow up.

Every message has a deterministic outbox key and every step is claimed on the occurrence row
with a conditional update first, so restarts and several replicas send each message once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.context import JobContext, zone
from bot.delivery import NORMAL, URGENT, WANTED
from bot.meetings.core import (
    REPLAN,
    STATUS_LABELS,
    agenda_of,
    ics_link,
    in_how_long,
    plan_meetings,
    rsvp_choices,
    when,
)
from bot.meetings.due import agenda_check_at, next_reminder_at, offsets_of
from bot.messages import Choice, Reply
from bot.registry import due_job
from storage import meetings, nudges, people
from storage.tables import Community
from storage.tables.meetings import Meeting, MeetingOccurrence

URGENT_WITHIN_MINUTES = 60
# Reminders with an offset under this include the link and the check-in button.
SHORT_REMINDER = 60
FOLLOW_UP_WITHIN = timedelta(days=1)


def offset_words(minutes: int) -> str:
    """`1 day 6 hours`, `24 hours`, `1 hour 30 minutes`: how long before a session."""
    if minutes % 1440 == 0 and minutes != 1440:
        days = minutes // 1440
        return f"{days} day{'s' * (days != 1)}"
    hours, rest = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' * (hours != 1)}"] if hours else []
    if rest or not parts:
        parts.append(f"{rest} minute{'s' * (rest != 1)}")
    return " ".join(parts)


def offsets_text(offsets: list[int]) -> str:
    """`24 hours and 15 minutes`, longest first."""
    words = [offset_words(o) for o in sorted(offsets, reverse=True)]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


@due_job("meetings.1-plan")
async def plan_ahead(jctx: JobContext) -> None:
    series = await meetings.meetings_to_plan(jctx.session, jctx.now + REPLAN)
    await plan_meetings(jctx.session, series, jctx.now)


def _reminder_live(occurrence: MeetingOccurrence, meeting: Meeting, now: datetime) -> bool:
    return (
        occurrence.state == meetings.SCHEDULED
        and meeting.cancelled_at is None
        and occurrence.starts_at > now
    )


@due_job("meetings.2-reminders")
async def send_reminders(jctx: JobContext) -> None:
    """Only sessions whose stored reminder time has come are read (bot/meetings_due.py)."""
    # Due times to store for sessions looked at without sending, written in one statement.
    times: dict[int, datetime | None] = {}
    for occurrence, meeting, community in await meetings.reminders_due(jctx.session, jctx.now):
        assert occurrence.id is not None
        if not _reminder_live(occurrence, meeting, jctx.now):
            # Skipped, cancelled, moved or started: nothing more to send unless it comes back.
            times[occurrence.id] = None
            continue
        offsets = offsets_of(community)
        due = [o for o in offsets if occurrence.starts_at - timedelta(minutes=o) <= jctx.now]
        # Only the latest due offset: after downtime, one reminder, not a burst of stale ones.
        offset = min(due, default=None)
        if offset is None or (
            occurrence.reminded_offset is not None and occurrence.reminded_offset <= offset
        ):
            # Looked at early (offsets changed, unskipped): store the exact next time.
            times[occurrence.id] = next_reminder_at(
                occurrence.starts_at, occurrence.reminded_offset, offsets
            )
            continue
        later = next_reminder_at(occurrence.starts_at, offset, offsets)
        if not await meetings.claim_reminder(jctx.session, occurrence.id, offset, later):
            continue
        await _remind(jctx, occurrence, meeting, community, offset)
    await meetings.set_remind_times(jctx.session, times)


def reminder_reply(
    jctx: JobContext,
    occurrence: MeetingOccurrence,
    meeting: Meeting,
    community: Community,
    offset: int,
    viewer_zone: str | None,
    mine: str | None,
) -> Reply:
    assert occurrence.id is not None and meeting.id is not None
    viewer = zone(viewer_zone, community.timezone)
    fields = [("When", f"{when(occurrence.starts_at, viewer)} ({meeting.duration_minutes} min)")]
    agenda = agenda_of(occurrence, meeting)
    short = offset < SHORT_REMINDER
    if agenda and not short:
        fields.append(("Agenda", agenda))
    if meeting.location:
        fields.append(("Join" if short else "Where", meeting.location))
    choices = list(rsvp_choices(occurrence.id, mine))
    if short:
        choices.insert(0, Choice("Check in", f"checkin {occurrence.id}", style="primary"))
    choices.append(Choice("Add to calendar", url=ics_link(jctx.settings, meeting.id, jctx.now)))
    answered = f" You said: {STATUS_LABELS[mine].lower()}." if mine else ""
    return Reply(
        f"*{meeting.title}* ({community.name}) starts "
        f"{in_how_long(occurrence.starts_at, jctx.now)}.{answered}",
        title=f"Reminder: {meeting.title}",
        fields=tuple(fields),
        choices=tuple(choices),
    )


def reminder_moot_at(occurrence: MeetingOccurrence, offset: int) -> datetime:
    """When a reminder held back (a snooze, a long outage) is better dropped than sent.

    A short reminder carries the join link and the Check in button: someone whose snooze ends
    ten minutes into the session can still join with it, so it stays until the session ends.
    A longer one says "starts in 1 day" and has no link: once the session has begun it would
    only mislead, so it goes no later than the start.
    """
    return occurrence.ends_at if offset < SHORT_REMINDER else occurrence.starts_at


async def _remind(
    jctx: JobContext,
    occurrence: MeetingOccurrence,
    meeting: Meeting,
    community: Community,
    offset: int,
) -> None:
    assert occurrence.id is not None and meeting.id is not None
    key = f"meeting-reminder:{occurrence.id}:{offset}"
    # A reminder for a meeting about to start is what people wait for: ahead of any fan-out.
    priority = URGENT if offset <= URGENT_WITHIN_MINUTES else NORMAL
    moot_at = reminder_moot_at(occurrence, offset)
    await jctx.post_to_community(
        community,
        reminder_reply(jctx, occurrence, meeting, community, offset, community.timezone, None),
        key=f"{key}:channel",
        not_after=moot_at,
        priority=priority,
    )
    answers = {
        r.member_id: r.status for r in await meetings.rsvps_for(jctx.session, [occurrence.id])
    }
    wanted = {m for m, s in answers.items() if s in {"going", "maybe"}}
    wanted |= {
        m for m in await meetings.opted_in(jctx.session, meeting.id) if answers.get(m) != "no"
    }
    recipients = await people.members_by_ids(jctx.session, sorted(wanted))
    for member_id, member in sorted(recipients.items()):
        await jctx.notify_member(
            member_id,
            reminder_reply(
                jctx,
                occurrence,
                meeting,
                community,
                offset,
                member.timezone,
                answers.get(member_id),
            ),
            key=f"{key}:{member_id}",
            community_id=community.id,
            not_after=moot_at,
            priority=priority,
            kind=WANTED,  # they said they are coming: on time, whatever their hours
        )


@due_job("meetings.3-agenda")
async def nudge_missing_agendas(jctx: JobContext) -> None:
    """Only sessions whose stored agenda check time has come are read.

    This raises the N2 signal only: the leader nudges (`bot.nudges`) tell the organisers, with
    their weekly cap, Do it / Snooze / Not relevant buttons and the community's thresholds.
    """
    times: dict[int, datetime | None] = {}
    for occurrence, meeting, community in await meetings.agenda_checks_due(jctx.session, jctx.now):
        assert occurrence.id is not None and community.id is not None
        if (
            occurrence.agenda_nudged
            or not _reminder_live(occurrence, meeting, jctx.now)
            or agenda_of(occurrence, meeting).strip()
        ):
            # Looked at again when the agenda is cleared or the session comes back.
            times[occurrence.id] = None
            continue
        check_at = agenda_check_at(occurrence.starts_at, meeting.created_at)
        if check_at > jctx.now:
            times[occurrence.id] = check_at
            continue
        if not await meetings.claim_agenda_nudge(jctx.session, occurrence.id):
            continue
        await nudges.raise_signal(
            jctx.session,
            key=f"meeting-no-agenda:{occurrence.id}",
            community_id=community.id,
            rule="N2",
            now=jctx.now,
            detail=f"{meeting.title} on {occurrence.starts_at:%Y-%m-%d} has no agenda",
            member_id=meeting.facilitator_id,
            ref=f"meeting:{meeting.id}",
        )
    await meetings.set_agenda_check_times(jctx.session, times)


@due_job("meetings.4-follow-up")
async def follow_up(jctx: JobContext) -> None:
    rows = await meetings.ended_without_follow_up(
        jctx.session, ended_after=jctx.now - FOLLOW_UP_WITHIN, now=jctx.now
    )
    for occurrence, meeting, community in rows:
        assert occurrence.id is not None
        if meeting.cancelled_at and occurrence.starts_at > meeting.cancelled_at:
            continue
        if not await meetings.claim_follow_up(jctx.session, occurrence.id):
            continue
        attended = {
            a.member_id for a in await meetings.attendance_for(jctx.session, [occurrence.id])
        }
        if not attended:
            attended = {
                r.member_id
                for r in await meetings.rsvps_for(jctx.session, [occurrence.id])
                if r.status == "going"
            }
        for member_id in sorted(attended):
            await jctx.notify_member(
                member_id,
                Reply(
                    f"Was *{meeting.title}* worth your time? Tap 1 (not at all) to 5 (very much). "
                    "Your answer is anonymous.",
                    title="One-tap feedback",
                    choices=tuple(
                        Choice(str(score), f"meeting rate {occurrence.id} {score}")
                        for score in range(1, 6)
                    ),
                ),
                key=f"meeting-pulse:{occurrence.id}:{member_id}",
                community_id=community.id,
            )
        host = meeting.facilitator_id or meeting.created_by
        await jctx.notify_member(
            host,
            Reply(
                f"*{meeting.title}* has ended ({len(attended)} attended). Capture a lesson while "
                "it is fresh? What worked, what didn't, what will you do differently?",
                title="Capture a lesson?",
                choices=(
                    Choice("Capture a lesson", f"lesson after {occurrence.id}", style="primary"),
                    Choice("Mark attendance", f"attendance {occurrence.id}"),
                ),
                context=f"Mark who came with: attendance {occurrence.id} @name @name",
            ),
            key=f"meeting-lesson:{occurrence.id}",
            community_id=community.id,
        )
