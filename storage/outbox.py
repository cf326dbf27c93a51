"""Outbox queries: enqueue once per key, claim atomically, record the outcome."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sql import dialect_name, insert_ignore
from storage.tables import OutboxMessage
from storage.tables.outbox import EXPIRED, NORMAL, NOTICE
from storage.tables.pacing import SendBucket

_TABLE = OutboxMessage.__table__  # type: ignore[attr-defined]  # SQLModel declares no __table__
KEY_LENGTH = 200  # the column's size


def stored_key(key: str) -> str:
    """The key as stored: a long key keeps its start and gets a digest of the whole instead of
    being cut, so two long keys that differ only at the end never collide."""
    if len(key) <= KEY_LENGTH:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"{key[: KEY_LENGTH - 41]}#{digest}"


_QUEUED = "copbot_outbox_queued"


def queued_in(session: AsyncSession) -> bool:
    """Whether this session queued a message (`enqueue`, `enqueue_many`): worth a delivery kick."""
    return bool(session.info.get(_QUEUED))


def mark_queued(session: AsyncSession) -> None:
    """Something in this session made a message due (a queued or re-queued row)."""
    session.info[_QUEUED] = True


async def enqueue(
    session: AsyncSession,
    *,
    key: str,
    platform: str,
    target: dict[str, Any],
    reply: dict[str, Any],
    now: datetime,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    member_id: int | None = None,
    community_id: int | None = None,
    priority: int = NORMAL,
    bucket: str = "",
    kind: str = NOTICE,
) -> bool:
    """Queue a message; False when a message with this key was queued before."""
    mark_queued(session)
    return await insert_ignore(
        session,
        _TABLE,
        {
            "key": stored_key(key),
            "platform": platform,
            "target": target,
            "reply": reply,
            "status": "pending",
            "priority": priority,
            "bucket": bucket,
            "maybe_sent": False,
            "attempts": 0,
            "next_attempt_at": not_before or now,
            "created_at": now,
            "member_id": member_id,
            "community_id": community_id,
            "kind": kind,
            "not_after": not_after,
        },
        ["key"],
    )


async def enqueue_many(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """`enqueue` for many messages in a few statements; rows already queued are skipped."""
    mark_queued(session)
    module = postgresql if dialect_name(session) == "postgresql" else sqlite
    statement = module.insert(_TABLE).on_conflict_do_nothing(index_elements=["key"])
    batch = [
        {
            **row,
            "key": stored_key(row["key"]),
            "status": "pending",
            "maybe_sent": False,
            "attempts": 0,
            "next_attempt_at": row.get("next_attempt_at") or row["created_at"],
            "kind": row.get("kind") or NOTICE,
            "not_after": row.get("not_after"),
        }
        for row in rows
    ]
    for start in range(0, len(batch), 2000):
        await session.exec(statement, params=batch[start : start + 2000])


async def claim_due(
    session: AsyncSession,
    *,
    worker: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    platforms: Sequence[str] | None = None,
) -> list[OutboxMessage]:
    """Atomically take up to `limit` due messages for `worker`, most urgent first.

    A message is due when pending and its time has come, or when an earlier claim's lease ran
    out (its worker died; `maybe_sent` says whether it had begun the send). Only rows of
    `platforms` are taken, so a process without a port for a platform leaves its rows to one
    that has it, and none of a bucket a platform asked to pause. One UPDATE … RETURNING does the
    claim, so two dispatchers, in one process or on several replicas, never take the same row.
    """
    paused = select(SendBucket.key).where(col(SendBucket.paused_until) > now)
    due = select(OutboxMessage.id).where(
        or_(
            and_(col(OutboxMessage.status) == "pending", col(OutboxMessage.next_attempt_at) <= now),
            and_(col(OutboxMessage.status) == "sending", col(OutboxMessage.claimed_until) < now),
        ),
        col(OutboxMessage.bucket).not_in(paused),
    )
    if platforms is not None:
        due = due.where(col(OutboxMessage.platform).in_(list(platforms)))
    due = due.order_by(col(OutboxMessage.priority), col(OutboxMessage.id)).limit(limit)
    if dialect_name(session) == "postgresql":
        due = due.with_for_update(skip_locked=True)
    statement = (
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(due.scalar_subquery()))
        .values(
            status="sending",
            claimed_by=worker,
            claimed_until=now + lease,
        )
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False)
    )
    rows = (await session.exec(statement)).scalars().all()
    return sorted(rows, key=lambda row: (row.priority, row.id or 0))


async def _finish(session: AsyncSession, row_id: int, worker: str, **values: Any) -> bool:
    result = await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row_id, col(OutboxMessage.claimed_by) == worker)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def release_unstarted(session: AsyncSession, worker: str, now: datetime) -> int:
    """Hand back every row `worker` claimed but never began to send (it is stopping)."""
    result = await session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.claimed_by) == worker,
            col(OutboxMessage.status) == "sending",
            col(OutboxMessage.maybe_sent).is_(False),
        )
        .values(status="pending", next_attempt_at=now, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


async def mark_in_flight(session: AsyncSession, row_id: int, worker: str) -> bool:
    """Recorded just before the platform request: should the worker die now, whoever takes the
    row over asks the platform whether the message arrived instead of sending it again."""
    return await _finish(session, row_id, worker, maybe_sent=True)


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
        attempts=OutboxMessage.attempts + 1,
        sent_at=now,
        sent_conversation_id=conversation_id,
        sent_message_id=message_id,
        claimed_until=None,
        error=None,
    )


async def mark_retry(
    session: AsyncSession,
    row_id: int,
    worker: str,
    at: datetime,
    error: str,
    *,
    maybe_sent: bool = False,
) -> bool:
    """A failed attempt: counted, and tried again at `at`."""
    return await _finish(
        session,
        row_id,
        worker,
        status="pending",
        next_attempt_at=at,
        claimed_until=None,
        attempts=OutboxMessage.attempts + 1,
        error=error[:500],
        **({"maybe_sent": True} if maybe_sent else {}),
    )


async def release(session: AsyncSession, row_id: int, worker: str, at: datetime, why: str) -> bool:
    """Hand a claimed row back untried (its bucket is paused): not an attempt."""
    return await _finish(
        session,
        row_id,
        worker,
        status="pending",
        next_attempt_at=at,
        claimed_until=None,
        error=why[:500],
    )


async def hold(session: AsyncSession, row_id: int, worker: str, at: datetime, why: str) -> bool:
    """Hand a claimed row back untried until its recipient's time (`why`: snooze or hours)."""
    return await _finish(
        session,
        row_id,
        worker,
        status="pending",
        next_attempt_at=at,
        claimed_until=None,
        held=why,
    )


