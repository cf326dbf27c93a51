"""The delivery outbox: each proactive message, sent once by whichever replica claims it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

# Priorities: lower goes first. A person waiting (an answer to their action, a reminder due
# soon) before ordinary notices, and those before bulk fan-out (a survey to 10,000, digests).
URGENT = 0
NORMAL = 1
BULK = 2

# What a message is to its recipient (bot/availability.py decides when each may arrive):
# REPLY answers their own action (never held); WANTED is something they asked for, such as a
# reminder of a meeting they RSVP'd to (on time, but a snooze holds it); NOTICE and BULK_KIND
# (survey prompts, nudges, digests) wait for their working hours and out their snooze.
REPLY = "reply"
WANTED = "wanted"
NOTICE = "notice"
BULK_KIND = "bulk"

# The status of a row dropped because its `not_after` passed before it could be sent.
EXPIRED = "expired"


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        # The claim walks pending rows in the order they are to be sent.
        Index("ix_outbox_claim", "status", "priority", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Idempotency key, e.g. "reminder:{occurrence}:{offset}:{member}": enqueuing twice is a no-op.
    key: str = Field(max_length=200, unique=True)
    platform: str = Field(max_length=16)
    target: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    reply: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # pending -> sending -> sent | failed | undeliverable; also "cancelled" when made moot, and
    # "expired" when `not_after` passed before it could go (held by a snooze or hours).
    status: str = Field(default="pending", max_length=16)
    priority: int = NORMAL
    # The rate budget this send draws on ("slack:T123", "teams:tenant"): a Retry-After pauses
    # every row of the same bucket, not just the one that provoked it.
    bucket: str = Field(default="", max_length=160)
    # Set when an earlier send may have reached the platform (its worker died mid-send, or it
    # timed out): the port is asked whether the message is there before sending again.
    maybe_sent: bool = False
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_conversation_id: str | None = Field(default=None, max_length=256)
    sent_message_id: str | None = Field(default=None, max_length=256)
    error: str | None = Field(default=None, max_length=500)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    community_id: int | None = Field(default=None, foreign_key="community.id")
    kind: str = Field(default=NOTICE, max_length=16)
    # Why a pending row waits past its first due time: "snooze" or "hours" (its recipient's),
    # so `snooze off` or new hours can let exactly those rows go again.
    held: str | None = Field(default=None, max_length=16)
    # After this moment the message is moot (a reminder of a meeting that has passed, a survey
    # invitation once it closed): the dispatcher marks it "expired" instead of sending it late.
    not_after: datetime | None = Field(default=None, sa_type=UTCDateTime)
