"""Expertise profiles: declared topics, SME designations, endorsements, availability, routing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class Topic(SQLModel, table=True):
    """The topic vocabulary: every canonical topic name ever used (for fuzzy matching)."""

    name: str = Field(primary_key=True, max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Expertise(SQLModel, table=True):
    """A topic a member knows, with an optional level 1-4 (aware ... expert)."""

    __table_args__ = (
        UniqueConstraint("member_id", "topic"),
        Index("ix_expertise_topic_member", "topic", "member_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    topic: str = Field(max_length=64)
    level: int | None = None
    source: str = Field(default="self", max_length=16)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class SmeDesignation(SQLModel, table=True):
    """A member named subject-matter expert for a topic in a community by a leader."""

    __tablename__ = "sme_designation"

    __table_args__ = (
        UniqueConstraint("community_id", "topic", "member_id"),
        Index("ix_sme_topic_member", "topic", "member_id"),
        Index("ix_sme_member", "member_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    member_id: int = Field(foreign_key="member.id")
    topic: str = Field(max_length=64)
    designated_by: int | None = Field(default=None, foreign_key="member.id")
    designated_at: datetime = Field(sa_type=UTCDateTime)


class Endorsement(SQLModel, table=True):
    """Someone vouches for a member on a topic (shown as a count, never turned into a level)."""

    __table_args__ = (
        UniqueConstraint("endorser_id", "member_id", "topic"),
        Index("ix_endorsement_topic_member", "topic", "member_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    endorser_id: int = Field(foreign_key="member.id")
    member_id: int = Field(foreign_key="member.id", index=True)
    topic: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)


class ExpertAvailability(SQLModel, table=True):
    """What a member allows: questions routed to them, mentoring, and who sees their profile."""

    __tablename__ = "expert_availability"

    member_id: int = Field(foreign_key="member.id", primary_key=True)
    open_to_questions: bool = True
    mentor: bool = False
    do_not_route: bool = False
    weekly_cap: int | None = None
    visibility: str = Field(default="org", max_length=16)  # org | community
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ExpertRouting(SQLModel, table=True):
    """A question routed to an expert through copbot (drives the weekly cap)."""

    __tablename__ = "expert_routing"

    __table_args__ = (Index("ix_expert_routing_expert_time", "expert_id", "asked_at"),)

    id: int | None = Field(default=None, primary_key=True)
    asker_id: int = Field(foreign_key="member.id", index=True)
    expert_id: int = Field(foreign_key="member.id")
    topic: str = Field(max_length=64, index=True)
    community_id: int | None = Field(default=None, foreign_key="community.id")
    question: str = Field(default="", max_length=2000)
    asked_at: datetime = Field(sa_type=UTCDateTime)


class ExpertStat(SQLModel, table=True):
    """Per member and topic: the evidence behind the expert ranking and its score.

    `authored`, `validated` and `helped` count the last 12 months only.

    Kept up to date by storage.experts whenever expertise, designations, endorsements,
    lessons or reuse votes change, so `expert <topic>` reads one index range.
    """

    __tablename__ = "expert_stat"
    __table_args__ = (
        Index("ix_expert_stat_rank", "topic", "score", "member_id"),
        Index("ix_expert_stat_halving", "next_halving"),
        Index("ix_expert_stat_expiry", "next_expiry"),
    )

    member_id: int = Field(foreign_key="member.id", primary_key=True)
    topic: str = Field(max_length=64, primary_key=True)
    designated: int = 0
    authored: int = 0
    validated: int = 0
    helped: int = 0
    endorsements: int = 0
    level: int = 0
    score: float = 0.0
    # Evidence decays (DOMAIN.md 5.2): full weight for 6 months, half until 12, then none.
    # The oldest evidence still at full / at half weight: once it is 6 / 12 months old the
    # score changes, and the heartbeat recomputes the row (storage.experts.decay_due).
    next_halving: datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_expiry: datetime | None = Field(default=None, sa_type=UTCDateTime)
