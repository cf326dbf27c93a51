"""A community's charter goals with a measure: a target and where it stands (APQC's first
evaluation strategy: report objectives against the charter)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class CharterGoal(SQLModel, table=True):
    __tablename__ = "charter_goal"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    text: str = Field(max_length=300)
    # Free text ("20 lessons by June") or a number and unit ("50 %").
    target: str = Field(default="", max_length=120)
    # "on-track", "at-risk" or "met"; None until a leader says how it goes.
    status: str | None = Field(default=None, max_length=16)
    created_by: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    status_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
