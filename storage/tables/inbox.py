"""The inbox: each command, click and form submission copbot acknowledged, until it is answered.

A row is written before (or as) the platform gets its acknowledgement, and processed from here,
so a crash between the two loses nothing; the unique (platform, key) makes a platform retry or a
resubmission of the same form a no-op.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class InboxItem(SQLModel, table=True):
    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("platform", "key", name="uq_inbox_platform_key"),
        Index("ix_inbox_due", "status", "claimed_until"),
        Index("ix_inbox_sender", "platform", "sender"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    # Idempotency key of the platform request, e.g. "view:V123:hash" or "command:trigger-id".
    key: str = Field(max_length=200)
    # What the request is to the adapter that recorded it: "command", "action", "submission"…
    kind: str = Field(max_length=32)
    # The platform user id of who sent it: `forget` blanks their answered rows (bot.privacy).
    sender: str | None = Field(default=None, max_length=200)
    # The request as the adapter needs it to rebuild the neutral request (see bot.inbox).
    request: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # Where to answer: Slack's response_url and view id, Teams' conversation reference.
    reply_to: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # pending -> handled (the work is committed, `result` holds the replies) -> done (answered);
    # "failed" after too many attempts.
    status: str = Field(default="pending", max_length=16)
    # The replies, stored with the work in one transaction, so answering can be retried alone.
    result: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # True when the request was refused (field errors, a friendly refusal): nothing was stored,
    # so the same form submitted again under the same key runs again.
    refused: bool = False
    attempts: int = 0
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    error: str | None = Field(default=None, max_length=500)
