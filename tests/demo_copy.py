"""`copbot demo`'s sample, seeded once per test run and copied into each test that wants it.

Seeding the demo (a year of history for figures and digests) costs seconds of CPU; copying the
rows a seeding left costs a few milliseconds. `seed_demo(services)` gives the test's database
exactly the rows `bot.demo.seed(services)` would have written: the template is seeded by
`bot.demo.seed` itself, with a copy of the test's settings, its capabilities' seeders and a
clock at the test's own `now` (a test that seeds at another moment gets a template of its own).
Tests of seeding itself call `bot.demo.seed`.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from datetime import datetime
from pathlib import Path

from sqlalchemy import Integer, Table, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlmodel import SQLModel

from bot import demo
from bot.app import Core, build_registry
from bot.clock import FrozenClock
from bot.context import Services
from bot.ports import PortRegistry
from storage import communities
from storage.db import Database
from tests.helpers import FakePort

# (dialect, now, settings) -> a seeded SQLite file, or the PostgreSQL schema seeded.
_TEMPLATES: dict[tuple[str, datetime, str], str] = {}
_SQLITE_DIR: list[Path] = []
_ATTACHED = "demo_template"


async def seed_demo(services: Services) -> bool:
    """What `bot.demo.seed(services)` does, from a template: True when the sample was copied
    in, False when the database already had it."""
    if [s for _, s in services.registry.demo_seeders] != _DEFAULT_SEEDERS:
        return await demo.seed(services)  # a test's own seeders: no template for those
    async with services.db.session() as session:
        if await communities.find_community(session, demo.COMMUNITIES[0]["slug"]):
            return False
    template = await _template(services)
    async with services.db.engine.connect() as conn:
        if services.db.is_sqlite:
            await _copy_from_sqlite(conn, template)
        else:
            await _copy_from_schema(conn, template)
    await services.load_keys()  # as `seed` does: the copied deployment key, when it made one
    return True


_DEFAULT_SEEDERS = [s for _, s in build_registry().demo_seeders]


def _tables() -> list[Table]:
    return list(SQLModel.metadata.sorted_tables)


async def _template(services: Services) -> str:
    settings = services.settings
    now = services.clock.now()
    key = (
        services.db.dialect,
        now,
        settings.model_dump_json() + repr(settings.__pydantic_private__),
    )
    if key not in _TEMPLATES:
        if services.db.is_sqlite:
            if not _SQLITE_DIR:
                _SQLITE_DIR.append(Path(tempfile.mkdtemp(prefix="copbot-demo-")))
            where = str(_SQLITE_DIR[0] / f"demo-{len(_TEMPLATES)}.db")
            db = Database(f"sqlite+aiosqlite:///{where}")
        else:
            where = f"demo_{uuid.uuid4().hex[:16]}"
            admin = create_async_engine(services.db.url)
            async with admin.begin() as conn:
                await conn.execute(text(f'CREATE SCHEMA "{where}"'))
            await admin.dispose()
            db = Database(services.db.url, schema=where)
        await db.create_all()
        ports = PortRegistry()
        ports.register(FakePort())
        core = Core(
            settings.model_copy(),
            clock=FrozenClock(now),
            ports=ports,
            db=db,
            registry=build_registry(),
        )
        assert await demo.seed(core.services)
        await core.settle()
        await db.dispose()  # on SQLite this also folds the write-ahead log into the file
        _TEMPLATES[key] = where
    return _TEMPLATES[key]


def _columns(table: Table) -> str:
    return ", ".join(f'"{column.name}"' for column in table.columns)


async def _copy_from_sqlite(conn: AsyncConnection, path: str) -> None:
    # ATTACH and DETACH must run outside a transaction: the driver begins one at the first
    # INSERT, and the commit ends it.
    await conn.exec_driver_sql(f"ATTACH DATABASE ? AS {_ATTACHED}", (path,))
    try:
        for table in _tables():
            columns = _columns(table)
            await conn.exec_driver_sql(
                f'INSERT INTO main."{table.name}" ({columns}) '
                f'SELECT {columns} FROM {_ATTACHED}."{table.name}"'
            )
        await conn.commit()
    finally:
        await conn.rollback()
        await conn.exec_driver_sql(f"DETACH DATABASE {_ATTACHED}")


async def _copy_from_schema(conn: AsyncConnection, schema: str) -> None:
    # The test's connection has its own schema first on its search path.
    for table in _tables():
        columns = _columns(table)
        source = f'"{schema}"."{table.name}"'
        await conn.execute(
            text(f'INSERT INTO "{table.name}" ({columns}) SELECT {columns} FROM {source}')
        )
    # Rows came with their ids: each id sequence goes on after the highest copied id.
    for table in _tables():
        [*key] = table.primary_key.columns
        if len(key) != 1 or not isinstance(key[0].type, Integer):
            continue
        name = key[0].name
        await conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '{name}'), "
                f'COALESCE(MAX("{name}"), 0) + 1, false) FROM "{table.name}"'
            )
        )
    await conn.commit()


async def drop_templates(url: str | None) -> None:
    """Remove every template of this run (the conftest calls this at the end)."""
    for (dialect, _now, _settings), where in list(_TEMPLATES.items()):
        if dialect == "postgresql" and url:
            admin = create_async_engine(url)
            async with admin.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA "{where}" CASCADE'))
            await admin.dispose()
    _TEMPLATES.clear()
    for directory in _SQLITE_DIR:
        shutil.rmtree(directory, ignore_errors=True)
    _SQLITE_DIR.clear()
