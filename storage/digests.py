"""Queries of the digests: cadences and the per-period claim."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sql import insert_ignore
from storage.tables.digests import DigestCadence, DigestRun

DEFAULT_CADENCE = "quarterly"


async def cadence_of(session: AsyncSession, community_id: int) -> str:
    found = await session.get(DigestCadence, community_id)
    return found.cadence if found is not None else DEFAULT_CADENCE


async def cadences(session: AsyncSession) -> dict[int, str]:
    """Every community's cadence that differs from the default."""
    rows = (await session.exec(select(DigestCadence))).all()
    return {r.community_id: r.cadence for r in rows}


async def set_cadence(
    session: AsyncSession, community_id: int, cadence: str, now: datetime
) -> None:
    found = await session.get(DigestCadence, community_id)
    if found is None:
        found = DigestCadence(community_id=community_id, cadence=cadence, updated_at=now)
    found.cadence, found.updated_at = cadence, now
    session.add(found)
    await session.flush()


async def claim_run(session: AsyncSession, key: str, now: datetime) -> bool:
    """True for the one caller (of any replica) that first claims `key`."""
    table = DigestRun.__table__  # type: ignore[attr-defined]  # SQLModel declares no __table__
    return await insert_ignore(session, table, {"key": key, "claimed_at": now}, ["key"])


async def sponsor_digest_times(
    session: AsyncSession, community_id: int, limit: int
) -> list[datetime]:
    """When the community's latest sponsor digests were built, newest first."""
    result = await session.exec(
        select(DigestRun.claimed_at)
        .where(col(DigestRun.key).startswith(f"sponsor:{community_id}:"))
        .order_by(col(DigestRun.claimed_at).desc())
        .limit(limit)
    )
    return list(result.all())
