"""Every stored row, to compare before and after a request that must change nothing."""

from __future__ import annotations

from typing import Any

from sqlmodel import SQLModel

from storage.db import Database


async def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    tables: dict[str, list[tuple[Any, ...]]] = {}
    async with db.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            rows = (await conn.execute(table.select())).all()
            tables[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return tables


def changed(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> list[str]:
    """Names of the tables whose rows differ."""
    return [name for name in before if before[name] != after.get(name)]
