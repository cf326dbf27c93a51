"""Conversations the bot has seen, and inbound events already handled."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import Conversation, InboundEvent


async def upsert_conversation(
    session: AsyncSession,
    *,
    platform: str,
    conversation_id: str,
    tenant_id: str | None,
    is_direct: bool,
    platform_user_id: str | None,
    raw_ref: dict[str, Any] | None,
    now: datetime,
) -> Conversation:
    conversation = await get_conversation(session, platform, conversation_id)
    if conversation is None:
        # Two first requests in one new conversation can race to insert it: the loser undoes
        # its insert and updates the row the winner made.
        try:
            async with session.begin_nested():
                conversation = Conversation(
                    platform=platform, conversation_id=conversation_id, last_seen_at=now
                )
                session.add(conversation)
                await session.flush()
        except IntegrityError:
            conversation = await get_conversation(session, platform, conversation_id)
            if conversation is None:
                raise
    conversation.tenant_id = tenant_id or conversation.tenant_id
    conversation.is_direct = is_direct
    if is_direct and platform_user_id:
        conversation.platform_user_id = platform_user_id
    if raw_ref is not None:
        conversation.raw_ref = raw_ref
    conversation.undeliverable = False
    conversation.last_seen_at = now
    session.add(conversation)
    await session.flush()
    return conversation


async def get_conversation(
    session: AsyncSession, platform: str, conversation_id: str
) -> Conversation | None:
    result = await session.exec(
        select(Conversation).where(
            Conversation.platform == platform, Conversation.conversation_id == conversation_id
        )
    )
    return result.first()


async def direct_conversation(
    session: AsyncSession, platform: str, platform_user_id: str
) -> Conversation | None:
    """The 1:1 chat with a person, if the bot has one (Teams needs it for proactive DMs)."""
    result = await session.exec(
        select(Conversation)
        .where(
            Conversation.platform == platform,
            Conversation.platform_user_id == platform_user_id,
            col(Conversation.is_direct).is_(True),
        )
        .order_by(col(Conversation.last_seen_at).desc())
    )
    return result.first()


async def any_conversation_in_tenant(
    session: AsyncSession, platform: str, tenant_id: str | None
) -> Conversation | None:
    """A stored reference in a tenant, used to start new 1:1 chats there (Teams)."""
    query = select(Conversation).where(Conversation.platform == platform)
    if tenant_id is not None:
        query = query.where(Conversation.tenant_id == tenant_id)
    result = await session.exec(query.order_by(col(Conversation.last_seen_at).desc()))
    return result.first()


async def mark_undeliverable(session: AsyncSession, platform: str, conversation_id: str) -> None:
    conversation = await get_conversation(session, platform, conversation_id)
    if conversation is not None:
        conversation.undeliverable = True
        session.add(conversation)
        await session.flush()


async def first_time_seen(session: AsyncSession, key: str, now: datetime) -> bool:
    """Record an inbound event id; False when it was seen before (a platform retry)."""
    try:
        async with session.begin_nested():
            session.add(InboundEvent(key=key[:200], seen_at=now))
    except IntegrityError:
        return False
    return True


async def forget_events_before(session: AsyncSession, cutoff: datetime) -> None:
    await session.exec(delete(InboundEvent).where(col(InboundEvent.seen_at) < cutoff))
