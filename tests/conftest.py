"""Fixtures: a fresh database per test, a frozen clock, a fake port and the real core.

Set COPBOT_TEST_DATABASE_URL (postgresql+asyncpg://…) to run the same tests on PostgreSQL;
the tests then share one schema whose tables are emptied before each test.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from bot.app import Core, build_registry
from bot.clock import FrozenClock
from bot.config import Settings
from bot.ports import PortRegistry
from bot.registry import Registry
from storage.db import Database
from tests.demo_copy import drop_templates
from tests.helpers import Chat, FakePort, hidden_test_verbs
from tests.loopback import guard

PG_URL = os.environ.get("COPBOT_TEST_DATABASE_URL")
# A Monday morning in early March 2026, before Europe's DST change.
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session", autouse=True)
def _loopback_only() -> Iterator[str]:
    """Tests send traffic to loopback only, in this process and in every Python child it starts.

    The guard (tests/loopback/guard.py) refuses any other host; child processes inherit it
    through PYTHONPATH (tests/loopback/sitecustomize.py) and report to the same log file.
    """
    folder = Path(__file__).parent / "loopback"
    saved = {name: os.environ.get(name) for name in ("PYTHONPATH", guard.LOG_VARIABLE)}
    with tempfile.TemporaryDirectory(prefix="copbot-outside-") as scratch:
        log = os.path.join(scratch, "attempts.log")
        os.environ[guard.LOG_VARIABLE] = log
        os.environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(folder), saved["PYTHONPATH"]) if p
        )
        guard.install()
        try:
            yield log
        finally:
            guard.uninstall()
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


@pytest.fixture(autouse=True)
def _no_outside_traffic(_loopback_only: str) -> Iterator[None]:
    """Fail the test (with the host named) that tried to reach anything but loopback."""
    Path(_loopback_only).unlink(missing_ok=True)
    yield
    tried = guard.attempts(_loopback_only)
    Path(_loopback_only).unlink(missing_ok=True)
    if tried:
        pytest.fail("tried to reach beyond loopback:\n" + "\n".join(tried), pytrace=False)


@pytest.fixture(autouse=True)
def _no_real_credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test may ever read a developer's real tokens (Bolt reads SLACK_* by itself)."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "MICROSOFT_", "COPBOT_")) and name not in (
            "COPBOT_TEST_DATABASE_URL",
            guard.LOG_VARIABLE,
        ):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    # Tests of other things send at whatever hour their clock says; the tests of working
    # hours (tests/core/test_availability.py) set the hours they are about.
    monkeypatch.setenv("COPBOT_WORK_HOURS", "off")
    yield


async def make_database(tmp_path: object) -> tuple[Database, str | None]:
    if PG_URL:
        schema = f"t_{uuid.uuid4().hex[:16]}"
        admin = create_async_engine(PG_URL)
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await admin.dispose()
        return Database(PG_URL, schema=schema), schema
    return Database(f"sqlite+aiosqlite:///{tmp_path}/copbot-test.db"), None


async def drop_schema(schema: str | None) -> None:
    if schema and PG_URL:
        admin = create_async_engine(PG_URL)
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


# On PostgreSQL the tables are created once per run in one schema and emptied before each test:
# creating ~35 tables per test cost about a second each, most of the suite's time.
_SHARED_SCHEMA: list[str] = []


async def _emptied_shared_database() -> Database:
    assert PG_URL
    if not _SHARED_SCHEMA:
        db, schema = await make_database(None)
        await db.create_all()
        await db.dispose()
        _SHARED_SCHEMA.append(schema or "")
    db = Database(PG_URL, schema=_SHARED_SCHEMA[0])
    async with db.engine.connect() as conn:
        if not _EMPTYING:
            sequences = await conn.execute(
                text("SELECT sequencename FROM pg_sequences WHERE schemaname = :s"),
                {"s": _SHARED_SCHEMA[0]},
            )
            _EMPTYING.append(_emptying_sql([name for (name,) in sequences.all()]))
            await conn.rollback()
        # One round trip: asyncpg runs a script of statements in one message.
        raw = await conn.get_raw_connection()
        await raw.driver_connection.execute(_EMPTYING[0])  # type: ignore[union-attr]
    return db


_EMPTYING: list[str] = []


def _emptying_sql(sequences: list[str]) -> str:
    return "".join(
        [
            "BEGIN;",
            # A test that left a connection open would block this: fail loudly, not hang.
            "SET LOCAL lock_timeout = '20s';",
            # DELETE beats TRUNCATE on tables this small (TRUNCATE rewrites every file).
            *(f'DELETE FROM "{t.name}";' for t in reversed(SQLModel.metadata.sorted_tables)),
            *(f'ALTER SEQUENCE "{name}" RESTART;' for name in sequences),
            "COMMIT;",
        ]
    )


@pytest.fixture(scope="session", autouse=True)
def _drop_shared_schema() -> Iterator[None]:
    yield
    if _SHARED_SCHEMA:
        asyncio.run(drop_schema(_SHARED_SCHEMA[0]))
    asyncio.run(drop_templates(PG_URL))
    for template in _SQLITE_SCHEMA:
        shutil.rmtree(template.parent, ignore_errors=True)


# On SQLite the tables are created once per run in a file that each test copies: creating
# them costs about a tenth of a second of CPU, a file copy next to nothing.
_SQLITE_SCHEMA: list[Path] = []


async def _fresh_sqlite_database(tmp_path: Path) -> Database:
    if not _SQLITE_SCHEMA:
        template = Path(tempfile.mkdtemp(prefix="copbot-schema-")) / "copbot-test.db"
        db = Database(f"sqlite+aiosqlite:///{template}")
        await db.create_all()
        await db.dispose()  # folds the write-ahead log into the file
        _SQLITE_SCHEMA.append(template)
    shutil.copyfile(_SQLITE_SCHEMA[0], tmp_path / "copbot-test.db")
    db, _ = await make_database(tmp_path)
    return db


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    if PG_URL:
        db = await _emptied_shared_database()
        yield db
        await db.dispose()
        return
    db = await _fresh_sqlite_database(tmp_path)
    yield db
    await db.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings() -> Settings:
    return Settings(DATABASE_URL="sqlite+aiosqlite:///unused.db", COPBOT_ADMINS="root")


@pytest.fixture
def port() -> FakePort:
    return FakePort()


@pytest.fixture
def errors(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Warnings and errors logged during the test (`tests.helpers.tracebacks` reads them)."""
    caplog.set_level(logging.WARNING)
    yield caplog


@pytest.fixture
def registry() -> Registry:
    """This test's own registry of every capability; a test may add verbs or jobs to it."""
    return build_registry()


@pytest.fixture
def test_verbs(registry: Registry) -> None:
    """Two hidden verbs for adapter behaviour no shipped verb shows yet, in this test only."""
    registry.commands.update(hidden_test_verbs())


@pytest.fixture
def core(
    database: Database, clock: FrozenClock, port: FakePort, settings: Settings, registry: Registry
) -> Core:
    ports = PortRegistry()
    ports.register(port)
    return Core(settings, clock=clock, ports=ports, db=database, registry=registry)


@pytest.fixture
def chat(core: Core) -> Chat:
    return Chat(core)


@pytest.fixture
async def community(chat: Chat) -> str:
    """`data-eng`, led by `lead`, with members `ada` and `bo`; returns its slug."""
    await chat("community new data-eng Data Engineering", as_="lead")
    await chat("join data-eng", as_="ada")
    await chat("join data-eng", as_="bo")
    return "data-eng"
