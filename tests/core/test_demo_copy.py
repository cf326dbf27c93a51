"""The tests' copied demo (tests/demo_copy.py) is exactly what seeding the demo writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import SQLModel

from bot import demo
from bot.app import Core
from bot.clock import FrozenClock
from bot.config import Settings
from bot.keys import SIGNING
from bot.ports import PortRegistry
from storage import keys
from storage.db import Database
from tests.conftest import drop_schema, make_database
from tests.demo_copy import seed_demo
from tests.helpers import FakePort


async def rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    found = {}
    async with db.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            result = await conn.execute(select(table).order_by(*table.primary_key.columns))
            found[table.name] = [tuple(row) for row in result.all()]
    return found


async def test_the_copied_demo_has_the_rows_seeding_writes(
    core: Core, clock: FrozenClock, tmp_path: Path
) -> None:
    assert await seed_demo(core.services)
    assert not await seed_demo(core.services)  # already there, as `seed` says
    (tmp_path / "seeded").mkdir()
    db, schema = await make_database(tmp_path / "seeded")
    try:
        await db.create_all()
        ports = PortRegistry()
        ports.register(FakePort())
        settings = Settings(DATABASE_URL="sqlite+aiosqlite:///unused.db", COPBOT_ADMINS="root")
        seeded = Core(settings, clock=FrozenClock(clock.now()), ports=ports, db=db)
        # The deployment key is random: this seeding finds the copy's, as `seed` keeps the one
        # stored (anonymous survey answers are keyed with it).
        async with db.session() as session:
            await keys.stored_key(session, SIGNING, core.services.settings.signing_key, clock.now())
        assert await demo.seed(seeded.services)
        await seeded.settle()
        copied, direct = await rows(core.services.db), await rows(db)
    finally:
        await db.dispose()
        await drop_schema(schema)
    assert sum(map(len, direct.values())) > 1000  # the year of history is there
    assert [name for name in direct if copied[name] != direct[name]] == []
