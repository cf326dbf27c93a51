"""Every table of copbot. Importing this package registers them all on SQLModel.metadata.

Each capability adds one module here; every module in the package is imported, so adding a
table never means editing this file.
"""

import importlib
import pkgutil

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

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

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
