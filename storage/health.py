"""Queries for quarterly leader health checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sql import insert_ignore
from storage.tables import Community
from storage.tables.health import HealthCheck, HealthRound


async def communities_due(session: AsyncSession, now: datetime) -> list[Community]:
    """Active communities the prompt job has to look at now (an index range, not all)."""
    result = await session.exec(
        select(Community)
        .where(
            col(Community.archived_at).is_(None),
            or_(col(Community.health_due_at).is_(None), col(Community.health_due_at) <= now),
        )
        .order_by(col(Community.id))
    )
    return list(result.all())


async def set_due(session: AsyncSession, community_id: int, at: datetime) -> None:
    await session.exec(
        update(Community)
        .where(col(Community.id) == community_id)
        .values(health_due_at=at)
        .execution_options(synchronize_session=False)
    )


def look_again(community: Community) -> None:
    """The round's timing changed (schedule, timezone): the next heartbeat works it out."""
    community.health_due_at = None


async def set_schedule(session: AsyncSession, community: Community, day: int, hour: int) -> None:
    community.health_check_day = day
    community.health_check_hour = hour
    look_again(community)
    session.add(community)
    await session.flush()


async def open_round(
    session: AsyncSession, community_id: int, quarter: str, starts_at: datetime
) -> bool:
    return await insert_ignore(
        session,
        HealthRound.__table__,  # type: ignore[attr-defined]  # SQLModel declares no __table__
        {
            "community_id": community_id,
            "quarter": quarter,
            "starts_at": starts_at,
            "escalated": False,
        },
        ["community_id", "quarter"],
    )


async def round_exists(session: AsyncSession, community_id: int, quarter: str) -> bool:
    result = await session.exec(
        select(HealthRound.id).where(
            HealthRound.community_id == community_id, HealthRound.quarter == quarter
        )
    )
    return result.first() is not None


async def add_check(
    session: AsyncSession, community_id: int, quarter: str, leader_id: int, now: datetime
) -> bool:
    """Create the (community, quarter, leader) prompt row; False when it exists already."""
    return await insert_ignore(
        session,
        HealthCheck.__table__,  # type: ignore[attr-defined]  # SQLModel declares no __table__
        {
            "community_id": community_id,
            "quarter": quarter,
            "leader_id": leader_id,
            "prompted_at": now,
            "reminded": False,
        },
        ["community_id", "quarter", "leader_id"],
    )


async def find_check(
    session: AsyncSession, community_id: int, quarter: str, leader_id: int
) -> HealthCheck | None:
    result = await session.exec(
        select(HealthCheck).where(
            HealthCheck.community_id == community_id,
            HealthCheck.quarter == quarter,
            HealthCheck.leader_id == leader_id,
        )
    )
    return result.first()


async def get_check(session: AsyncSession, check_id: int) -> HealthCheck | None:
    return await session.get(HealthCheck, check_id)


async def save_answers(
    session: AsyncSession, check: HealthCheck, answers: dict[str, Any], now: datetime
) -> None:
    check.answers = answers
    check.answered_at = now
    session.add(check)
    await session.flush()


async def to_remind(session: AsyncSession, prompted_before: datetime) -> list[HealthCheck]:
    result = await session.exec(
        select(HealthCheck)
        .where(
            col(HealthCheck.answered_at).is_(None),
            col(HealthCheck.reminded).is_(False),
            col(HealthCheck.prompted_at) <= prompted_before,
        )
        .order_by(col(HealthCheck.id))
    )
    return list(result.all())


async def claim_reminder(session: AsyncSession, check_id: int) -> bool:
    result = await session.exec(
        update(HealthCheck)
        .where(
            col(HealthCheck.id) == check_id,
            col(HealthCheck.reminded).is_(False),
            col(HealthCheck.answered_at).is_(None),
        )
        .values(reminded=True)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def rounds_to_escalate(session: AsyncSession, started_before: datetime) -> list[HealthRound]:
    result = await session.exec(
        select(HealthRound)
        .where(col(HealthRound.escalated).is_(False), col(HealthRound.starts_at) <= started_before)
        .order_by(col(HealthRound.id))
    )
    return list(result.all())


async def claim_escalation(session: AsyncSession, round_id: int) -> bool:
    result = await session.exec(
        update(HealthRound)
        .where(col(HealthRound.id) == round_id, col(HealthRound.escalated).is_(False))
        .values(escalated=True)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def checks_for(session: AsyncSession, community_id: int, quarter: str) -> list[HealthCheck]:
    result = await session.exec(
        select(HealthCheck)
        .where(HealthCheck.community_id == community_id, HealthCheck.quarter == quarter)
        .order_by(col(HealthCheck.id))
    )
    return list(result.all())


async def answered_quarters(session: AsyncSession, community_id: int) -> list[str]:
    """Quarters with at least one answered check, newest first."""
    result = await session.exec(
        select(HealthCheck.quarter)
        .where(HealthCheck.community_id == community_id, col(HealthCheck.answered_at).is_not(None))
        .distinct()
    )
    return sorted(set(result.all()), reverse=True)


async def claim_escalation_for(session: AsyncSession, community_id: int, quarter: str) -> bool:
    """Mark a round as past escalation (demo data, rounds answered in time)."""
    result = await session.exec(
        update(HealthRound)
        .where(
            col(HealthRound.community_id) == community_id,
            col(HealthRound.quarter) == quarter,
            col(HealthRound.escalated).is_(False),
        )
        .values(escalated=True)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)
