"""Benchmark: what one heartbeat costs with N weekly meetings, when nothing is due.

    python -m bench.heartbeat [--meetings 10 1000] [--idle-ticks 20] [--no-pg]

Seeds N weekly meetings (each with an agenda, spread over Tuesday to Friday, 09:00 to 16:00
Berlin) in one community on a fresh SQLite file, then times through the real heartbeat
(`Core.heartbeat.tick()`): the first heartbeat, which plans every occurrence five weeks ahead,
and the median of idle heartbeats, one simulated minute apart, three days before the next
session, when no reminder or agenda check is due. The smallest N is the baseline: the target
is an idle cost that does not grow with N. Runs on PostgreSQL too (a throw-away schema,
dropped afterwards) when COPBOT_BENCH_DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import func, select

from bot.app import Core
from bot.clock import FrozenClock
from bot.config import Settings
from storage.db import Database
from storage.tables import Community, Member
from storage.tables.meetings import Meeting, MeetingOccurrence

# A Saturday: the next sessions are on Tuesday to Friday, so no 24-hour reminder is due for
# the whole idle run, and every session within 7 days has an agenda.
NOW = datetime(2026, 2, 28, 9, 0, tzinfo=UTC)
FIRST_DAYS = ("2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06")  # Tuesday to Friday
WEEKDAYS = ("TU", "WE", "TH", "FR")
ENV_URL = "COPBOT_BENCH_DATABASE_URL"


async def seed(db: Database, meetings: int) -> None:
    await db.create_all()
    async with db.session() as session:
        leader = Member(display_name="Bench Leader", created_at=NOW, last_seen_at=NOW)
        session.add(leader)
        await session.flush()
        community = Community(slug="bench", name="Bench", timezone="Europe/Berlin", created_at=NOW)
        session.add(community)
        await session.flush()
        assert leader.id is not None and community.id is not None
        session.add_all(
            Meeting(
                community_id=community.id,
                title=f"Session {n}",
                start_local=f"{FIRST_DAYS[n % 4]}T{9 + n // 4 % 8:02d}:00",
                timezone="Europe/Berlin",
                rrule=f"FREQ=WEEKLY;BYDAY={WEEKDAYS[n % 4]}",
                agenda="Questions from the floor",
                created_by=leader.id,
                created_at=NOW - timedelta(days=30),
            )
            for n in range(meetings)
        )


async def occurrence_count(db: Database) -> int:
    async with db.session() as session:
        return int((await session.exec(select(func.count()).select_from(MeetingOccurrence))).one())


async def run(db: Database, meetings: int, idle_ticks: int) -> dict[str, float]:
    await seed(db, meetings)
    clock = FrozenClock(NOW)
    core = Core(Settings(DATABASE_URL=db.url), clock=clock, db=db)
    start = time.perf_counter()
    await core.heartbeat.tick()
    first = time.perf_counter() - start
    planned = await occurrence_count(db)
    samples = []
    for _ in range(idle_ticks):
        clock.advance(timedelta(minutes=1))
        start = time.perf_counter()
        await core.heartbeat.tick()
        samples.append(time.perf_counter() - start)
    return {
        "first_heartbeat_s": first,
        "idle_heartbeat_ms": statistics.median(samples) * 1000,
        "occurrences": float(planned),
    }


async def measure_async(
    meetings: int, *, database_url: str | None = None, idle_ticks: int = 20
) -> dict[str, float]:
    """Time the heartbeats on a fresh database: a new SQLite file, or a throw-away schema of
    the PostgreSQL database at `database_url`."""
    if database_url is None:
        with tempfile.TemporaryDirectory() as tmp:
            db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
            try:
                return await run(db, meetings, idle_ticks)
            finally:
                await db.dispose()
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    await pg_schema(database_url, f'CREATE SCHEMA "{schema}"')
    try:
        db = Database(database_url, schema=schema)
        try:
            return await run(db, meetings, idle_ticks)
        finally:
            await db.dispose()
    finally:
        await pg_schema(database_url, f'DROP SCHEMA "{schema}" CASCADE')


def measure(meetings: int, *, database_url: str | None = None) -> dict[str, float]:
    """First-heartbeat seconds and median idle-heartbeat milliseconds for `meetings`."""
    return asyncio.run(measure_async(meetings, database_url=database_url))


async def pg_schema(url: str, statement: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.exec_driver_sql(statement)
    await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--meetings", type=int, nargs="+", default=[10, 1000])
    parser.add_argument("--idle-ticks", type=int, default=20)
    parser.add_argument("--no-pg", action="store_true", help=f"ignore {ENV_URL}")
    args = parser.parse_args()
    targets: list[tuple[str, str | None]] = [("sqlite", None)]
    if os.environ.get(ENV_URL) and not args.no_pg:
        targets.append(("postgresql", os.environ[ENV_URL]))
    rows = []
    for label, url in targets:
        for n in args.meetings:
            figures = await measure_async(n, database_url=url, idle_ticks=args.idle_ticks)
            rows.append((label, n, figures))
    print(
        f"{'database':<11} {'meetings':>8} {'occurrences':>11} {'first heartbeat s':>17} "
        f"{'idle heartbeat ms (median)':>26}"
    )
    for label, n, figures in rows:
        print(
            f"{label:<11} {n:>8,} {int(figures['occurrences']):>11,} "
            f"{figures['first_heartbeat_s']:>17.2f} {figures['idle_heartbeat_ms']:>26.1f}"
        )


if __name__ == "__main__":
    asyncio.run(main())
