"""Delivery bookkeeping beside the outbox: fan-outs awaiting their completion notice, and how
far the retention purge has swept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

_OPEN = text("notified_at IS NULL")


class Fanout(SQLModel, table=True):
    """One message sent to many people (a survey's invitations), watched until every row is
    final so the launcher hears how many it reached."""

    __table_args__ = (
        # Only open fan-outs are looked at on each heartbeat: a partial index keeps that cost
        # independent of how many were ever launched.
        Index("ix_fanout_open", "id", sqlite_where=_OPEN, postgresql_where=_OPEN),
    )

    id: int | None = Field(default=None, primary_key=True)
    # The outbox keys of its rows start with this, e.g. "survey:12:invite:".
    key_prefix: str = Field(max_length=200)
    # Its rows have outbox ids in (after_outbox_id, last_outbox_id]: reading them by primary key
    # costs the fan-out's size, however long the outbox grows (a LIKE on the key would not use
    # an index on PostgreSQL's default collation).
    after_outbox_id: int
    last_outbox_id: int
    launched_by: int = Field(foreign_key="member.id")
    community_id: int | None = Field(default=None, foreign_key="community.id")
    kind: str = Field(default="survey", max_length=32)  # what was sent, for the notice
    title: str = Field(max_length=200)
    noun: str = Field(default="members", max_length=32)  # who was reached: "members", "leaders"
    total: int
    created_at: datetime = Field(sa_type=UTCDateTime)
    notified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SweepMark(SQLModel, table=True):
    """How far a recurring sweep has gone, so each run only reads what is new since the last."""

    __tablename__ = "sweep_mark"

    name: str = Field(primary_key=True, max_length=64)
    done_until: datetime = Field(sa_type=UTCDateTime)
