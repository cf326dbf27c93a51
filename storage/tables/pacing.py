"""Send budgets shared by every replica: one row per platform workspace or tenant."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class SendBucket(SQLModel, table=True):
    __tablename__ = "sendbucket"

    key: str = Field(primary_key=True, max_length=160)
    # Wall-clock seconds (epoch) of the next free send slot: pacing is about real request rates,
    # so it uses real time, the same on every replica.
    next_slot: float = 0.0
    # A platform's Retry-After: nothing of this bucket is claimed before then (scheduler clock).
    paused_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
