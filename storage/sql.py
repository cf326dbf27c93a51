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


async def insert_ignore_many(
    session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]], conflict: Sequence[str]
) -> None:
    """INSERT … ON CONFLICT DO NOTHING for many rows with the same keys, as one executemany:
    compiled once and sent in batches by the driver (SQLAlchemy's "insertmanyvalues")."""
    if not rows:
        return
    module = postgresql if dialect_name(session) == "postgresql" else sqlite
    statement = module.insert(table).on_conflict_do_nothing(index_elements=list(conflict))
    await session.exec(statement, params=list(rows))


def like_escape(text: str) -> str:
    """Escape LIKE wildcards in user text (use with escape='\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
