"""Marks of recurring sweeps: how far each has gone, so the next run starts there."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sql import insert_ignore
from storage.tables.delivery import SweepMark

_TABLE = SweepMark.__table__  # type: ignore[attr-defined]  # SQLModel declares no __table__


async def done_until(session: AsyncSession, name: str) -> datetime | None:
    mark = await session.get(SweepMark, name)
    return mark.done_until if mark else None


async def advance(session: AsyncSession, name: str, until: datetime) -> None:
    # Insert-or-update without a read: two replicas sweeping at once both land on `until`.
    if await insert_ignore(session, _TABLE, {"name": name, "done_until": until}, ["name"]):
        return
    await session.exec(
        update(SweepMark)
        .where(col(SweepMark.name) == name)
        .values(done_until=until)
        .execution_options(synchronize_session=False)
    )
