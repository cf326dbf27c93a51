"""Keys the deployment generates for itself, kept in the database so every replica shares them.

Why not derive them from a platform secret: anonymous answers are keyed with the deployment key,
and a key that changed whenever Slack's signing secret or Teams' password was rotated would turn
every changed answer into a new respondent.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class DeploymentKey(SQLModel, table=True):
    # One row per purpose ("signing"); the primary key makes insert-if-absent race-free.
    name: str = Field(primary_key=True, max_length=32)
    value: str = Field(max_length=128)  # hex
    created_at: datetime = Field(sa_type=UTCDateTime)
