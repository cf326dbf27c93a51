"""Raising and reading nudge signals."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sql import insert_ignore
from storage.tables.nudges import NudgeSignal


async def raise_signal(
    session: AsyncSession,
    *,
    key: str,
    community_id: int,
    rule: str,
    now: datetime,
    detail: str = "",
    member_id: int | None = None,
    ref: str | None = None,
) -> bool:
    """Record a signal once per key; False when it was raised before."""
    return await insert_ignore(
        session,
        NudgeSignal.__table__,  # type: ignore[attr-defined]  # SQLModel declares no __table__
        {
            "key": key[:200],
            "community_id": community_id,
            "rule": rule,
            "detail": detail[:500],
            "member_id": member_id,
            "ref": ref,
            "status": "open",
            "raised_at": now,
        },
        ["key"],
    )


async def open_signals(session: AsyncSession, community_id: int) -> list[NudgeSignal]:
    result = await session.exec(
        select(NudgeSignal)
        .where(NudgeSignal.community_id == community_id, NudgeSignal.status == "open")
        .order_by(col(NudgeSignal.raised_at))
    )
    return list(result.all())
