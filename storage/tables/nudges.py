"""Signals that a leader should act (DOMAIN.md §4 rules N1-N19), raised by any capability.

Capabilities raise a signal when they see its condition (a health-check score of 2 or less, a
meeting with no agenda…); the nudges capability decides when and how to tell the leader.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class NudgeSignal(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # Raising the same signal twice is a no-op, e.g. "N15:data-eng:2026Q1".
    key: str = Field(max_length=200, unique=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    rule: str = Field(max_length=8)  # "N2", "N15", …
    member_id: int | None = Field(default=None, foreign_key="member.id")  # whom it concerns
    detail: str = Field(default="", max_length=500)
    ref: str | None = Field(default=None, max_length=64)  # e.g. "meeting:12", "health:7"
    # open -> done | snoozed | dismissed (with the reason in `resolution`)
    status: str = Field(default="open", max_length=16)
    resolution: str | None = Field(default=None, max_length=200)
    raised_at: datetime = Field(sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NudgeSchedule(SQLModel, table=True):
    """When the nudge rules of a community are next evaluated (daily, in its timezone).

    The due job claims a community by bumping `runs` with a conditional UPDATE, so two
    replicas never evaluate the same community's day twice.
    """

    __tablename__ = "nudge_schedule"

    community_id: int = Field(foreign_key="community.id", primary_key=True)
    next_at: datetime = Field(sa_type=UTCDateTime, index=True)
    runs: int = 0
    last_run_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Nudge(SQLModel, table=True):
    """One nudge sent to one leader: what it said and what the leader made of it."""

    __table_args__ = (UniqueConstraint("community_id", "rule", "leader_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    rule: str = Field(max_length=8)  # "N1", …, "QUIET"
    leader_id: int = Field(foreign_key="member.id", index=True)
    period: str = Field(max_length=16)  # the community's local day it was sent, "2026-03-02"
    subject: str | None = Field(default=None, max_length=64)  # e.g. "lesson:12"
    detail: str = Field(default="", max_length=500)
    action: str = Field(default="", max_length=200)  # the command "Do it" runs
    sent_at: datetime = Field(sa_type=UTCDateTime)
    # sent -> done | snoozed | dismissed
    status: str = Field(default="sent", max_length=16)
    snoozed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str | None = Field(default=None, max_length=300)  # why "not relevant"
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NudgeLeader(SQLModel, table=True):
    """The weekly cap: when a leader last got a nudge, claimed with a conditional UPDATE."""

    __tablename__ = "nudge_leader"

    member_id: int = Field(foreign_key="member.id", primary_key=True)
    last_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NudgeSilence(SQLModel, table=True):
    """A rule a leader marked "not relevant" for a community stays quiet until `until`."""

    __tablename__ = "nudge_silence"
    __table_args__ = (UniqueConstraint("community_id", "rule"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    rule: str = Field(max_length=8)
    until: datetime = Field(sa_type=UTCDateTime)
    reason: str = Field(default="", max_length=300)
    by: int | None = Field(default=None, foreign_key="member.id")
    at: datetime = Field(sa_type=UTCDateTime)


class NudgeThreshold(SQLModel, table=True):
    """A community's own value for one threshold of one rule (`nudges set`)."""

    __tablename__ = "nudge_threshold"
    __table_args__ = (UniqueConstraint("community_id", "rule", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    rule: str = Field(max_length=8)
    name: str = Field(max_length=32)
    value: float
    set_by: int | None = Field(default=None, foreign_key="member.id")
    set_at: datetime = Field(sa_type=UTCDateTime)
