"""Send budgets in the database, so every replica draws on the same one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sql import insert_ignore
from storage.tables.pacing import SendBucket

_TABLE = SendBucket.__table__  # type: ignore[attr-defined]  # SQLModel declares no __table__


async def reserve_slots(
    session: AsyncSession, key: str, *, now: float, interval: float, count: int
) -> float:
    """Reserve `count` sends `interval` seconds apart; returns the wall time of the first.

    One conditional UPDATE moves the bucket's next free slot, so replicas reserving at the same
    moment get consecutive, never overlapping, slots. An idle bucket starts from `now` (no
    saved-up burst: platforms punish bursts, an even pace costs nothing).
    """
    await insert_ignore(session, _TABLE, {"key": key, "next_slot": 0.0}, ["key"])
    start = case((col(SendBucket.next_slot) < now, now), else_=col(SendBucket.next_slot))
    result = await session.exec(
        update(SendBucket)
        .where(col(SendBucket.key) == key)
        .values(next_slot=start + interval * count)
        .returning(col(SendBucket.next_slot))
        .execution_options(synchronize_session=False)
    )
    end = float(result.scalar_one())
    return end - interval * count


async def pause(session: AsyncSession, key: str, until: datetime) -> None:
    """Nothing of this bucket is claimed before `until` (a platform's Retry-After)."""
    await insert_ignore(session, _TABLE, {"key": key, "next_slot": 0.0}, ["key"])
    await session.exec(
        update(SendBucket)
        .where(
            col(SendBucket.key) == key,
            (col(SendBucket.paused_until).is_(None)) | (col(SendBucket.paused_until) < until),
        )
        .values(paused_until=until)
        .execution_options(synchronize_session=False)
    )


async def paused_until(session: AsyncSession, key: str) -> datetime | None:
    result = await session.exec(select(SendBucket.paused_until).where(SendBucket.key == key))
    return result.first()
