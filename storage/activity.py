"""The activity log: who did what in which community, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import ActivityEvent


async def record(
    session: AsyncSession,
    *,
    community_id: int,
    member_id: int,
    kind: str,
    contribution: bool,
    now: datetime,
    ref: str | None = None,
) -> None:
    session.add(
        ActivityEvent(
            community_id=community_id,
            member_id=member_id,
            kind=kind,
            contribution=contribution,
            ref=ref,
            occurred_at=now,
        )
    )
    await session.flush()


async def active_members(
    session: AsyncSession, community_id: int, since: datetime, until: datetime
) -> int:
    """Distinct members with at least one action in [since, until)."""
    result = await session.exec(
        select(func.count(func.distinct(ActivityEvent.member_id))).where(
            ActivityEvent.community_id == community_id,
            col(ActivityEvent.occurred_at) >= since,
            col(ActivityEvent.occurred_at) < until,
        )
    )
    return int(result.one())
