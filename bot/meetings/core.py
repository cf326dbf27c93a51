"""Shared meeting logic: planning occurrences, showing times in a viewer's zone, meeting cards."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import downloads
from bot.config import Settings
from bot.context import zone
from bot.meetings.due import agenda_check_at, first_reminder, offsets_of
from bot.meetings.recurrence import describe, next_slots, slots_between
from bot.messages import Choice, Reply
from storage import meetings
from storage.tables import Community
from storage.tables.meetings import Meeting, MeetingOccurrence

# Occurrence rows exist this far ahead; the heartbeat tops them up when less than REPLAN is left.
HORIZON = timedelta(days=35)
REPLAN = timedelta(days=28)
LISTING_WINDOW = timedelta(days=28)
CHECK_IN_EARLY = timedelta(minutes=10)
STATUS_LABELS = {"going": "Going", "maybe": "Maybe", "no": "Not going"}
# The one-tap micro-pulse takes answers until this long after a session ends, and its rating
# shows only afterwards: a live figure, looked at before and after one tap, gives that tap away.
PULSE_OPEN_FOR = timedelta(days=3)


def meeting_zone(meeting: Meeting) -> ZoneInfo:
    return zone(meeting.timezone)


def start_local(meeting: Meeting) -> datetime:
    return datetime.fromisoformat(meeting.start_local)


def schedule_text(meeting: Meeting) -> str:
    return f"{describe(start_local(meeting), meeting.rrule)} ({meeting.timezone})"


def editable_schedule(meeting: Meeting) -> str:
    """The schedule as words `meeting edit` can read back."""
    local = start_local(meeting)
    if not meeting.rrule:
        return f"once {local:%Y-%m-%d %H:%M}"
    return describe(local, meeting.rrule).replace(",", "")


async def plan_meeting(
    session: AsyncSession, meeting: Meeting, now: datetime, *, since: datetime | None = None
) -> None:
    """Create occurrence rows from `since` (default: now) up to the planning horizon."""
    community = await session.get(Community, meeting.community_id)
    assert community is not None
    await meetings.plan(
        session, meeting, slots_to_plan(meeting, community, now, since=since), now + HORIZON
    )


async def plan_starts(
    session: AsyncSession, meeting: Meeting, starts: list[datetime], now: datetime
) -> None:
    """Plan these sessions of a series beyond its horizon, leaving `planned_until` as is."""
    community = await session.get(Community, meeting.community_id)
    assert community is not None
    await meetings.plan(session, meeting, planned(meeting, community, starts, now), now)


async def plan_meetings(
    session: AsyncSession, series: list[tuple[Meeting, Community]], now: datetime
) -> None:
    """`plan_meeting` for many series in a few statements (the heartbeat's top-up)."""
    await meetings.plan_many(
        session, [(m, slots_to_plan(m, c, now)) for m, c in series], now + HORIZON
    )


def slots_to_plan(
    meeting: Meeting, community: Community, now: datetime, *, since: datetime | None = None
) -> list[meetings.Planned]:
    """The series' sessions from `since` (default: the one running now) to the horizon."""
    after = since or now - timedelta(minutes=meeting.duration_minutes)
    slots = slots_between(
        start_local(meeting), meeting.rrule, meeting_zone(meeting), after, now + HORIZON
    )
    return planned(meeting, community, [s.starts_at for s in slots], now)


def planned(
    meeting: Meeting, community: Community, starts: list[datetime], now: datetime
) -> list[meetings.Planned]:
    """Rows for these starts, each with when its first reminder and agenda check are due.

    A series with an agenda needs no agenda check until the agenda is cleared, which sets
    the checks of its future sessions again (`meetings.recheck_agendas`).
    """
    length = timedelta(minutes=meeting.duration_minutes)
    offsets = offsets_of(community)
    check_agenda = not meeting.agenda.strip()
    rows = []
    for starts_at in starts:
        # A reminder already past when the session is planned is skipped, not sent late.
        done, remind_at = (
            first_reminder(starts_at, offsets, now) if starts_at > now else (None, None)
        )
        rows.append(
            meetings.Planned(
                starts_at,
                starts_at + length,
                remind_at,
                agenda_check_at(starts_at, meeting.created_at)
                if starts_at > now and check_agenda
                else None,
                done,
            )
        )
    return rows


# A moved session's RSVPs go to the new session closest to it, if one is this close.
MAX_SHIFT = timedelta(days=4)
# (the session moved away, its state before the move, the session replacing it or None)
Moved = tuple[MeetingOccurrence, str, MeetingOccurrence | None]


async def replan_meeting(session: AsyncSession, meeting: Meeting, now: datetime) -> list[Moved]:
    """After an edit of the schedule: future occurrences follow the new rule.

    Returns each future session the change moved away, with the new session that replaces it
    (None when nothing new is near it). A skipped session's replacement is skipped too; the
    caller carries RSVPs over and tells people.
    """
    rebase(meeting, now)
    community = await session.get(Community, meeting.community_id)
    assert community is not None
    moved, fresh = await meetings.replan_future(
        session, meeting, now, slots_to_plan(meeting, community, now, since=now), now + HORIZON
    )
    pairs = pair_moved(moved, fresh)
    for _old, was, new in pairs:
        if was == "skipped" and new is not None:
            await meetings.set_state(session, new, "skipped", now)
    return pairs


def rebase(meeting: Meeting, now: datetime) -> None:
    """Start a changed series at its next session under the new rule.

    Sessions already held keep their own rows, and the .ics file lists those before the
    series' start one by one, so the calendar does not rewrite the past with the new time.
    The rule has no COUNT or UNTIL, so starting from one of its own sessions keeps every
    future session (and an "every 2 weeks" phase) unchanged.
    """
    if not meeting.rrule:
        return
    upcoming = next_slots(start_local(meeting), meeting.rrule, meeting_zone(meeting), now, 1)
    if upcoming and upcoming[0].local > start_local(meeting):
        meeting.start_local = upcoming[0].local.isoformat(timespec="minutes")


def pair_moved(
    moved: list[tuple[MeetingOccurrence, str]], fresh: list[MeetingOccurrence]
) -> list[Moved]:
    """Each moved session with the nearest unclaimed new session within MAX_SHIFT, in order."""
    free = list(fresh)
    pairs: list[Moved] = []
    for old, was in moved:
        near = [o for o in free if abs(o.starts_at - old.starts_at) <= MAX_SHIFT]
        best = min(near, key=lambda o: abs(o.starts_at - old.starts_at), default=None)
        if best is not None:
            free.remove(best)
        pairs.append((old, was, best))
    return pairs


def preview(meeting: Meeting, now: datetime, viewer: ZoneInfo, count: int = 3) -> list[str]:
    slots = next_slots(start_local(meeting), meeting.rrule, meeting_zone(meeting), now, count)
    return [when(s.starts_at, viewer) for s in slots]


def when(moment: datetime, viewer: ZoneInfo) -> str:
    """`Tue 3 Mar 2026, 15:00 CET` in the viewer's zone."""
    local = moment.astimezone(viewer)
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} {local.tzname()}"


