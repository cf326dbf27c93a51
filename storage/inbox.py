"""Inbox queries: record once per platform request, claim atomically, record the outcome.

The same claim discipline as the outbox (storage.outbox): one UPDATE … RETURNING takes rows,
with FOR UPDATE SKIP LOCKED on PostgreSQL, so two workers (in one process or on several
replicas) never take the same row; every later step is conditional on still holding the claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NotRequired, TypedDict, Unpack

from sqlalchemy import and_, delete, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.outbox import stored_key
from storage.sql import dialect_name
from storage.tables.inbox import InboxItem

_TABLE = InboxItem.__table__  # type: ignore[attr-defined]  # SQLModel declares no __table__
UNFINISHED = ("pending", "handled")


class NewRequest(TypedDict):
    """A request to record: `record`'s arguments, one row of `record_many`."""

    platform: str
    key: str
    kind: str
    request: dict[str, Any]
    reply_to: dict[str, Any] | None
    now: datetime
    worker: str
    lease: timedelta
    sender: NotRequired[str | None]


async def record(session: AsyncSession, **row: Unpack[NewRequest]) -> int | None:
    """Record a request, claimed by `worker` (which processes it next); its id, or None when
    this key was recorded before (a retry or a resubmission).

    A request refused before (a form with field errors: nothing was stored) is taken again with
    the new content, because the person corrected it and pressed Save again.
    """
    return (await record_many(session, [row]))[0]


async def record_many(session: AsyncSession, rows: Sequence[NewRequest]) -> list[int | None]:
    """`record` for requests that came in together, in one INSERT: the id of each row, in
    order, or None where its key was recorded before (also earlier in `rows`)."""
    module = postgresql if dialect_name(session) == "postgresql" else sqlite
    statement = (
        module.insert(_TABLE)
        .values([_new_row(row) for row in rows])
        .on_conflict_do_nothing(index_elements=["platform", "key"])
        .returning(_TABLE.c.id, _TABLE.c.platform, _TABLE.c.key)
    )
    inserted = {
        (platform, key): int(row_id) for row_id, platform, key in await session.exec(statement)
    }
    ids: list[int | None] = []
    for row in rows:
        row_id = inserted.pop((row["platform"], stored_key(row["key"])), None)
        # Not inserted: a repeat, or a refused request sent again.
        ids.append(row_id if row_id is not None else await _reopen_refused(session, row))
    return ids


def _new_row(row: NewRequest) -> dict[str, Any]:
    """The columns of a newly recorded request, claimed by its worker."""
    return {
        "platform": row["platform"],
        "key": stored_key(row["key"]),
        "kind": row["kind"],
        "sender": row.get("sender"),
        "request": row["request"],
        "reply_to": row["reply_to"],
        "status": "pending",
        "refused": False,
        "attempts": 1,
        "claimed_by": row["worker"],
        "claimed_until": row["now"] + row["lease"],
        "created_at": row["now"],
    }


async def _reopen_refused(session: AsyncSession, row: NewRequest) -> int | None:
    """Take a refused request again with its new content; None when it was not refused."""
    reopened = await session.exec(
        update(InboxItem)
        .where(
            col(InboxItem.platform) == row["platform"],
            col(InboxItem.key) == stored_key(row["key"]),
            col(InboxItem.status) == "done",
            col(InboxItem.refused).is_(True),
        )
        .values(
            request=row["request"],
            reply_to=row["reply_to"],
            sender=row.get("sender"),
            status="pending",
            refused=False,
            result=None,
            attempts=InboxItem.attempts + 1,
            claimed_by=row["worker"],
            claimed_until=row["now"] + row["lease"],
            handled_at=None,
            done_at=None,
            error=None,
        )
        .returning(col(InboxItem.id))
        .execution_options(synchronize_session=False)
    )
    row_id = reopened.scalar_one_or_none()
    return int(row_id) if row_id is not None else None


async def get(session: AsyncSession, platform: str, key: str) -> InboxItem | None:
    result = await session.exec(
        select(InboxItem).where(InboxItem.platform == platform, InboxItem.key == stored_key(key))
    )
    return result.first()


async def get_by_id(session: AsyncSession, row_id: int) -> InboxItem | None:
    return await session.get(InboxItem, row_id)


