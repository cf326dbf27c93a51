"""The deployment's stored keys: created once, whichever replica gets there first."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sql import insert_ignore
from storage.tables.keys import DeploymentKey


async def stored_key(session: AsyncSession, name: str, candidate: bytes, now: datetime) -> bytes:
    """The key stored under `name`, storing `candidate` first when there is none.

    Insert-if-absent then read: replicas starting together each offer their own candidate, the
    database keeps exactly one and everybody reads that one back.
    """
    await insert_ignore(
        session,
        DeploymentKey.__table__,  # type: ignore[attr-defined]  # SQLModel declares no __table__
        {"name": name, "value": candidate.hex(), "created_at": now},
        ["name"],
    )
    result = await session.exec(select(DeploymentKey.value).where(DeploymentKey.name == name))
    return bytes.fromhex(result.one())