async def mark_cancelled(session: AsyncSession, row_id: int, worker: str, why: str) -> bool:
    """A claimed row that became moot before it was sent (its community closed)."""
    return await _finish(
        session, row_id, worker, status="cancelled", claimed_until=None, error=why[:500]
    )


async def mark_expired(session: AsyncSession, row_id: int, worker: str) -> bool:
    """A claimed row whose `not_after` passed before it could go: dropped, never sent late."""
    return await _finish(
        session,
        row_id,
        worker,
        status=EXPIRED,
        claimed_until=None,
        error="its moment passed before it could be sent",
    )


async def release_held(session: AsyncSession, member_id: int, now: datetime) -> int:
    """Rows held for a member's snooze or hours become due now, to be looked at again (the
    snooze ended early or the hours changed)."""
    result = await session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.member_id) == member_id,
            col(OutboxMessage.status) == "pending",
            col(OutboxMessage.held).is_not(None),
        )
        .values(next_attempt_at=now, held=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


async def count_held(session: AsyncSession, member_id: int) -> int:
    result = await session.exec(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            col(OutboxMessage.member_id) == member_id,
            col(OutboxMessage.status) == "pending",
            col(OutboxMessage.held).is_not(None),
        )
    )
    return int(result.one())


async def mark_final(
    session: AsyncSession, row_id: int, worker: str, status: str, error: str
) -> bool:
    return await _finish(
        session,
        row_id,
        worker,
        status=status,
        claimed_until=None,
        attempts=OutboxMessage.attempts + 1,
        error=error[:500],
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


async def end_pending_in_bucket(session: AsyncSession, bucket: str, why: str) -> int:
    """Queued messages of one workspace or tenant end undeliverable (it removed the bot)."""
    result = await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.bucket) == bucket, col(OutboxMessage.status) == "pending")
        .values(status="undeliverable", claimed_until=None, error=why[:500])
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
    result = await session.exec(query.order_by(col(OutboxMessage.id)))
    return list(result.all())