async def claim_due(
    session: AsyncSession, *, worker: str, now: datetime, lease: timedelta, limit: int
) -> list[InboxItem]:
    """Atomically take up to `limit` unfinished rows nobody holds (never claimed, or the claim's
    lease ran out because its worker died or gave up for a while)."""
    due = select(InboxItem.id).where(
        col(InboxItem.status).in_(UNFINISHED),
        or_(col(InboxItem.claimed_until).is_(None), col(InboxItem.claimed_until) < now),
    )
    due = due.order_by(col(InboxItem.id)).limit(limit)
    if dialect_name(session) == "postgresql":
        due = due.with_for_update(skip_locked=True)
    statement = (
        update(InboxItem)
        .where(col(InboxItem.id).in_(due.scalar_subquery()))
        .values(claimed_by=worker, claimed_until=now + lease, attempts=InboxItem.attempts + 1)
        .returning(InboxItem)
        .execution_options(synchronize_session=False)
    )
    rows = (await session.exec(statement)).scalars().all()
    return sorted(rows, key=lambda row: row.id or 0)


async def _while_claimed(
    session: AsyncSession, row_id: int, worker: str, current: str, **values: Any
) -> bool:
    result = await session.exec(
        update(InboxItem)
        .where(
            and_(
                col(InboxItem.id) == row_id,
                col(InboxItem.claimed_by) == worker,
                col(InboxItem.status) == current,
            )
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def mark_handled(
    session: AsyncSession,
    row_id: int,
    worker: str,
    *,
    result: list[dict[str, Any]],
    refused: bool,
    now: datetime,
) -> bool:
    """The work is done: run in the handler's own transaction, so the work and this mark commit
    together or not at all. False when another worker took the row over (then roll back)."""
    return await _while_claimed(
        session,
        row_id,
        worker,
        "pending",
        status="handled",
        result=result,
        refused=refused,
        handled_at=now,
    )


async def mark_done(session: AsyncSession, row_id: int, worker: str, now: datetime) -> bool:
    """The person has their answer."""
    return await _while_claimed(
        session, row_id, worker, "handled", status="done", done_at=now, claimed_until=None
    )


async def mark_done_many(
    session: AsyncSession, row_ids: list[int], worker: str, now: datetime
) -> set[int]:
    """`mark_done` for answers given together, in one UPDATE: the ids it marked."""
    result = await session.exec(
        update(InboxItem)
        .where(
            col(InboxItem.id).in_(row_ids),
            col(InboxItem.claimed_by) == worker,
            col(InboxItem.status) == "handled",
        )
        .values(status="done", done_at=now, claimed_until=None)
        .returning(col(InboxItem.id))
        .execution_options(synchronize_session=False)
    )
    return {int(row_id) for row_id in result.scalars()}


async def renew(session: AsyncSession, row_ids: list[int], worker: str, until: datetime) -> int:
    """Extend the claims `worker` still holds on rows it is working on."""
    if not row_ids:
        return 0
    result = await session.exec(
        update(InboxItem)
        .where(
            col(InboxItem.id).in_(row_ids),
            col(InboxItem.claimed_by) == worker,
            col(InboxItem.status).in_(UNFINISHED),
        )
        .values(claimed_until=until)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


async def release(
    session: AsyncSession, row_id: int, worker: str, *, retry_at: datetime, error: str
) -> bool:
    """Give a row back after a failure; any worker may take it again from `retry_at`."""
    result = await session.exec(
        update(InboxItem)
        .where(col(InboxItem.id) == row_id, col(InboxItem.claimed_by) == worker)
        .values(claimed_until=retry_at, error=error[:500])
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def mark_failed(session: AsyncSession, row_id: int, worker: str, error: str) -> bool:
    result = await session.exec(
        update(InboxItem)
        .where(col(InboxItem.id) == row_id, col(InboxItem.claimed_by) == worker)
        .values(status="failed", claimed_until=None, error=error[:500])
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def forget_done_before(session: AsyncSession, cutoff: datetime) -> int:
    """Drop answered rows older than `cutoff`: their keys only guard against late retries."""
    result = await session.exec(
        delete(InboxItem).where(col(InboxItem.status) == "done", col(InboxItem.done_at) < cutoff)
    )
    return int(result.rowcount or 0)


async def erase_sent_by(session: AsyncSession, platform: str, sender: str) -> int:
    """Blank what a person sent and got back (`forget`), in rows that are finished. The row
    stays, keyless of content, so a late retry of it still does nothing; retention deletes it.
    Unfinished rows are left alone: one is the `forget` request being processed right now."""
    result = await session.exec(
        update(InboxItem)
        .where(
            col(InboxItem.platform) == platform,
            col(InboxItem.sender) == sender,
            col(InboxItem.status).in_(("done", "failed")),
        )
        .values(request={}, result=None, reply_to=None, sender=None, error=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


async def list_items(session: AsyncSession, *, status: str | None = None) -> list[InboxItem]:
    query = select(InboxItem)
    if status is not None:
        query = query.where(InboxItem.status == status)
    result = await session.exec(query.order_by(col(InboxItem.id)))
    return list(result.all())
