"""Queries for meetings, occurrences, RSVPs, attendance, reminder opt-ins and the micro-pulse."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, bindparam, delete, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sql import insert_ignore, insert_ignore_many
from storage.tables import Community
from storage.tables.meetings import (
    Meeting,
    MeetingAttendance,
    MeetingOccurrence,
    MeetingPulse,
    MeetingReminderOptIn,
    MeetingRsvp,
)

SCHEDULED = "scheduled"
Found = tuple[MeetingOccurrence, Meeting]


async def create_meeting(session: AsyncSession, meeting: Meeting) -> Meeting:
    session.add(meeting)
    await session.flush()
    return meeting


async def get_meeting(session: AsyncSession, meeting_id: int) -> Meeting | None:
    return await session.get(Meeting, meeting_id)


async def get_occurrence(session: AsyncSession, occurrence_id: int) -> Found | None:
    result = await session.exec(
        select(MeetingOccurrence, Meeting)
        .join(Meeting, col(Meeting.id) == MeetingOccurrence.meeting_id)
        .where(MeetingOccurrence.id == occurrence_id)
    )
    row = result.first()
    return (row[0], row[1]) if row else None


async def meetings_to_plan(
    session: AsyncSession, before: datetime
) -> list[tuple[Meeting, Community]]:
    """Active series whose occurrences are planned less far ahead than `before`."""
    result = await session.exec(
        select(Meeting, Community)
        .join(Community, col(Community.id) == Meeting.community_id)
        .where(
            col(Meeting.cancelled_at).is_(None),
            or_(col(Meeting.planned_until).is_(None), col(Meeting.planned_until) < before),
        )
        .order_by(col(Meeting.id))
    )
    return [(m, c) for m, c in result.all()]


class Planned(NamedTuple):
    """One occurrence to plan, with when the heartbeat first looks at it."""

    starts_at: datetime
    ends_at: datetime
    remind_at: datetime | None
    agenda_check_at: datetime | None
    # The shortest reminder offset already past when planned: counted as sent, never sent.
    reminded_offset: int | None = None


# Series per UPDATE … WHERE id IN (…): well under SQLite's limit of bound parameters.
_PLAN_BATCH = 500


async def plan(
    session: AsyncSession, meeting: Meeting, starts: Sequence[Planned], until: datetime
) -> None:
    """Make sure an occurrence row exists for each planned start; idempotent across replicas."""
    await plan_many(session, [(meeting, starts)], until)


async def plan_many(
    session: AsyncSession,
    plans: Sequence[tuple[Meeting, Sequence[Planned]]],
    until: datetime,
) -> None:
    """`plan` for many series at once: one executemany INSERT … ON CONFLICT DO NOTHING, so
    planning a thousand series takes a few statements, not one per occurrence."""
    rows = [
        {
            "meeting_id": meeting.id,
            "starts_at": p.starts_at,
            "ends_at": p.ends_at,
            "state": SCHEDULED,
            "agenda": "",
            "agenda_nudged": False,
            "followed_up": False,
            "remind_at": p.remind_at,
            "agenda_check_at": p.agenda_check_at,
            "reminded_offset": p.reminded_offset,
        }
        for meeting, starts in plans
        for p in starts
    ]
    await insert_ignore_many(
        session,
        MeetingOccurrence.__table__,  # type: ignore[attr-defined]  # SQLModel declares no __table__
        rows,
        ["meeting_id", "starts_at"],
    )
    for start in range(0, len(plans), _PLAN_BATCH):
        batch = plans[start : start + _PLAN_BATCH]
        await _revive_moved(session, batch)
        await session.exec(
            update(Meeting)
            .where(
                col(Meeting.id).in_([m.id for m, _ in batch]),
                or_(col(Meeting.planned_until).is_(None), col(Meeting.planned_until) < until),
            )
            .values(planned_until=until)
            .execution_options(synchronize_session=False)
        )


async def _revive_moved(
    session: AsyncSession, plans: Sequence[tuple[Meeting, Sequence[Planned]]]
) -> None:
    """A start that an earlier schedule change dropped ("moved") and that is planned again
    comes back as scheduled. One query finds them; there are none unless a schedule changed."""
    wanted = {(m.id, p.starts_at): p for m, starts in plans for p in starts}
    if not wanted:
        return
    # By the (state, starts_at) index: only moved rows in the planned span are read.
    result = await session.exec(
        select(MeetingOccurrence).where(
            col(MeetingOccurrence.state) == "moved",
            col(MeetingOccurrence.starts_at) >= min(s for _, s in wanted),
            col(MeetingOccurrence.starts_at) <= max(s for _, s in wanted),
        )
    )
    for occurrence in result.all():
        p = wanted.get((occurrence.meeting_id, occurrence.starts_at))
        if p is None:
            continue
        occurrence.state = SCHEDULED
        occurrence.ends_at = p.ends_at
        occurrence.remind_at = p.remind_at
        occurrence.agenda_check_at = p.agenda_check_at
        if occurrence.reminded_offset is None:
            occurrence.reminded_offset = p.reminded_offset
        session.add(occurrence)
    await session.flush()


async def replan_future(
    session: AsyncSession,
    meeting: Meeting,
    now: datetime,
    starts: Sequence[Planned],
    until: datetime,
) -> tuple[list[tuple[MeetingOccurrence, str]], list[MeetingOccurrence]]:
    """After a schedule change: future scheduled or skipped occurrences not in `starts`
    become "moved".

    Returns (each occurrence just moved away with its state before, the scheduled occurrences
    that did not exist before the change), in start order, so the caller can carry RSVPs and
    skips over.
    """
    assert meeting.id is not None
    keep = {p.starts_at for p in starts}
    result = await session.exec(
        select(MeetingOccurrence).where(
            MeetingOccurrence.meeting_id == meeting.id,
            col(MeetingOccurrence.starts_at) > now,
            col(MeetingOccurrence.state).in_([SCHEDULED, "skipped"]),
        )
    )
    ends = {p.starts_at: p.ends_at for p in starts}
    moved: list[tuple[MeetingOccurrence, str]] = []
    kept: set[int] = set()
    for occurrence in result.all():
        if occurrence.starts_at not in keep:
            moved.append((occurrence, occurrence.state))
            occurrence.state = "moved"
            occurrence.remind_at = occurrence.agenda_check_at = None
        else:
            occurrence.ends_at = ends[occurrence.starts_at]
            kept.add(occurrence.id or 0)
        session.add(occurrence)
    await session.flush()
    meeting.planned_until = None
    session.add(meeting)
    await session.flush()
    await plan(session, meeting, starts, until)
    # populate_existing: reload what plan() inserted or brought back.
    after = await session.exec(
        select(MeetingOccurrence)
        .where(
            MeetingOccurrence.meeting_id == meeting.id,
            col(MeetingOccurrence.starts_at) > now,
            MeetingOccurrence.state == SCHEDULED,
        )
        .order_by(col(MeetingOccurrence.starts_at))
        .execution_options(populate_existing=True)
    )
    fresh = [o for o in after.all() if o.id not in kept]
    moved.sort(key=lambda pair: pair[0].starts_at)
    return moved, fresh


async def carry_rsvps(
    session: AsyncSession, from_id: int, to_id: int, now: datetime
) -> list[MeetingRsvp]:
    """Copy a moved occurrence's RSVPs onto its replacement (overwriting older answers there).

    Returns the RSVPs that were carried over.
    """
    answers = await rsvps_for(session, [from_id])
    for answer in answers:
        await set_rsvp(session, to_id, answer.member_id, answer.status, now)
    return answers


async def cancel_meeting(session: AsyncSession, meeting: Meeting, now: datetime) -> int:
    """Cancel the series and its future occurrences; returns how many occurrences."""
    meeting.cancelled_at = now
    session.add(meeting)
    result = await session.exec(
        update(MeetingOccurrence)
        .where(
            col(MeetingOccurrence.meeting_id) == meeting.id,
            col(MeetingOccurrence.starts_at) > now,
            col(MeetingOccurrence.state) == SCHEDULED,
        )
        .values(state="cancelled", remind_at=None, agenda_check_at=None)
        .execution_options(synchronize_session=False)
    )
    await session.flush()
    return int(result.rowcount or 0)


async def restore_meeting(session: AsyncSession, meeting: Meeting, now: datetime) -> None:
    """Undo a cancellation: the series and its future cancelled occurrences come back, and
    the heartbeat looks at their reminders and agenda checks again at once."""
    meeting.cancelled_at = None
    session.add(meeting)
    await session.exec(
        update(MeetingOccurrence)
        .where(
            col(MeetingOccurrence.meeting_id) == meeting.id,
            col(MeetingOccurrence.starts_at) > now,
            col(MeetingOccurrence.state) == "cancelled",
        )
        .values(state=SCHEDULED, remind_at=now, agenda_check_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.flush()


async def set_state(
    session: AsyncSession, occurrence: MeetingOccurrence, state: str, now: datetime
) -> None:
    """Skip a session or put it back; a session put back is looked at by the next heartbeat
    (its reminder may be due already), a skipped one no more."""
    occurrence.state = state
    due = now if state == SCHEDULED else None
    occurrence.remind_at = occurrence.agenda_check_at = due
    session.add(occurrence)
    await session.flush()


async def recheck_agendas(session: AsyncSession, meeting_id: int, now: datetime) -> None:
    """The series' agenda changed: the next heartbeat looks again at the agenda check of each
    future session not nudged yet (one whose agenda was found set was not looked at again)."""
    await session.exec(
        update(MeetingOccurrence)
        .where(
            col(MeetingOccurrence.meeting_id) == meeting_id,
            col(MeetingOccurrence.starts_at) > now,
            col(MeetingOccurrence.state) == SCHEDULED,
            col(MeetingOccurrence.agenda_nudged).is_(False),
        )
        .values(agenda_check_at=now)
        .execution_options(synchronize_session=False)
    )


async def recheck_reminders(session: AsyncSession, community_id: int, now: datetime) -> None:
    """The community's reminder offsets changed: the next heartbeat works out the next
    reminder of every future session of its series again."""
    series = select(Meeting.id).where(Meeting.community_id == community_id)
    await session.exec(
        update(MeetingOccurrence)
        .where(
            col(MeetingOccurrence.meeting_id).in_(series),
            col(MeetingOccurrence.starts_at) > now,
            col(MeetingOccurrence.state) == SCHEDULED,
        )
        .values(remind_at=now)
        .execution_options(synchronize_session=False)
    )


async def occurrences_of(
    session: AsyncSession,
    meeting_id: int,
    *,
    after: datetime | None = None,
    until: datetime | None = None,
    states: Iterable[str] | None = (SCHEDULED,),
    limit: int | None = None,
) -> list[MeetingOccurrence]:
    query = select(MeetingOccurrence).where(MeetingOccurrence.meeting_id == meeting_id)
    if after is not None:
        query = query.where(col(MeetingOccurrence.starts_at) >= after)
    if until is not None:
        query = query.where(col(MeetingOccurrence.starts_at) < until)
    if states is not None:
        query = query.where(col(MeetingOccurrence.state).in_(list(states)))
    query = query.order_by(col(MeetingOccurrence.starts_at))
    if limit is not None:
        query = query.limit(limit)
    result = await session.exec(query)
    return list(result.all())


async def upcoming(
    session: AsyncSession,
    community_ids: Sequence[int],
    *,
    after: datetime,
    until: datetime,
    offset: int = 0,
    limit: int = 10,
) -> tuple[list[Found], int]:
    """Scheduled occurrences that have not ended, in [after, until), with the total count."""
    where = (
        col(Meeting.community_id).in_(list(community_ids)),
        col(Meeting.cancelled_at).is_(None),
        col(MeetingOccurrence.state) == SCHEDULED,
        col(MeetingOccurrence.ends_at) > after,
        col(MeetingOccurrence.starts_at) < until,
    )
    joined = select(MeetingOccurrence, Meeting).join(
        Meeting, col(Meeting.id) == MeetingOccurrence.meeting_id
    )
    total = await session.exec(
        select(func.count())
        .select_from(MeetingOccurrence)
        .join(Meeting, col(Meeting.id) == MeetingOccurrence.meeting_id)
        .where(*where)
    )
    result = await session.exec(
        joined.where(*where)
        .order_by(col(MeetingOccurrence.starts_at), col(MeetingOccurrence.id))
        .offset(offset)
        .limit(limit)
    )
    return [(o, m) for o, m in result.all()], int(total.one())


Due = list[tuple[MeetingOccurrence, Meeting, Community]]


async def reminders_due(session: AsyncSession, now: datetime) -> Due:
    """Occurrences whose reminder the heartbeat has to look at now (an index range)."""
    return await _due(session, col(MeetingOccurrence.remind_at) <= now)


async def agenda_checks_due(session: AsyncSession, now: datetime) -> Due:
    """Occurrences whose agenda the heartbeat has to check now (an index range)."""
    return await _due(session, col(MeetingOccurrence.agenda_check_at) <= now)


async def _due(session: AsyncSession, condition: ColumnElement[bool]) -> Due:
    result = await session.exec(
        select(MeetingOccurrence, Meeting, Community)
        .join(Meeting, col(Meeting.id) == MeetingOccurrence.meeting_id)
        .join(Community, col(Community.id) == Meeting.community_id)
        .where(condition)
        .order_by(col(MeetingOccurrence.starts_at), col(MeetingOccurrence.id))
    )
    return [(o, m, c) for o, m, c in result.all()]


async def set_remind_times(session: AsyncSession, times: dict[int, datetime | None]) -> None:
    """Store the next reminder time of many occurrences (None: none to come) at once."""
    await _set_times(session, "remind_at", times)


async def set_agenda_check_times(session: AsyncSession, times: dict[int, datetime | None]) -> None:
    """Store the next agenda check of many occurrences (None: none to come) at once."""
    await _set_times(session, "agenda_check_at", times)


async def _set_times(session: AsyncSession, column: str, times: dict[int, datetime | None]) -> None:
    if not times:
        return
    table = MeetingOccurrence.__table__  # type: ignore[attr-defined]  # SQLModel declares no __table__
    statement = (
        update(table).where(table.c.id == bindparam("oid")).values({column: bindparam("at")})
    )
    await session.exec(
        statement,
        params=[{"oid": oid, "at": at} for oid, at in sorted(times.items())],
    )


async def ended_without_follow_up(
    session: AsyncSession, *, ended_after: datetime, now: datetime
) -> list[tuple[MeetingOccurrence, Meeting, Community]]:
    result = await session.exec(
        select(MeetingOccurrence, Meeting, Community)
        .join(Meeting, col(Meeting.id) == MeetingOccurrence.meeting_id)
        .join(Community, col(Community.id) == Meeting.community_id)
        .where(
            col(MeetingOccurrence.state) == SCHEDULED,
            col(MeetingOccurrence.followed_up).is_(False),
            col(MeetingOccurrence.ends_at) <= now,
            col(MeetingOccurrence.ends_at) > ended_after,
        )
        .order_by(col(MeetingOccurrence.ends_at))
    )
    return [(o, m, c) for o, m, c in result.all()]


async def _claim(
    session: AsyncSession, occurrence_id: int, *conditions: ColumnElement[bool], **values: object
) -> bool:
    result = await session.exec(
        update(MeetingOccurrence)
        .where(col(MeetingOccurrence.id) == occurrence_id, *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def claim_reminder(
    session: AsyncSession, occurrence_id: int, offset: int, next_at: datetime | None
) -> bool:
    """True for exactly one caller per (occurrence, offset), and never for a larger offset
    after a smaller one was sent; stores when the next reminder is due with the claim."""
    return await _claim(
        session,
        occurrence_id,
        or_(
            col(MeetingOccurrence.reminded_offset).is_(None),
            col(MeetingOccurrence.reminded_offset) > offset,
        ),
        reminded_offset=offset,
        remind_at=next_at,
    )


async def claim_agenda_nudge(session: AsyncSession, occurrence_id: int) -> bool:
    return await _claim(
        session,
        occurrence_id,
        col(MeetingOccurrence.agenda_nudged).is_(False),
        agenda_nudged=True,
        agenda_check_at=None,
    )


async def claim_follow_up(session: AsyncSession, occurrence_id: int) -> bool:
    return await _claim(
        session, occurrence_id, col(MeetingOccurrence.followed_up).is_(False), followed_up=True
    )


# -- RSVPs, attendance, opt-ins ---------------------------------------------------------------


async def set_rsvp(
    session: AsyncSession, occurrence_id: int, member_id: int, status: str, now: datetime
) -> bool:
    """Record or change an RSVP; True when this is the member's first RSVP to it."""
    inserted = await insert_ignore(
        session,
        MeetingRsvp.__table__,  # type: ignore[attr-defined]  # SQLModel declares no __table__
        {
            "occurrence_id": occurrence_id,
            "member_id": member_id,
            "status": status,
            "updated_at": now,
        },
        ["occurrence_id", "member_id"],
    )
    if not inserted:
        await session.exec(
            update(MeetingRsvp)
            .where(
                col(MeetingRsvp.occurrence_id) == occurrence_id,
                col(MeetingRsvp.member_id) == member_id,
            )
            .values(status=status, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    return inserted


async def rsvp_counts(
    session: AsyncSession, occurrence_ids: Sequence[int]
) -> dict[int, dict[str, int]]:
    if not occurrence_ids:
        return {}
    result = await session.exec(
        select(MeetingRsvp.occurrence_id, MeetingRsvp.status, func.count())
        .where(col(MeetingRsvp.occurrence_id).in_(list(occurrence_ids)))
        .group_by(col(MeetingRsvp.occurrence_id), col(MeetingRsvp.status))
    )
    counts: dict[int, dict[str, int]] = {}
    for occurrence_id, status, count in result.all():
        counts.setdefault(occurrence_id, {})[status] = int(count)
    return counts


async def rsvps_of(
    session: AsyncSession, member_id: int, occurrence_ids: Sequence[int]
) -> dict[int, str]:
    if not occurrence_ids:
        return {}
    result = await session.exec(
        select(MeetingRsvp.occurrence_id, MeetingRsvp.status).where(
            MeetingRsvp.member_id == member_id,
            col(MeetingRsvp.occurrence_id).in_(list(occurrence_ids)),
        )
    )
    return dict(result.all())


async def rsvps_for(session: AsyncSession, occurrence_ids: Sequence[int]) -> list[MeetingRsvp]:
    if not occurrence_ids:
        return []
    result = await session.exec(
        select(MeetingRsvp).where(col(MeetingRsvp.occurrence_id).in_(list(occurrence_ids)))
    )
    return list(result.all())


async def record_attendance(
    session: AsyncSession,
    occurrence_id: int,
    member_id: int,
    *,
    source: str,
    recorded_by: int | None,
    now: datetime,
) -> bool:
    """True when the attendance is new."""
    return await insert_ignore(
        session,
        MeetingAttendance.__table__,  # type: ignore[attr-defined]  # SQLModel declares no __table__
        {
            "occurrence_id": occurrence_id,
            "member_id": member_id,
            "source": source,
            "recorded_by": recorded_by,
            "recorded_at": now,
        },
        ["occurrence_id", "member_id"],
    )


async def attendance_for(
    session: AsyncSession, occurrence_ids: Sequence[int]
) -> list[MeetingAttendance]:
    if not occurrence_ids:
        return []
    result = await session.exec(
        select(MeetingAttendance).where(
            col(MeetingAttendance.occurrence_id).in_(list(occurrence_ids))
        )
    )
    return list(result.all())


async def set_opt_in(
    session: AsyncSession, meeting_id: int, member_id: int, on: bool, now: datetime
) -> bool:
    """Turn reminders of a series on or off for a member; True when that changed anything."""
    if on:
        return await insert_ignore(
            session,
            MeetingReminderOptIn.__table__,  # type: ignore[attr-defined]  # SQLModel declares no __table__
            {"meeting_id": meeting_id, "member_id": member_id, "created_at": now},
            ["meeting_id", "member_id"],
        )
    result = await session.exec(
        delete(MeetingReminderOptIn).where(
            col(MeetingReminderOptIn.meeting_id) == meeting_id,
            col(MeetingReminderOptIn.member_id) == member_id,
        )
    )
    return bool(result.rowcount)


async def opted_in(session: AsyncSession, meeting_id: int) -> set[int]:
    result = await session.exec(
        select(MeetingReminderOptIn.member_id).where(MeetingReminderOptIn.meeting_id == meeting_id)
    )
    return set(result.all())


# -- micro-pulse -------------------------------------------------------------------------------


async def save_pulse(
    session: AsyncSession, occurrence_id: int, token: str, score: int, now: datetime
) -> bool:
    """Store or change an anonymous answer; True when it is the first from this token."""
    inserted = await insert_ignore(
        session,
        MeetingPulse.__table__,  # type: ignore[attr-defined]  # SQLModel declares no __table__
        {"occurrence_id": occurrence_id, "token": token, "score": score, "answered_at": now},
        ["occurrence_id", "token"],
    )
    if not inserted:
        await session.exec(
            update(MeetingPulse)
            .where(
                col(MeetingPulse.occurrence_id) == occurrence_id, col(MeetingPulse.token) == token
            )
            .values(score=score, answered_at=now)
            .execution_options(synchronize_session=False)
        )
    return inserted


async def pulse_summary(session: AsyncSession, occurrence_id: int) -> tuple[int, float | None]:
    """How many answered and the mean score."""
    result = await session.exec(
        select(func.count(), func.avg(MeetingPulse.score)).where(
            MeetingPulse.occurrence_id == occurrence_id
        )
    )
    count, mean = result.one()
    return int(count), float(mean) if mean is not None else None


# -- figures for nudges (N1, N3) and digests -------------------------------------------------


async def meeting_rhythm(
    session: AsyncSession, community_id: int, now: datetime
) -> tuple[datetime | None, datetime | None]:
    """When the community last held a session and when the next one is (N1: no rhythm)."""
    base = (
        select(MeetingOccurrence.starts_at)
        .join(Meeting, col(Meeting.id) == MeetingOccurrence.meeting_id)
        .where(Meeting.community_id == community_id, MeetingOccurrence.state == SCHEDULED)
    )
    last = await session.exec(
        base.where(col(MeetingOccurrence.starts_at) <= now)
        .order_by(col(MeetingOccurrence.starts_at).desc())
        .limit(1)
    )
    upcoming_start = await session.exec(
        base.where(col(MeetingOccurrence.starts_at) > now, col(Meeting.cancelled_at).is_(None))
        .order_by(col(MeetingOccurrence.starts_at))
        .limit(1)
    )
    return last.first(), upcoming_start.first()


async def held_sessions(
    session: AsyncSession, community_id: int, since: datetime, until: datetime
) -> list[tuple[MeetingOccurrence, set[int], int]]:
    """Sessions held in [since, until) with who attended and how many RSVP'd going, in order.

    The raw material of attendance rate, trend (N3), repeat attendance and new-attendee share.
    """
    result = await session.exec(
        select(MeetingOccurrence)
        .join(Meeting, col(Meeting.id) == MeetingOccurrence.meeting_id)
        .where(
            Meeting.community_id == community_id,
            MeetingOccurrence.state == SCHEDULED,
            col(MeetingOccurrence.starts_at) >= since,
            col(MeetingOccurrence.starts_at) < until,
        )
        .order_by(col(MeetingOccurrence.starts_at))
    )
    held = list(result.all())
    ids = [o.id for o in held if o.id is not None]
    came: dict[int, set[int]] = {}
    for row in await attendance_for(session, ids):
        came.setdefault(row.occurrence_id, set()).add(row.member_id)
    going: dict[int, int] = {}
    for answer in await rsvps_for(session, ids):
        if answer.status == "going":
            going[answer.occurrence_id] = going.get(answer.occurrence_id, 0) + 1
    return [(o, came.get(o.id or 0, set()), going.get(o.id or 0, 0)) for o in held]
