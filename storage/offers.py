"""The last buttons and list offered to a person in a conversation (see tables/offers.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sql import dialect_name
from storage.tables.offers import LastOffer

MAX_CHOICES = 60


async def last_offer(
    session: AsyncSession, member_id: int, platform: str, conversation_id: str
) -> LastOffer | None:
    return await session.get(LastOffer, (member_id, platform, conversation_id))


async def remember(
    session: AsyncSession,
    member_id: int,
    platform: str,
    conversation_id: str,
    *,
    choices: Sequence[tuple[str, str | None, str | None]],
    list_command: str | None,
    now: datetime,
) -> None:
    """Store the latest answer's buttons; its list command too when it showed a page (else the
    list remembered before stays). One upsert, safe when two replicas answer at once."""
    module: Any = postgresql if dialect_name(session) == "postgresql" else sqlite
    table = LastOffer.__table__  # type: ignore[attr-defined]  # SQLModel declares no __table__
    values = {
        "member_id": member_id,
        "platform": platform,
        "conversation_id": conversation_id[:256],
        "choices": [list(c) for c in choices[:MAX_CHOICES]],
        "list_command": list_command[:2000] if list_command else None,
        "updated_at": now,
    }
    statement = module.insert(table).values(**values)
    changed = {"choices": statement.excluded.choices, "updated_at": statement.excluded.updated_at}
    if list_command:
        changed["list_command"] = statement.excluded.list_command
    await session.exec(
        statement.on_conflict_do_update(
            index_elements=["member_id", "platform", "conversation_id"], set_=changed
        )
    )
