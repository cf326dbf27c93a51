"""Fan-outs awaiting their completion notice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables.delivery import Fanout


async def create(session: AsyncSession, fanout: Fanout) -> Fanout:
    session.add(fanout)
    await session.flush()
    return fanout


async def unfinished(session: AsyncSession, *, limit: int = 100) -> list[Fanout]:
    """Fan-outs whose launcher has not been told yet (served by the partial index)."""
    result = await session.exec(
        select(Fanout)
        .where(col(Fanout.notified_at).is_(None))
        .order_by(col(Fanout.id))
        .limit(limit)
    )
    return list(result.all())


async def claim_notice(session: AsyncSession, fanout_id: int, now: datetime) -> bool:
    """Mark the notice as sent; False when another replica did first."""
    result = await session.exec(
        update(Fanout)
        .where(col(Fanout.id) == fanout_id, col(Fanout.notified_at).is_(None))
        .values(notified_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)
