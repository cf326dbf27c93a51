"""Benchmark: `expert <topic>` and `lessons <words>` on 100,000 members and 50,000 lessons.

    python -m bench.bench_experts_lessons [--members 100000 --lessons 50000]
        [--database-url sqlite+aiosqlite:///bench.db] [--queries 200] [--growth] [--no-pg]

Builds the data with bulk inserts through storage functions, then times requests through the
real core (`router.handle(Command(...))`) and, in the same run, a naive full-scan baseline
(a Python-side scan of every expertise row; `LIKE '%word%'` over every lesson column).
Runs on SQLite, and on PostgreSQL too when COPBOT_BENCH_PG is set to a URL or a server
answers on 127.0.0.1:5432 (it uses a throw-away schema and drops it afterwards). `--growth`
first runs at a tenth of the sizes and prints how much each query's p50 and p95 grew. The load
average is printed before and after: on a shared machine it moves the figures a lot.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import os
import random
import socket
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import Core
from bot.clock import FrozenClock
from bot.config import Settings
from bot.messages import Command, ConversationRef, Platform, User
from bot.topics import ALIASES
from storage import experts, search
from storage.db import Database
from storage.tables import Community, Member, Membership
from storage.tables.experts import Endorsement, Expertise, SmeDesignation, Topic
from storage.tables.lessons import Lesson, LessonReuse, LessonTopic

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
REAL_TOPICS = sorted(
    set(ALIASES.values())
    | {
        "airflow", "dbt", "spark", "kafka", "snowflake", "bigquery", "data-quality",
        "data-governance", "finops", "feature-stores", "python", "sql", "scala", "docker",
        "helm", "observability", "scaffolding", "near-miss", "audits", "confined-spaces",
        "iso-45001", "preventive-maintenance", "incident-investigation", "working-at-height",
        "forklifts", "fire-safety", "ergonomics", "chemical-handling", "hot-work", "noise",
    }
)  # fmt: skip
_WORDS_TEXT = (
    "backfill queue pipeline schema migration partition warehouse cluster node upgrade canary "
    "rollback deploy latency throughput retry idempotent checkpoint watermark streaming batch "
    "orchestration scheduler worker pool slot freshness null duplicate contract owner alert "
    "dashboard metric cost budget tag terraform provider drift module state lock secret "
    "rotation credential access audit permit scaffold harness ladder guard rail isolation "
    "lockout energy valve pressure tank oxygen gas hatch entry inspection checklist shift "
    "handover contractor training induction near miss incident investigation root cause "
    "corrective action witness photo privacy report trend supervisor blame culture ppe "
    "helmet glove goggles noise vibration dust fume ventilation forklift pedestrian route "
    "signage housekeeping spill kit chemical label storage fire extinguisher evacuation drill"
)
WORDS = [w for w in _WORDS_TEXT.split() if w not in search.STOP_WORDS]


class Zipf:
    """Draws from a list with weight 1/rank: a few items are common, most are rare."""

    def __init__(self, items: list[str]) -> None:
        self.items = items
        self.cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(items))))

    def draw(self, rng: random.Random, k: int = 1) -> list[str]:
        return rng.choices(self.items, cum_weights=self.cumulative, k=k)

    def distinct(self, rng: random.Random, k: int) -> list[str]:
        chosen: list[str] = []
        while len(chosen) < k:
            item = self.draw(rng)[0]
            if item not in chosen:
                chosen.append(item)
        return chosen


# Lesson text: domain words (what people search for) among a long tail of other words.
FILLER = Zipf([f"w{n}" for n in range(20_000)])


def sentence(rng: random.Random, n: int) -> str:
    words = FILLER.draw(rng, n)
    for i in range(0, n, 5):  # every fifth word is a domain word
        words[i] = rng.choice(WORDS)
    return " ".join(words)


async def build(db: Database, members: int, lesson_count: int, seed: int = 42) -> list[str]:
    """Fill an empty schema; returns the topic vocabulary, most common first."""
    rng = random.Random(seed)
    vocabulary = REAL_TOPICS + [f"topic-{i}" for i in range(1000)]
    rng.shuffle(vocabulary)
    topic_draw = Zipf(vocabulary)
    await db.create_all()
    async with db.session() as session:
        await experts.bulk_insert(
            session, Topic, [{"name": t, "created_at": NOW} for t in vocabulary]
        )
        await experts.bulk_insert(
            session,
            Community,
            [
                {"slug": f"c{i}", "name": f"Community {i}", "created_at": NOW, "timezone": "UTC",
                 "kind": "practitioner", "purpose": "", "scope": "", "goals": "",
                 "ground_rules": "", "health_check_day": 1, "health_check_hour": 9,
                 "reminder_offsets": [1440, 15], "language": "english"}
                for i in range(1, 21)
            ],
        )  # fmt: skip
        zones = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London", None]
        departments = ["Data Platform", "Analytics", "Field Operations", "Maintenance", None]
        await experts.bulk_insert(
            session,
            Member,
            [
                {"display_name": f"Person {i}", "timezone": zones[i % 5],
                 "department": departments[i % 5], "title": None, "is_coordinator": False,
                 "current_community_id": None, "created_at": NOW, "last_seen_at": NOW}
                for i in range(1, members + 1)
            ],
        )  # fmt: skip
        memberships, expertise, endorsements = [], [], []
        for member in range(1, members + 1):
            for community in rng.sample(range(1, 21), rng.choice((1, 1, 2))):
                memberships.append(
                    {"community_id": community, "member_id": member, "joined_at": NOW,
                     "left_at": None}
                )  # fmt: skip
            for topic in topic_draw.distinct(rng, 3):
                expertise.append(
                    {"member_id": member, "topic": topic, "level": rng.choice((None, 1, 2, 3, 4)),
                     "source": "self", "updated_at": NOW}
                )  # fmt: skip
        for _ in range(members):
            endorser, member = rng.randrange(1, members + 1), rng.randrange(1, members + 1)
            topic = topic_draw.draw(rng)[0]
            endorsements.append((endorser, member, topic))
        await experts.bulk_insert(session, Membership, memberships)
        await experts.bulk_insert(session, Expertise, expertise)
        await experts.bulk_insert(
            session,
            Endorsement,
            [
                {"endorser_id": e, "member_id": m, "topic": t, "created_at": NOW}
                for e, m, t in set(endorsements)
                if e != m
            ],
        )
        designations = {
            (community, rng.randrange(1, members + 1), topic)
            for community in range(1, 21)
            for topic in topic_draw.distinct(rng, 4)
        }
        await experts.bulk_insert(
            session,
            SmeDesignation,
            [
                {"community_id": c, "member_id": m, "topic": t, "designated_by": None,
                 "designated_at": NOW}
                for c, m, t in designations
            ],
        )  # fmt: skip
        lessons, topics_rows = [], []
        for lesson_id in range(1, lesson_count + 1):
            topics = topic_draw.distinct(rng, rng.choice((1, 2, 3)))
            published = rng.random() < 0.9
            # Most lessons are for everyone; some for their community, a few restricted.
            draw = rng.random()
            sensitivity = "org" if draw < 0.85 else "community" if draw < 0.97 else "restricted"
            lessons.append(
                {"id": lesson_id, "community_id": rng.randrange(1, 21),
                 "author_id": rng.randrange(1, members + 1),
                 "title": sentence(rng, 6).capitalize(), "kind": "insight",
                 "context": sentence(rng, 20), "planned": sentence(rng, 12),
                 "actual": sentence(rng, 15), "why": sentence(rng, 15),
                 "sustain": sentence(rng, 8), "improve": sentence(rng, 8),
                 "statement": sentence(rng, 25), "topic_list": " ".join(topics),
                 "status": "published" if published else "draft",
                 "validated_by": rng.randrange(1, members + 1) if published else None,
                 "validated_at": NOW if published else None, "source": None,
                 "created_at": NOW - timedelta(minutes=lesson_id), "updated_at": NOW,
                 "deleted_at": None, "abstract": sentence(rng, 20),
                 "sensitivity": sensitivity,
                 "event_date": (NOW - timedelta(days=lesson_id % 700)).date()}
            )  # fmt: skip
            topics_rows.extend({"lesson_id": lesson_id, "topic": t} for t in topics)
        reuse = {
            (rng.randrange(1, lesson_count + 1), rng.randrange(1, members + 1))
            for _ in range(lesson_count // 2)
        }
        reused: dict[int, int] = defaultdict(int)
        for lesson_id, _member in reuse:
            reused[lesson_id] += 1
        for row in topics_rows:
            row["reuse_count"] = reused[row["lesson_id"]]
        await experts.bulk_insert(session, Lesson, lessons)
        await experts.bulk_insert(session, LessonTopic, topics_rows)
        await experts.bulk_insert(
            session,
            LessonReuse,
            [{"lesson_id": lesson, "member_id": m, "kind": "helped", "at": NOW}
             for lesson, m in reuse],
        )  # fmt: skip
        await experts.rebuild_stats(session, NOW)
        await experts.analyse(session)
    counts: dict[str, int] = defaultdict(int)
    for row in expertise:
        counts[row["topic"]] += 1
    return sorted(vocabulary, key=lambda t: -counts[t])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]


async def timed(call: Callable[[], Awaitable[Any]], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


async def measure(
    db: Database, topics: list[str], queries: int, baseline_runs: int
) -> list[tuple[str, list[float]]]:
    settings = Settings(DATABASE_URL="sqlite+aiosqlite:///unused.db")
    core = Core(settings, clock=FrozenClock(NOW + timedelta(days=1)), db=db)
    user = User(Platform.CONSOLE, "bench-asker", name="Bench Asker")
    where = ConversationRef(Platform.CONSOLE, "dm:bench-asker", is_direct=True)
    rng = random.Random(7)
    await core.router.handle(Command(user, where, "join c1"))
    await core.settle()

    async def ask(text: str) -> None:
        replies = await core.router.handle(Command(user, where, text))
        assert replies and "went wrong" not in replies[0].text, (text, replies)

    # Common and rare topics, typed as people type them (a few with a typo).
    wanted = [
        topics[i % 40] if i % 4 else topics[rng.randrange(len(topics))] for i in range(queries)
    ]
    expert_texts = [f"expert {t}" for t in wanted]
    # One, two or three domain words, as people type them.
    lesson_texts = [f"lessons {' '.join(rng.sample(WORDS, 1 + n % 3))}" for n in range(queries)]
    for text in expert_texts[:5] + lesson_texts[:5]:  # warm caches
        await ask(text)
    iterator_e, iterator_l = iter(expert_texts), iter(lesson_texts)
    results = [
        ("expert <topic> (core)", await timed(lambda: ask(next(iterator_e)), queries)),
        ("lessons <words> (core)", await timed(lambda: ask(next(iterator_l)), queries)),
    ]
    await core.settle()

    async def naive_expert() -> None:
        async with db.session() as session:
            await experts.naive_rank(session, rng.choice(topics[:40]))

    async def naive_lessons() -> None:
        async with db.session() as session:
            await search.naive_search(session, " ".join(rng.sample(WORDS, 2)))

    results.append(("expert: naive Python scan", await timed(naive_expert, baseline_runs)))
    results.append(("lessons: naive LIKE scan", await timed(naive_lessons, baseline_runs)))
    return results


def pg_url() -> str | None:
    url = os.environ.get("COPBOT_BENCH_PG")
    if url:
        return url if "://" in url else PG_DEFAULT
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return PG_DEFAULT
    except OSError:
        return None


async def pg_schema(url: str, create: bool, schema: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.exec_driver_sql(
            f'CREATE SCHEMA "{schema}"' if create else f'DROP SCHEMA "{schema}" CASCADE'
        )
    await engine.dispose()


async def run_one(
    label: str, db: Database, members: int, lessons: int, args: argparse.Namespace
) -> list[tuple[str, str, list[float]]]:
    start = time.perf_counter()
    topics = await build(db, members, lessons)
    built = time.perf_counter() - start
    print(f"[{label}] built {members:,} members and {lessons:,} lessons in {built:.1f} s")
    measured = await measure(db, topics, args.queries, args.baseline_runs)
    return [(label, name, samples) for name, samples in measured]


async def run_size(
    members: int, lessons: int, args: argparse.Namespace, tmp: Path
) -> list[tuple[str, str, list[float]]]:
    rows: list[tuple[str, str, list[float]]] = []
    url = args.database_url or f"sqlite+aiosqlite:///{tmp / f'bench-{members}.db'}"
    if url.startswith("sqlite"):
        db = Database(url)
        rows += await run_one("sqlite", db, members, lessons, args)
        await db.dispose()
    pg = url if url.startswith("postgresql") else (None if args.no_pg else pg_url())
    if pg:
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        await pg_schema(pg, True, schema)
        try:
            db = Database(pg, schema=schema)
            rows += await run_one("postgresql", db, members, lessons, args)
            await db.dispose()
        finally:
            await pg_schema(pg, False, schema)
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--lessons", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--baseline-runs", type=int, default=10)
    parser.add_argument("--database-url", default=None, help="SQLite URL (default: a temp file)")
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    parser.add_argument(
        "--growth",
        action="store_true",
        help="first run at a tenth of the sizes, then print how p50 and p95 grew",
    )
    args = parser.parse_args()
    if args.growth and args.database_url and args.database_url.startswith("sqlite"):
        parser.error("--growth builds two data sets: leave out a SQLite --database-url")
    sizes = [(args.members, args.lessons)]
    if args.growth:
        sizes.insert(0, (args.members // 10, args.lessons // 10))
    print(f"load before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (1 and 5 min)")
    results: list[tuple[str, list[tuple[str, str, list[float]]]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for members, lessons in sizes:
            rows = await run_size(members, lessons, args, Path(tmp))
            results.append((f"{members:,}/{lessons:,}", rows))
    print(f"load after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (1 and 5 min)")
    print()
    print(
        f"{'size':<14} {'database':<11} {'query':<28} {'runs':>5} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'max ms':>8}"
    )
    for size, rows in results:
        for label, name, samples in rows:
            print(
                f"{size:<14} {label:<11} {name:<28} {len(samples):>5} "
                f"{statistics.median(samples):>8.1f} {percentile(samples, 95):>8.1f} "
                f"{max(samples):>8.1f}"
            )
    if len(results) == 2:
        print()
        print(f"growth from {results[0][0]} to {results[1][0]} (x):")
        small = {(label, name): samples for label, name, samples in results[0][1]}
        for label, name, samples in results[1][1]:
            before = small.get((label, name))
            if before and "(core)" in name:
                p50 = statistics.median(samples) / statistics.median(before)
                p95 = percentile(samples, 95) / percentile(before, 95)
                print(f"  {label:<11} {name:<28} p50 x{p50:.1f}  p95 x{p95:.1f}")


if __name__ == "__main__":
    asyncio.run(main())