def in_how_long(moment: datetime, now: datetime) -> str:
    minutes = max(0, round((moment - now).total_seconds() / 60))
    if minutes < 60:
        return f"in {minutes} minutes"
    hours = round(minutes / 60)
    if hours < 36:
        return f"in {hours} hour{'s' if hours != 1 else ''}"
    days = round(hours / 24)
    return f"in {days} days"


def agenda_of(occurrence: MeetingOccurrence, meeting: Meeting) -> str:
    return occurrence.agenda or meeting.agenda


def in_check_in_window(occurrence: MeetingOccurrence, now: datetime) -> bool:
    return occurrence.starts_at - CHECK_IN_EARLY <= now <= occurrence.ends_at


def rsvp_choices(occurrence_id: int, mine: str | None) -> tuple[Choice, ...]:
    return tuple(
        Choice(
            f"✓ {label}" if mine == status else label,
            f"rsvp {occurrence_id} {status}",
            style="primary" if mine == status else "default",
        )
        for status, label in STATUS_LABELS.items()
    )


def counts_text(counts: dict[str, int]) -> str:
    return (
        f"{counts.get('going', 0)} going, {counts.get('maybe', 0)} maybe, "
        f"{counts.get('no', 0)} not going"
    )


def occurrence_card(
    occurrence: MeetingOccurrence,
    meeting: Meeting,
    community: Community,
    *,
    viewer: ZoneInfo,
    counts: dict[str, int],
    mine: str | None,
    now: datetime,
    settings: Settings,
    replace: bool = False,
) -> Reply:
    """One occurrence with its RSVP buttons (also what an RSVP click redraws in place)."""
    assert occurrence.id is not None and meeting.id is not None
    fields = [
        ("When", when(occurrence.starts_at, viewer) + f" ({meeting.duration_minutes} min)"),
        ("RSVPs", counts_text(counts)),
    ]
    if meeting.location:
        fields.append(("Where", meeting.location))
    agenda = agenda_of(occurrence, meeting)
    if agenda:
        fields.append(("Agenda", agenda))
    choices = list(rsvp_choices(occurrence.id, mine))
    if in_check_in_window(occurrence, now):
        choices.append(Choice("Check in", f"checkin {occurrence.id}", style="primary"))
    choices.append(Choice("Add to calendar", url=ics_link(settings, meeting.id, now)))
    status = f" You said: {STATUS_LABELS[mine].lower()}." if mine else ""
    return Reply(
        f"*{meeting.title}* ({community.name}), session `{occurrence.id}` of meeting "
        f"`{meeting.id}`.{status}",
        title=meeting.title,
        fields=tuple(fields),
        choices=tuple(choices),
        replace=replace,
    )


def ics_link(settings: Settings, meeting_id: int, now: datetime) -> str:
    return downloads.link(settings, "ics", str(meeting_id), now=now)


def pulse_closes_at(occurrence: MeetingOccurrence) -> datetime:
    """When a session's micro-pulse stops taking answers and its rating may be shown."""
    return occurrence.ends_at + PULSE_OPEN_FOR


def pulse_token(settings: Settings, occurrence_id: int, member_id: int) -> str:
    """An anonymous, stable token per (occurrence, member): answers can change, not be linked."""
    message = f"meeting-pulse\n{occurrence_id}\n{member_id}".encode()
    return hmac.new(settings.signing_key, message, hashlib.sha256).hexdigest()[:32]


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
