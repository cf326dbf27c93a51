"""PostgreSQL connections are pinged only after sitting idle in the pool (storage.db.Database):
a connection the server dropped meanwhile is replaced before use, and one reused at once costs
no ping. Needs COPBOT_TEST_DATABASE_URL."""

from __future__ import annotations

import asyncio
import os

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage.db import Database

PG_URL = os.environ.get("COPBOT_TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not PG_URL, reason="set COPBOT_TEST_DATABASE_URL")


async def backend_pid(db: Database) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def terminate(pid: int) -> None:
    """End a server process as a restart or a proxy timeout would, and wait until it is gone."""
    assert PG_URL is not None
    admin = Database(PG_URL)
    try:
        async with admin.engine.connect() as conn:
            # With a timeout the call waits until the backend has exited (PostgreSQL 14+).
            await conn.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
            for _ in range(200):
                # pg_stat_activity is read once per transaction and then kept: without
                # clearing that snapshot every look would see the first one again.
                await conn.execute(text("SELECT pg_stat_clear_snapshot()"))
                gone = await conn.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
                )
                if gone.scalar_one() == 0:
                    return
                await asyncio.sleep(0.05)
        raise AssertionError(f"backend {pid} still there")
    finally:
        await admin.dispose()


async def test_a_connection_dropped_while_idle_is_replaced_before_use() -> None:
    assert PG_URL is not None
    db = Database(PG_URL, ping_after_idle=0.0)  # every reuse counts as after a long idle
    try:
        first = await backend_pid(db)
        await terminate(first)
        assert await backend_pid(db) != first  # no error: the ping found it dead
    finally:
        await db.dispose()


async def test_a_connection_reused_at_once_is_not_pinged() -> None:
    assert PG_URL is not None
    db = Database(PG_URL, ping_after_idle=3600.0)
    try:
        first = await backend_pid(db)
        await terminate(first)
        # Not pinged (that round trip is what reuse within the idle time saves), so the dead
        # connection shows, once; the pool then replaces it.
        with pytest.raises(DBAPIError):
            await backend_pid(db)
        assert await backend_pid(db) != first
    finally:
        await db.dispose()
