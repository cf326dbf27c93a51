"""Outbox queries: enqueue once per key, claim atomically, record the outcome."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sql import dialect_name, insert_ignore
from storage.tables import OutboxMessage

_TABLE = OutboxMessage.__table__  # type: ignore[attr-defined]
KEY_LENGTH = 200  # the column's size


def stored_key(key: str) -> str:
    """The key as stored: a long key keeps its start and gets a digest of the whole instead of
    being cut, so two long keys that differ only at the end never collide."""
    if len(key) <= KEY_LENGTH:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"{key[: KEY_LENGTH - 41]}#{digest}"


async def enqueue(
    session: AsyncSession,
    *,
    key: str,
    platform: str,
    target: dict[str, Any],
    reply: dict[str, Any],
    now: datetime,
    not_before: datetime | None = None,
    member_id: int | None = None,
    community_id: int | None = None,
) -> bool:
    """Queue a message; False when a message with this key was queued before."""
    return await insert_ignore(
        session,
        _TABLE,
        {
            "key": stored_key(key),
            "platform": platform,
            "target": target,
            "reply": reply,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": not_before or now,
            "created_at": now,
            "member_id": member_id,
            "community_id": community_id,
        },
        ["key"],
    )


async def claim_due(
    session: AsyncSession, *, worker: str, now: datetime, lease: timedelta, limit: int
) -> list[OutboxMessage]:
    """Atomically take up to `limit` due messages for `worker`.

    A message is due when pending and its time has come, or when an earlier claim's lease ran
    out (its worker died mid-send). One UPDATE … RETURNING does the claim, so two dispatchers,
    in one process or on several replicas, never take the same row.
    """
    due = select(OutboxMessage.id).where(
        or_(
            and_(col(OutboxMessage.status) == "pending", col(OutboxMessage.next_attempt_at) <= now),
            and_(col(OutboxMessage.status) == "sending", col(OutboxMessage.claimed_until) < now),
        )
    )
    due = due.order_by(OutboxMessage.id).limit(limit)
    if dialect_name(session) == "postgresql":
        due = due.with_for_update(skip_locked=True)
    statement = (
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(due.scalar_subquery()))
        .values(
            status="sending",
            claimed_by=worker,
            claimed_until=now + lease,
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False)
    )
    rows = (await session.exec(statement)).scalars().all()
    return sorted(rows, key=lambda row: row.id or 0)


async def _finish(session: AsyncSession, row_id: int, worker: str, **values: Any) -> bool:
    result = await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row_id, col(OutboxMessage.claimed_by) == worker)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def mark_sent(
    session: AsyncSession,
    row_id: int,
    worker: str,
    now: datetime,
    conversation_id: str | None,
    message_id: str | None,
) -> bool:
    return await _finish(
        session,
        row_id,
        worker,
        status="sent",
        sent_at=now,
        sent_conversation_id=conversation_id,
        sent_message_id=message_id,
        claimed_until=None,
        error=None,
    )


async def mark_retry(
    session: AsyncSession, row_id: int, worker: str, at: datetime, error: str
) -> bool:
    return await _finish(
        session,
        row_id,
        worker,
        status="pending",
        next_attempt_at=at,
        claimed_until=None,
        error=error[:500],
    )


async def mark_final(
    session: AsyncSession, row_id: int, worker: str, status: str, error: str
) -> bool:
    return await _finish(
        session, row_id, worker, status=status, claimed_until=None, error=error[:500]
    )


async def cancel_pending(session: AsyncSession, key_prefix: str) -> int:
    """Cancel queued messages whose key starts with `key_prefix` (e.g. a cancelled meeting)."""
    result = await session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.key).startswith(key_prefix, autoescape=True),
            col(OutboxMessage.status) == "pending",
        )
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


async def get_by_key(session: AsyncSession, key: str) -> OutboxMessage | None:
    result = await session.exec(select(OutboxMessage).where(OutboxMessage.key == stored_key(key)))
    return result.first()


async def list_messages(
    session: AsyncSession, *, status: str | None = None, key_prefix: str | None = None
) -> list[OutboxMessage]:
    query = select(OutboxMessage)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    if key_prefix is not None:
        query = query.where(col(OutboxMessage.key).startswith(key_prefix, autoescape=True))
    result = await session.exec(query.order_by(OutboxMessage.id))
    return list(result.all())
