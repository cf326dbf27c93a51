"""Small dialect-aware building blocks used by the other storage modules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession


def dialect_name(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def insert_ignore(
    session: AsyncSession, table: Table, values: dict[str, Any], conflict: Sequence[str]
) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when a row was inserted."""
    module = postgresql if dialect_name(session) == "postgresql" else sqlite
    statement = (
        module.insert(table).values(**values).on_conflict_do_nothing(index_elements=list(conflict))
    )
    result = await session.exec(statement)
    return bool(result.rowcount)


def like_escape(text: str) -> str:
    """Escape LIKE wildcards in user text (use with escape='\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
