"""The database: engine, sessions, schema creation and migrations."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import ORMExecuteState, UOWTransaction, configure_mappers
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.elements import TextClause
from sqlmodel import Session, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

import storage.tables  # noqa: F401  (registers every table on the metadata)

if TYPE_CHECKING:
    from alembic.config import Config

_LOGGER = logging.getLogger(__name__)
_MIGRATIONS = Path(__file__).parent / "migrations"
# Any fixed number works; all replicas must agree on it.
_MIGRATION_LOCK_ID = 734_190_221
# A pooled PostgreSQL connection idle for longer is pinged before use (see `Database`).
PING_AFTER_IDLE_SECONDS = 10.0
_IDLE_SINCE = "copbot_idle_since"
# `Database.watch` callbacks: (table name, the changed ORM row, or None when a statement
# changed rows of that table and which ones is not known).
ChangeCallback = Callable[[str, Any | None], None]


class Database:
    """Owns the async engine and hands out sessions (one unit of work each)."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        schema: str | None = None,
        ping_after_idle: float = PING_AFTER_IDLE_SECONDS,
    ) -> None:
        self.url = url
        self.ping_after_idle = ping_after_idle
        kwargs: dict[str, Any] = {"echo": echo}
        if schema is not None:
            # Tests give each PostgreSQL test its own schema, so tests never see each other.
            kwargs["connect_args"] = {"server_settings": {"search_path": schema}}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": 30}
            if ":memory:" in url or url.endswith("://"):
                kwargs["poolclass"] = StaticPool
        else:
            kwargs.update(pool_size=10, max_overflow=10)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            # Instead of `pool_pre_ping`, which costs three round trips (asyncpg's ping runs in
            # its own transaction) before every transaction, also the acknowledgements' inbox
            # writes: only a connection that sat idle in the pool is pinged, since that is
            # when a server restart or a proxy's idle timeout leaves it dead. A failed ping
            # replaces the connection, as pre-ping does.
            pool = self.engine.sync_engine.pool
            event.listen(pool, "connect", _now_idle)
            event.listen(pool, "checkin", _now_idle)
            event.listen(pool, "checkout", self._ping_if_idle)
        # A session class of this database's own, so `watch` hooks see only its sessions.
        self._session_class: type[Session] = type("CopbotSession", (Session,), {})
        self._watchers: list[tuple[frozenset[str], ChangeCallback]] = []
        self._sessions = async_sessionmaker(
            self.engine,
            class_=AsyncSession,
            expire_on_commit=False,
            sync_session_class=self._session_class,
        )

    def _ping_if_idle(self, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is not None and time.monotonic() - idle_since < self.ping_after_idle:
            return
        try:
            dbapi_connection.ping()
        except Exception as exc:
            raise DisconnectionError("a pooled connection did not answer a ping") from exc

    def watch(self, tables: Iterable[str], callback: ChangeCallback) -> None:
        """Call `callback` when this process changes rows of `tables` through a session.

        For in-memory caches of rows: an ORM row added, changed or deleted is reported at the
        flush and again after the commit (a reader between the two could have cached the old
        row); an UPDATE/DELETE/INSERT statement or a text statement that names the table is
        reported with None ("some rows"). Changes made by other processes are not seen: a cache
        also needs a time to live.
        """
        watched = frozenset(tables)
        if not self._watchers:
            event.listen(self._session_class, "after_flush", self._after_flush)
            event.listen(self._session_class, "after_commit", self._after_commit)
            event.listen(self._session_class, "do_orm_execute", self._on_execute)
        self._watchers.append((watched, callback))

    def _report(self, table: str, row: Any | None) -> None:
        for tables, callback in self._watchers:
            if table in tables:
                callback(table, row)

    def _after_flush(self, session: Session, _flush: UOWTransaction) -> None:
        changed = session.info.setdefault("copbot_changed", [])
        watched = frozenset().union(*(tables for tables, _ in self._watchers))
        for row in (*session.new, *session.dirty, *session.deleted):
            table = getattr(row, "__tablename__", None)
            if table in watched:
                changed.append((table, row))
                self._report(table, row)

    def _after_commit(self, session: Session) -> None:
        for table, row in session.info.pop("copbot_changed", []):
            self._report(table, row)

    def _on_execute(self, state: ORMExecuteState) -> None:
        statement = state.statement
        if isinstance(statement, TextClause):
            lowered = statement.text.lower()
            if lowered.lstrip().startswith("select"):
                return
            for tables, _callback in self._watchers:
                for watched in tables:
                    if watched in lowered:
                        self._report(watched, None)
            return
        if not (state.is_update or state.is_delete or state.is_insert):
            return
        name = getattr(getattr(statement, "table", None), "name", None)
        if isinstance(name, str):
            state.session.info.setdefault("copbot_changed", []).append((name, None))
            self._report(name, None)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def dialect(self) -> str:
        return "sqlite" if self.is_sqlite else "postgresql"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session whose work is committed on success and rolled back on any error."""
        async with self._sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def create_all(self) -> None:
        """Create every table directly from the models (tests; production uses `upgrade`)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(SQLModel.metadata.create_all)

    async def upgrade(self) -> None:
        """Bring the schema to the newest migration; on PostgreSQL under an advisory lock.

        Every `copbot serve` calls this at start; when the stored revision is already the
        newest one it returns after one query, without importing Alembic (and Mako, Pygments
        and the migration scripts): a quarter of a second and some megabytes of start-up.
        """
        if await self.at_head():
            return
        async with self.engine.connect() as conn:
            if not self.is_sqlite:
                await conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK_ID})
                await conn.commit()
            try:
                await conn.run_sync(_run_upgrade)
                await conn.commit()
            finally:
                if not self.is_sqlite:
                    await conn.execute(
                        text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK_ID}
                    )
                    await conn.commit()

    async def at_head(self) -> bool:
        """True when the database's Alembic revision is the newest migration's."""
        head = head_revision()
        if head is None:
            return False
        try:
            async with self.engine.connect() as conn:
                stored = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
        except Exception:  # no version table yet: a new database
            return False
        return [row[0] for row in stored] == [head]

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=5)
            return True
        except Exception:  # any failure means "not healthy"
            _LOGGER.exception("database ping failed")
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()


_REVISION = re.compile(r"^revision(?::[^=]*)?=\s*[\"']([^\"']+)[\"']", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision(?::[^=]*)?=(.*)$", re.MULTILINE)
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")


def configure_tables() -> None:
    """Set up the ORM's table classes now. SQLAlchemy does it on the first query otherwise, a
    stretch of about 40 ms in which the server's event loop answers nothing."""
    configure_mappers()


def head_revision() -> str | None:
    """The newest migration's revision, read from the scripts' text without importing Alembic;
    None when that is not one clear answer (then `upgrade` asks Alembic).

    Matches what Alembic finds as long as every script sets `revision` and `down_revision` at
    the top level, as `script.py.mako` writes them (tests/storage/test_migrations.py checks).
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (_MIGRATIONS / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revision, down = _REVISION.findall(source), _DOWN_REVISION.findall(source)
        if len(revision) != 1 or len(down) != 1:
            return None
        revisions.add(revision[0])
        parents.update(_QUOTED.findall(down[0]))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config  # only when migrating (see Database.upgrade)

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _run_upgrade(connection: Connection) -> None:
    from alembic import command

    command.upgrade(alembic_config(connection), "head")


def _now_idle(_dbapi_connection: Any, record: Any) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
