"""People, communities, memberships, roles, conversations and the activity log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class Member(SQLModel, table=True):
    """One person, whatever platforms they use copbot from."""

    id: int | None = Field(default=None, primary_key=True)
    display_name: str = Field(max_length=200)
    timezone: str | None = Field(default=None, max_length=64)
    department: str | None = Field(default=None, max_length=200)
    title: str | None = Field(default=None, max_length=200)
    is_coordinator: bool = False
    # The community commands go to by default; no foreign key, since communities also point
    # at members (created_by) and a stale value is simply ignored.
    current_community_id: int | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)
    # Set by `forget`: the row stays as an anonymous tombstone because lessons, surveys and
    # meetings point at it, but it has no name, no identities and never comes back.
    forgotten_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Respect for their time (bot/availability.py): proactive messages wait until then.
    snoozed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Working hours as they typed them, normalised ("08:00-16:00 mon-thu"); None: the default
    # (09:00-18:00 on weekdays), "off": any time.
    work_hours: str | None = Field(default=None, max_length=64)


class Identity(SQLModel, table=True):
    """A platform account linked to a member."""

    __table_args__ = (UniqueConstraint("platform", "platform_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    platform: str = Field(max_length=16)
    platform_user_id: str = Field(max_length=128)
    tenant_id: str | None = Field(default=None, max_length=128)
    email: str | None = Field(default=None, max_length=320)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)


class Community(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=48, unique=True)
    name: str = Field(max_length=120)
    purpose: str = Field(default="", max_length=2000)
    scope: str = Field(default="", max_length=2000)
    goals: str = Field(default="", max_length=2000)
    ground_rules: str = Field(default="", max_length=2000)
    kind: str = Field(default="practitioner", max_length=16)
    timezone: str = Field(default="UTC", max_length=64)
    # The language its lessons are searched in (storage.search.LANGUAGES); None: no stemming.
    language: str | None = Field(default=None, max_length=32)
    stage: str | None = Field(default=None, max_length=24)
    # Quarterly health check: the day of the quarter's first month and the local hour to ask.
    health_check_day: int = 1
    health_check_hour: int = 9
    # When the health-check prompt job next looks at this community (the next round's start);
    # None: at the next heartbeat (new community, new role, schedule or timezone changed).
    health_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    # Meeting reminder offsets before the start, in minutes.
    reminder_offsets: list[int] = Field(default_factory=lambda: [1440, 15], sa_column=Column(JSON))
    created_by: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Paused: no prompts or reminders, nothing new, until `community reopen`.
    paused_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Membership(SQLModel, table=True):
    """One stint of a member in a community; leaving closes it, so growth and churn stay known."""

    __table_args__ = (Index("ix_membership_active", "community_id", "member_id", "left_at"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    joined_at: datetime = Field(sa_type=UTCDateTime)
    left_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MemberRole(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("community_id", "member_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    role: str = Field(max_length=24)
    granted_by: int | None = Field(default=None, foreign_key="member.id")
    granted_at: datetime = Field(sa_type=UTCDateTime)


class ChannelLink(SQLModel, table=True):
    """A channel or team chat that belongs to a community (where it gets channel posts)."""

    __table_args__ = (UniqueConstraint("platform", "conversation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    platform: str = Field(max_length=16)
    conversation_id: str = Field(max_length=256)
    tenant_id: str | None = Field(default=None, max_length=128)
    raw_ref: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    linked_at: datetime = Field(sa_type=UTCDateTime)


class Conversation(SQLModel, table=True):
    """A conversation the bot has seen, kept so it can write there later (Teams needs the ref)."""

    __table_args__ = (UniqueConstraint("platform", "conversation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    conversation_id: str = Field(max_length=256)
    tenant_id: str | None = Field(default=None, max_length=128)
    is_direct: bool = False
    # For a 1:1 chat: whose DM this is (platform user id), so DMs can reuse it.
    platform_user_id: str | None = Field(default=None, max_length=128, index=True)
    raw_ref: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    undeliverable: bool = False
    last_seen_at: datetime = Field(sa_type=UTCDateTime)


class InboundEvent(SQLModel, table=True):
    """Ids of platform events already handled, so a retried delivery never acts twice."""

    key: str = Field(primary_key=True, max_length=200)
    seen_at: datetime = Field(sa_type=UTCDateTime, index=True)


class ActivityEvent(SQLModel, table=True):
    """One action of a member in a community (the raw material of the engagement figures).

    `kind` is one of ACTIVITY_KINDS in bot.activity; `contribution` marks authored content
    (lessons, answers, posts) as opposed to lighter actions (RSVPs, votes, survey answers).
    """

    __table_args__ = (Index("ix_activity_window", "community_id", "occurred_at"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    member_id: int = Field(foreign_key="member.id", index=True)
    kind: str = Field(max_length=32)
    contribution: bool = False
    ref: str | None = Field(default=None, max_length=64)
    occurred_at: datetime = Field(sa_type=UTCDateTime)


class ProgrammeText(SQLModel, table=True):
    """A text of the whole programme that coordinators edit (the leaders' handbook)."""

    __tablename__ = "programme_text"

    name: str = Field(primary_key=True, max_length=32)
    body: str = Field(default="", max_length=8000)
    updated_by: int | None = Field(default=None, foreign_key="member.id")
    updated_at: datetime = Field(sa_type=UTCDateTime)
