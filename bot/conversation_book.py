"""The conversations the bot has seen, for adapters: one call each, no storage session to hold.

A platform port (Teams needs stored references to send proactively) asks this book instead of
opening database sessions itself; the book owns the session and the clock.

Every request remembers its conversation (`remember_in`, in the router's transaction). The
book writes the row only when something in it would change (tenant, kind, reference) or it was
last written more than `SEEN_EVERY` ago, so most requests write nothing. A conversation this
process marks undeliverable is written again at its next request (the mark must clear); one
another replica marked is cleared within `SEEN_EVERY`.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from storage import conversations
from storage.db import Database
from storage.tables import Conversation

SEEN_EVERY = timedelta(minutes=5)
MAX_REMEMBERED = 20_000
_PENDING = "copbot_conversations_written"


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
        # (platform, conversation id) -> (what was written, when): the writes to skip.
        self._written: OrderedDict[tuple[str, str], tuple[tuple[Any, ...], datetime]] = (
            OrderedDict()
        )

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

    async def remember_in(
        self,
        session: AsyncSession,
        *,
        platform: str,
        conversation_id: str,
        tenant_id: str | None,
        is_direct: bool,
        platform_user_id: str | None,
        raw_ref: dict[str, Any] | None,
    ) -> None:
        """`remember` in the caller's transaction, skipped when it would change nothing."""
        now = self._clock.now()
        key = (platform, conversation_id)
        what = (tenant_id, is_direct, platform_user_id, repr(raw_ref))
        written = self._written.get(key)
        if written is not None and written[0] == what and written[1] + SEEN_EVERY > now:
            return
        await conversations.upsert_conversation(
            session,
            platform=platform,
            conversation_id=conversation_id,
            tenant_id=tenant_id,
            is_direct=is_direct,
            platform_user_id=platform_user_id,
            raw_ref=raw_ref,
            now=now,
        )
        session.info.setdefault(_PENDING, []).append((key, what, now))

    def committed(self, session: AsyncSession) -> None:
        """The caller committed `remember_in`'s writes: skip them from now on."""
        for key, what, now in session.info.pop(_PENDING, []):
            self._written[key] = (what, now)
            self._written.move_to_end(key)
        while len(self._written) > MAX_REMEMBERED:
            self._written.popitem(last=False)

    async def mark_undeliverable(self, platform: str, conversation_id: str) -> None:
        self._written.pop((platform, conversation_id), None)
        async with self._db.session() as session:
            await conversations.mark_undeliverable(session, platform, conversation_id)

    async def first_time_seen(self, key: str) -> bool:
        """Record an inbound platform event id; False when it was handled before (a retry)."""
        async with self._db.session() as session:
            return await conversations.first_time_seen(session, key, self._clock.now())
