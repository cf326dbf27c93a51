"""Texts of the whole programme that coordinators edit (the leaders' handbook)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables.core import ProgrammeText


async def get_text(session: AsyncSession, name: str) -> ProgrammeText | None:
    return await session.get(ProgrammeText, name)


async def set_text(
    session: AsyncSession, name: str, body: str, *, member_id: int, now: datetime
) -> None:
    found = await session.get(ProgrammeText, name)
    if found is None:
        found = ProgrammeText(name=name, body=body, updated_by=member_id, updated_at=now)
    else:
        found.body, found.updated_by, found.updated_at = body, member_id, now
    session.add(found)
