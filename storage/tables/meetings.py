"""Meetings: a series (wall-clock start, timezone, RFC 5545 rule), its occurrences, RSVPs,
attendance, reminder opt-ins and the anonymous post-meeting micro-pulse."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class Meeting(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    title: str = Field(max_length=200)
    # The first occurrence's wall-clock start ("2026-03-03T15:00") in `timezone`: recurrence is
    # computed in local time so a 15:00 meeting stays at 15:00 across DST changes.
    start_local: str = Field(max_length=16)
    timezone: str = Field(max_length=64)
    duration_minutes: int = 60
    rrule: str = Field(default="", max_length=300)  # "" for a one-off meeting
    location: str = Field(default="", max_length=500)  # a room or a video link
    agenda: str = Field(default="", max_length=2000)
    facilitator_id: int | None = Field(default=None, foreign_key="member.id")
    created_by: int = Field(foreign_key="member.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Occurrences exist as rows up to this instant; the heartbeat extends it.
    planned_until: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class MeetingOccurrence(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("meeting_id", "starts_at"),
        Index("ix_meetingoccurrence_window", "state", "starts_at"),
        # The follow-up job reads sessions not followed up that ended within the last day.
        Index("ix_meetingoccurrence_follow_up", "followed_up", "ends_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    # scheduled | skipped | cancelled | moved (the series' schedule changed)
    state: str = Field(default="scheduled", max_length=16)
    agenda: str = Field(default="", max_length=2000)  # overrides the series' agenda
    # The smallest reminder offset (minutes) already queued; claimed with a conditional update.
    reminded_offset: int | None = None
    agenda_nudged: bool = False
    followed_up: bool = False
    # When the heartbeat next looks at this session's reminders and its agenda check (see
    # bot/meetings_due.py); None until a change (unskip, restore, a cleared agenda, new
    # reminder offsets) sets it again. Indexed so a heartbeat reads only what is due.
    remind_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    agenda_check_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class MeetingRsvp(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("occurrence_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    occurrence_id: int = Field(foreign_key="meetingoccurrence.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    status: str = Field(max_length=8)  # going | maybe | no
    updated_at: datetime = Field(sa_type=UTCDateTime)


class MeetingAttendance(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("occurrence_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    occurrence_id: int = Field(foreign_key="meetingoccurrence.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    source: str = Field(max_length=16)  # check-in | leader
    recorded_by: int | None = Field(default=None, foreign_key="member.id")
    recorded_at: datetime = Field(sa_type=UTCDateTime)


class MeetingReminderOptIn(SQLModel, table=True):
    """Members who want every reminder of a series, whether or not they RSVP'd."""

    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class MeetingPulse(SQLModel, table=True):
    """One answer to "Was this session worth your time?" (1-5), anonymous.

    `token` is a keyed hash of (occurrence, member): it lets a person change their answer
    without storing who gave it.
    """

    __table_args__ = (UniqueConstraint("occurrence_id", "token"),)

    id: int | None = Field(default=None, primary_key=True)
    occurrence_id: int = Field(foreign_key="meetingoccurrence.id", index=True)
    token: str = Field(max_length=64)
    score: int
    answered_at: datetime = Field(sa_type=UTCDateTime)
