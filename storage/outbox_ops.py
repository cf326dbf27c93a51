"""Outbox queries for operating delivery: what coordinators see and retry, how far a fan-out
has got, and the retention purge. Sending itself (enqueue, claim, mark) is `storage.outbox`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.outbox import mark_queued
from storage.tables import OutboxMessage

# Every status a row can have, in the order the coordinators' views list them.
STATES = ("pending", "sending", "sent", "failed", "undeliverable", "cancelled", "expired")
FINAL_FAILURES = ("failed", "undeliverable")
UNFINISHED = ("pending", "sending")
PURGEABLE = ("sent", "cancelled", "expired")


async def last_id(session: AsyncSession) -> int:
    """The highest row id so far (0 when empty): rows queued after this call have higher ids."""
    result = await session.exec(select(func.max(OutboxMessage.id)))
    return int(result.one() or 0)


def _in_range(key_prefix: str, after_id: int, last: int) -> Any:
    # The id range is what an index serves; the key prefix keeps other rows of that range out.
    return and_(
        col(OutboxMessage.id) > after_id,
        col(OutboxMessage.id) <= last,
        col(OutboxMessage.key).startswith(key_prefix, autoescape=True),
    )


async def platform_counts(
    session: AsyncSession, key_prefix: str, after_id: int, last: int
) -> dict[str, int]:
    """How many rows of one fan-out go to each platform."""
    result = await session.exec(
        select(OutboxMessage.platform, func.count())
        .where(_in_range(key_prefix, after_id, last))
        .group_by(OutboxMessage.platform)
    )
    return {platform: int(count) for platform, count in result.all()}


async def has_unfinished(session: AsyncSession, key_prefix: str, after_id: int, last: int) -> bool:
    """Whether a row of one fan-out is still pending or sending (stops at the first found).

    A row held for its recipient's working hours or snooze does not count: the launcher hears
    how many wait for their time instead of waiting with them (perhaps for weeks)."""
    result = await session.exec(
        select(OutboxMessage.id)
        .where(
            _in_range(key_prefix, after_id, last),
            col(OutboxMessage.status).in_(UNFINISHED),
            ~and_(col(OutboxMessage.status) == "pending", col(OutboxMessage.held).is_not(None)),
        )
        .limit(1)
    )
    return result.first() is not None


async def outcomes(
    session: AsyncSession, key_prefix: str, after_id: int, last: int
) -> list[tuple[str, str | None, int]]:
    """(status, error, count) of one fan-out's rows; "held" for rows waiting for their
    recipient's working hours or snooze."""
    status = case(
        (
            and_(col(OutboxMessage.status) == "pending", col(OutboxMessage.held).is_not(None)),
            "held",
        ),
        else_=col(OutboxMessage.status),
    )
    result = await session.exec(
        select(status, OutboxMessage.error, func.count())
        .where(_in_range(key_prefix, after_id, last))
        .group_by(status, col(OutboxMessage.error))
    )
    return [(status, error, int(count)) for status, error, count in result.all()]


async def state_counts(session: AsyncSession) -> list[tuple[str, str, int]]:
    """(status, platform, count) over the whole outbox, for the coordinators' view."""
    result = await session.exec(
        select(OutboxMessage.status, OutboxMessage.platform, func.count()).group_by(
            OutboxMessage.status, OutboxMessage.platform
        )
    )
    return [(status, platform, int(count)) for status, platform, count in result.all()]


async def oldest_pending_since(session: AsyncSession) -> datetime | None:
    """When the longest-waiting pending message was queued."""
    result = await session.exec(
        select(func.min(OutboxMessage.created_at)).where(col(OutboxMessage.status) == "pending")
    )
    return result.one()  # min() keeps the column's type: an aware datetime


async def oldest_due_pending(session: AsyncSession, now: datetime) -> datetime | None:
    """The due time of the most overdue pending message (None when nothing is overdue)."""
    result = await session.exec(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            col(OutboxMessage.status) == "pending", col(OutboxMessage.next_attempt_at) <= now
        )
    )
    return result.one()


async def count_failures(session: AsyncSession) -> int:
    result = await session.exec(
        select(func.count()).where(col(OutboxMessage.status).in_(FINAL_FAILURES))
    )
    return int(result.one())


async def recent_failures(session: AsyncSession, *, offset: int, limit: int) -> list[OutboxMessage]:
    """Failed and undeliverable rows, newest first."""
    result = await session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.status).in_(FINAL_FAILURES))
        .order_by(col(OutboxMessage.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return list(result.all())


async def get_message(session: AsyncSession, row_id: int) -> OutboxMessage | None:
    return await session.get(OutboxMessage, row_id)


def _requeue(now: datetime) -> dict[str, Any]:
    # A fresh start: the attempts a failure used up must not make the retry give up early.
    return {
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "claimed_by": None,
        "claimed_until": None,
    }


async def retry_one(session: AsyncSession, row_id: int, now: datetime) -> bool:
    """Put one failed or undeliverable row back to pending; False when it is neither."""
    mark_queued(session)
    result = await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row_id, col(OutboxMessage.status).in_(FINAL_FAILURES))
        .values(**_requeue(now))
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def retry_all_failed(session: AsyncSession, now: datetime) -> int:
    """Put every failed row back to pending. Undeliverable rows stay: those errors are final."""
    mark_queued(session)
    result = await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.status) == "failed")
        .values(**_requeue(now))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


async def count_with_status(session: AsyncSession, status: str) -> int:
    result = await session.exec(select(func.count()).where(col(OutboxMessage.status) == status))
    return int(result.one())


async def purge_content(session: AsyncSession, *, since: datetime | None, before: datetime) -> int:
    """Blank the target and text of sent, cancelled or expired rows last due in [since, before).

    The row and its key stay, so enqueuing the same key again is still a no-op: a purged
    message can never be sent twice. The range runs on the `ix_outbox_due` index, so each run
    reads only what crossed the retention line since the previous one.
    """
    due = col(OutboxMessage.next_attempt_at)
    where = [col(OutboxMessage.status).in_(PURGEABLE), due < before]
    if since is not None:
        where.append(due >= since)
    result = await session.exec(
        update(OutboxMessage)
        .where(*where)
        .values(target={}, reply={})
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)
