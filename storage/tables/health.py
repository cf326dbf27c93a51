"""Quarterly leader health checks (DOMAIN.md §1.5 A): one row per (community, quarter, leader).

The unique constraint is what makes the prompt happen exactly once, also across restarts and
replicas; `HealthRound` marks per (community, quarter) that coordinators were told it is late.
The per-community day and hour come from `Community.health_check_day/hour`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class HealthCheck(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("community_id", "quarter", "leader_id"),
        # The reminder job reads unanswered, unreminded checks by prompt time.
        Index("ix_healthcheck_to_remind", "reminded", "answered_at", "prompted_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    quarter: str = Field(max_length=8)  # the quarter reviewed, "2026Q1"
    leader_id: int = Field(foreign_key="member.id", index=True)
    prompted_at: datetime = Field(sa_type=UTCDateTime)
    reminded: bool = False
    # {"L1": 4, …, "L11": 2, "L12": "green", "L13": "maturing", "L14": "continue",
    #  "L15": "story", "L16": "help"}; None until answered. A5 items hold None for N/A.
    answers: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class HealthRound(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("community_id", "quarter"),
        Index("ix_healthround_to_escalate", "escalated", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    quarter: str = Field(max_length=8)
    starts_at: datetime = Field(sa_type=UTCDateTime)  # when the prompts were due
    escalated: bool = False
