"""Sponsor and programme digests: each community's cadence and the periods already built."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class DigestCadence(SQLModel, table=True):
    """A community's sponsor-digest cadence when a leader changed it from quarterly."""

    __tablename__ = "digest_cadence"

    community_id: int = Field(foreign_key="community.id", primary_key=True)
    cadence: str = Field(max_length=16)  # quarterly | monthly | off
    updated_at: datetime = Field(sa_type=UTCDateTime)


class DigestRun(SQLModel, table=True):
    """One digest built for one period ("sponsor:3:2026Q1", "programme:2026-03"): the claim that
    keeps two replicas from both building it."""

    __tablename__ = "digest_run"

    key: str = Field(primary_key=True, max_length=80)
    claimed_at: datetime = Field(sa_type=UTCDateTime)
