"""Every table of copbot. Importing this package registers them all on SQLModel.metadata."""

from storage.tables.core import (
    ActivityEvent,
    ChannelLink,
    Community,
    Conversation,
    Identity,
    InboundEvent,
    Member,
    MemberRole,
    Membership,
)
from storage.tables.nudges import NudgeSignal
from storage.tables.outbox import OutboxMessage

__all__ = [
    "ActivityEvent",
    "ChannelLink",
    "Community",
    "Conversation",
    "Identity",
    "InboundEvent",
    "Member",
    "MemberRole",
    "Membership",
    "NudgeSignal",
    "OutboxMessage",
]
