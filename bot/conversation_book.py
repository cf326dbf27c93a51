"""The conversations the bot has seen, for adapters: one call each, no storage session to hold.

A platform port (Teams needs stored references to send proactively) asks this book instead of
opening database sessions itself; the book owns the session and the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from storage import conversations
from storage.db import Database
from storage.tables import Conversation


@dataclass(frozen=True, slots=True)
class KnownConversation:
    """What an adapter may know of a stored conversation."""

    conversation_id: str
    raw_ref: dict[str, Any] | None
    undeliverable: bool


def _known(row: Conversation | None) -> KnownConversation | None:
    if row is None:
        return None
    return KnownConversation(row.conversation_id, row.raw_ref, row.undeliverable)


class ConversationBook:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def get(self, platform: str, conversation_id: str) -> KnownConversation | None:
        async with self._db.session() as session:
            return _known(await conversations.get_conversation(session, platform, conversation_id))

    async def direct(self, platform: str, platform_user_id: str) -> KnownConversation | None:
        """The 1:1 chat with a person, if the bot has one."""
        async with self._db.session() as session:
            row = await conversations.direct_conversation(session, platform, platform_user_id)
            return _known(row)

    async def any_in_tenant(self, platform: str, tenant_id: str | None) -> KnownConversation | None:
        """The most recently seen conversation in a tenant (to start new 1:1 chats there)."""
        async with self._db.session() as session:
            row = await conversations.any_conversation_in_tenant(session, platform, tenant_id)
            return _known(row)

    async def remember(
        self,
        *,
        platform: str,
        conversation_id: str,
        tenant_id: str | None,
        is_direct: bool,
        platform_user_id: str | None,
        raw_ref: dict[str, Any] | None,
    ) -> None:
        async with self._db.session() as session:
            await conversations.upsert_conversation(
                session,
                platform=platform,
                conversation_id=conversation_id,
                tenant_id=tenant_id,
                is_direct=is_direct,
                platform_user_id=platform_user_id,
                raw_ref=raw_ref,
                now=self._clock.now(),
            )

    async def mark_undeliverable(self, platform: str, conversation_id: str) -> None:
        async with self._db.session() as session:
            await conversations.mark_undeliverable(session, platform, conversation_id)

    async def first_time_seen(self, key: str) -> bool:
        """Record an inbound platform event id; False when it was handled before (a retry)."""
        async with self._db.session() as session:
            return await conversations.first_time_seen(session, key, self._clock.now())
