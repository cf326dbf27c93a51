"""Signals that a leader should act (DOMAIN.md §4 rules N1-N19), raised by any capability.

Capabilities raise a signal when they see its condition (a health-check score of 2 or less, a
meeting with no agenda…); the nudges capability decides when and how to tell the leader.
"""

from __future__ import annotations

from datetime import datetime

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
