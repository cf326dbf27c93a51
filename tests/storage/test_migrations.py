"""Migrations bring an empty database to exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from storage.db import Database, alembic_config

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("COPBOT_TEST_DATABASE_URL")
SEARCH_OBJECTS = {
    "search_vector",
    "search_config",
    "search_head",
    "ix_lesson_search_vector",
    "ix_lesson_search_head",
}


def schema_differences(connection: Any) -> list[Any]:
    """What autogenerate would still change: empty when migrations match the models."""
    known = set(SQLModel.metadata.tables)

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        # Full-text search lives outside the models (storage.search.install_search): FTS5
        # tables on SQLite; on PostgreSQL the configuration column, the generated vector
        # column and its GIN index.
        if type_ == "table" and reflected and name not in known:
            return False
        return not (reflected and name in SEARCH_OBJECTS)

    context = MigrationContext.configure(connection, opts={"include_object": include})
    return compare_metadata(context, SQLModel.metadata)


async def check_upgrade(db: Database) -> None:
    await db.upgrade()
    await db.upgrade()  # a second run is a no-op
    async with db.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert set(SQLModel.metadata.tables) <= tables
        assert "alembic_version" in tables
        assert await conn.run_sync(schema_differences) == []


async def test_sqlite_empty_database_upgrades_to_the_models(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/fresh.db")
    try:
        await check_upgrade(db)
        async with db.engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    finally:
        await db.dispose()


@pytest.mark.skipif(not PG_URL, reason="set COPBOT_TEST_DATABASE_URL to test PostgreSQL")
async def test_postgresql_empty_database_upgrades_even_with_replicas_racing() -> None:
    assert PG_URL
    schema = f"m_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(PG_URL)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    replicas = [Database(PG_URL, schema=schema) for _ in range(3)]
    try:
        # Three replicas starting at once: the advisory lock lets one migrate at a time.
        await asyncio.gather(*(db.upgrade() for db in replicas))
        await check_upgrade(replicas[0])
    finally:
        for db in replicas:
            await db.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


def test_the_head_read_from_the_scripts_is_alembics() -> None:
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config, head_revision

    assert [head_revision()] == ScriptDirectory.from_config(alembic_config()).get_heads()


AT_START = """
import asyncio, json, sys
from storage.db import Database

async def main() -> None:
    db = Database(sys.argv[1])
    await db.upgrade()
    await db.dispose()

asyncio.run(main())
print(json.dumps("alembic" in sys.modules))
"""


def test_a_start_at_the_head_does_not_load_alembic(tmp_path: Path) -> None:
    """`copbot serve` upgrades at every start: when nothing is to migrate, Alembic stays out."""
    url = f"sqlite+aiosqlite:///{tmp_path}/head.db"

    def start() -> bool:
        result = subprocess.run(
            [sys.executable, "-c", AT_START, url], capture_output=True, text=True, cwd=ROOT,
            timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return bool(json.loads(result.stdout.strip().splitlines()[-1]))

    assert start() is True  # a new database: migrated by Alembic
    assert start() is False  # at the head: one query


async def test_a_database_behind_the_head_is_still_migrated(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/behind.db")
    try:
        assert await db.at_head() is False
        await db.upgrade()
        assert await db.at_head() is True
        async with db.engine.begin() as conn:  # back to 0017 through the real downgrades
            await conn.run_sync(lambda c: command.downgrade(alembic_config(c), "0017"))
        assert await db.at_head() is False
        await check_upgrade(db)
    finally:
        await db.dispose()
