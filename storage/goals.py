"""Charter goals with a target and a status (tables/goals.py)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables.goals import CharterGoal

STATUSES = ("on-track", "at-risk", "met")


async def goals_of(session: AsyncSession, community_id: int) -> list[CharterGoal]:
    """A community's charter goals in the order they were added, each with its target and
    status (None: not rated yet). The charter numbers them from 1; digests report them."""
    result = await session.exec(
        select(CharterGoal)
        .where(CharterGoal.community_id == community_id)
        .order_by(col(CharterGoal.id))
    )
    return list(result.all())


async def add_goal(
    session: AsyncSession,
    community_id: int,
    text: str,
    target: str,
    *,
    by: int | None,
    now: datetime,
    status: str | None = None,
) -> CharterGoal:
    goal = CharterGoal(
        community_id=community_id,
        text=text,
        target=target,
        status=status,
        created_by=by,
        created_at=now,
        status_at=now if status else None,
    )
    session.add(goal)
    await session.flush()
    return goal


async def save_goal(session: AsyncSession, goal: CharterGoal) -> None:
    session.add(goal)
    await session.flush()


async def remove_goal(session: AsyncSession, goal: CharterGoal) -> None:
    await session.delete(goal)
    await session.flush()
