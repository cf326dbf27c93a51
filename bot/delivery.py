"""Queueing proactive messages: to a member's DM, or to a community's channels."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.messages import (
    ConversationRef,
    Platform,
    Reply,
    UserRef,
    reply_to_dict,
    target_to_dict,
)
from bot.ports import bucket_of
from storage import communities, outbox, people
from storage.tables import Community
from storage.tables.outbox import BULK, BULK_KIND, NORMAL, NOTICE, REPLY, URGENT, WANTED

__all__ = [
    "BULK",
    "BULK_KIND",
    "NORMAL",
    "NOTICE",
    "REPLY",
    "URGENT",
    "WANTED",
    "notify_member",
    "notify_members",
    "post_to_community",
]


async def notify_member(
    session: AsyncSession,
    member_id: int,
    reply: Reply,
    key: str,
    *,
    now: datetime,
    community_id: int | None = None,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    priority: int = NORMAL,
    kind: str = NOTICE,
) -> bool:
    identity = await people.preferred_identity(session, member_id)
    if identity is None:
        return False
    target = UserRef(Platform(identity.platform), identity.platform_user_id, identity.tenant_id)
    return await outbox.enqueue(
        session,
        key=key,
        platform=identity.platform,
        target=target_to_dict(target),
        reply=reply_to_dict(reply),
        now=now,
        not_before=not_before,
        not_after=not_after,
        member_id=member_id,
        community_id=community_id,
        priority=priority,
        bucket=bucket_of(target),
        kind=kind,
    )


async def notify_members(
    session: AsyncSession,
    messages: Sequence[tuple[int, Reply, str]],
    *,
    now: datetime,
    community_id: int | None = None,
    priority: int = NORMAL,
    kind: str = NOTICE,
    not_after: datetime | None = None,
) -> int:
    """`notify_member` for a fan-out: (member id, reply, key) each, queued in a few statements
    (a survey to 10,000 would otherwise hold the database for most of a minute). Returns how
    many members could be reached; keys queued before are skipped."""
    identities = await people.preferred_identities(session, [m for m, _, _ in messages])
    rows = []
    for member_id, reply, key in messages:
        identity = identities.get(member_id)
        if identity is None:
            continue
        target = UserRef(Platform(identity.platform), identity.platform_user_id, identity.tenant_id)
        rows.append(
            {
                "key": key,
                "platform": identity.platform,
                "target": target_to_dict(target),
                "reply": reply_to_dict(reply),
                "created_at": now,
                "member_id": member_id,
                "community_id": community_id,
                "priority": priority,
                "bucket": bucket_of(target),
                "kind": kind,
                "not_after": not_after,
            }
        )
    await outbox.enqueue_many(session, rows)
    return len(rows)


async def post_to_community(
    session: AsyncSession,
    community: Community,
    reply: Reply,
    key: str,
    *,
    now: datetime,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    priority: int = NORMAL,
) -> int:
    assert community.id is not None
    queued = 0
    for link in await communities.channel_links(session, community.id):
        target = ConversationRef(
            Platform(link.platform), link.conversation_id, link.tenant_id, raw=link.raw_ref
        )
        queued += await outbox.enqueue(
            session,
            key=f"{key}:{link.platform}:{link.conversation_id}",
            platform=link.platform,
            target=target_to_dict(target),
            reply=reply_to_dict(reply),
            now=now,
            not_before=not_before,
            not_after=not_after,
            community_id=community.id,
            priority=priority,
            bucket=bucket_of(target),
        )
    return queued
