"""A community's health per quarter from its stored checks: for `health` and the dashboard."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.health.core import QuarterHealth, combine
from storage import health


async def quarter_health(session: AsyncSession, community_id: int, quarter: str) -> QuarterHealth:
    """The quarter's figures from the leaders' answered checks, in the order they answered."""
    checks = await health.checks_for(session, community_id, quarter)
    answered = sorted(
        (c for c in checks if c.answers is not None and c.answered_at is not None),
        key=lambda c: c.answered_at,  # type: ignore[arg-type,return-value]  # None filtered out above
    )
    return combine(quarter, [c.answers or {} for c in answered])


async def recent_quarters(
    session: AsyncSession, community_id: int, count: int = 8
) -> list[QuarterHealth]:
    """The last `count` answered quarters, oldest first (a trend reads left to right)."""
    done = await health.answered_quarters(session, community_id)
    return [await quarter_health(session, community_id, q) for q in reversed(done[:count])]
