"""Benchmark: a pulse survey to N members through a fake Slack that enforces Slack's limits.

    python -m bench.fanout [--members 10000] [--quick]
        [--workspace-per-minute 6000] [--channel-per-second 1] [--open-per-minute 50]

Seeds one community, N members with Slack identities and a scheduled pulse survey in bulk
through storage, then runs the product: `create_app` wires the real Slack port and slack_sdk's
AsyncWebClient (what Bolt uses) to a fake Slack Web API on loopback, the heartbeat's
`surveys.1-open` job opens the survey (`bot.surveys.jobs.open_survey`) and the dispatcher
delivers at the pace of `COPBOT_SLACK_*` settings set to the fake's limits, on the real clock
and a file SQLite database (PostgreSQL, in a throw-away schema, when COPBOT_BENCH_DATABASE_URL
is set). The APScheduler heartbeat keeps running, so the launcher's completion notice goes out
as it would in `copbot serve`.

The fake Slack runs in its own process, so answering HTTP never takes copbot's event loop time
and RUSAGE_SELF measures copbot alone. It timestamps every chat.postMessage it accepts.

Prints the time to the last invitation, the floor the limits allow, the ratio, the 429s the
limits provoked, duplicates, losses, copbot's peak RSS, a baseline of the same dispatcher with
pacing switched off (the port's `pace` returns None) against a fresh fake, and the heartbeat
cost with 1,000 weekly meetings and nothing due (10 as the baseline). Exits 1 when a member got
no invitation or more than one, so the smoke test catches a broken fan-out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from adapters.slack.handlers import SLACK
from adapters.slack.port import SlackPort
from bot.app import Core, create_app
from bot.clock import FrozenClock
from bot.config import Settings
from bot.heartbeat import build_scheduler
from bot.messages import Target
from bot.ports import Pace
from bot.surveys.core import PULSE, PULSE_TITLE
from bot.surveys.jobs import invite_prefix
from storage import outbox_ops, pacing
from storage.db import Database
from storage.experts import bulk_insert
from storage.tables import Community, Identity, Member, Membership
from storage.tables.meetings import Meeting
from storage.tables.surveys import Survey
from tests.slack.fake_slack import TEAM

ENV_URL = "COPBOT_BENCH_DATABASE_URL"
TOKEN = "xoxb-bench-token"
LAUNCHER = "ULAUNCHER"
# Every unfinished row must be final by then, or the run reports what is left.
GRACE_SECONDS = 120.0
POLL_SECONDS = 0.5
ALL_IDS = 2**31 - 1  # the upper id bound of a fan-out span: every row (INTEGER ids)


def user_id(n: int) -> str:
    return f"U{n:07d}"


# -- the fake Slack, in its own process ---------------------------------------------------------


class FakeSlackProcess:
    """Start, query and stop `bench.fake_slack_process` (a child process, stopped by its id)."""

    def __init__(self, limits: dict[str, float]) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.fake_slack_process", json.dumps(limits), f"D{LAUNCHER}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None and self._process.stdin is not None
        self._out, self._in = self._process.stdout, self._process.stdin
        self.api_url = self._out.readline().strip()
        if not self.api_url:
            self.stop()
            raise RuntimeError("the fake Slack did not start")
        self._lock = asyncio.Lock()

    async def ask(self, command: str) -> Any:
        async with self._lock:  # one question on the pipe at a time
            return await asyncio.to_thread(self._ask, command)

    def _ask(self, command: str) -> Any:
        self._in.write(command + "\n")
        self._in.flush()
        return json.loads(self._out.readline())

    def stop(self) -> None:
        with suppress(OSError, ValueError):
            self._in.write("stop\n")
            self._in.close()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


# -- seeding --------------------------------------------------------------------------------------


async def seed(db: Database, members: int, now: datetime) -> None:
    """A community of `members`, each with a Slack identity, and a pulse survey due to open."""
    launcher = members + 1  # a coordinator outside the community: not invited
    await db.create_all()
    async with db.session() as session:
        await bulk_insert(
            session,
            Member,
            [
                {"id": n, "display_name": f"Person {n}", "timezone": "Europe/Berlin",
                 "is_coordinator": n == launcher, "created_at": now, "last_seen_at": now}
                for n in range(1, launcher + 1)
            ],
        )  # fmt: skip
        await bulk_insert(
            session,
            Identity,
            [
                {"member_id": n, "platform": "slack", "tenant_id": TEAM, "last_seen_at": now,
                 "platform_user_id": LAUNCHER if n == launcher else user_id(n)}
                for n in range(1, launcher + 1)
            ],
        )  # fmt: skip
        await bulk_insert(
            session,
            Community,
            [{"id": 1, "slug": "bench", "name": "Bench", "timezone": "Europe/Berlin",
              "created_at": now, "reminder_offsets": [1440, 15]}],
        )  # fmt: skip
        await bulk_insert(
            session,
            Membership,
            [{"community_id": 1, "member_id": n, "joined_at": now} for n in range(1, members + 1)],
        )
        await bulk_insert(
            session,
            Survey,
            [{"id": 1, "community_id": 1, "title": PULSE_TITLE, "template": "pulse",
              "questions": [q.to_dict() for q in PULSE], "audience": "members",
              "anonymous": True, "created_by": launcher, "created_at": now,
              "opens_at": now - timedelta(minutes=1), "closes_at": now + timedelta(days=7),
              "state": "scheduled", "reminded": False}],
        )  # fmt: skip


@contextmanager
def fresh_database(tmp: Path, name: str) -> Iterator[tuple[str, str | None]]:
    """(url, schema): a new SQLite file, or a throw-away schema of COPBOT_BENCH_DATABASE_URL."""
    url = os.environ.get(ENV_URL)
    if not url:
        yield f"sqlite+aiosqlite:///{tmp / name}", None
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    asyncio.run(pg_schema(url, f'CREATE SCHEMA "{schema}"'))
    try:
        yield url, schema
    finally:
        asyncio.run(pg_schema(url, f'DROP SCHEMA "{schema}" CASCADE'))


async def pg_schema(url: str, statement: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.exec_driver_sql(statement)
    await engine.dispose()


# -- one fan-out ----------------------------------------------------------------------------------


class UnpacedSlackPort(SlackPort):
    """The real Slack port with pacing switched off: the dispatcher sends as fast as it can,
    as it did before the rewrite (the baseline)."""

    def pace(self, target: Target) -> Pace | None:  # type: ignore[override]
        return None


@dataclass
class WriteProbe:
    """A small write every half second, as a person's request would make: how long the
    database makes it wait while the fan-out is queued and sent (SQLite has one writer)."""

    db: Database
    waits: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def run(self) -> None:
        while True:
            start = time.perf_counter()
            try:
                async with self.db.session() as session:
                    await pacing.reserve_slots(
                        session, "bench:probe", now=time.time(), interval=0.0, count=1
                    )
            except Exception as exc:  # reported, the run goes on
                self.errors.append(f"{type(exc).__name__}: {exc}"[:120])
            self.waits.append(time.perf_counter() - start)
            await asyncio.sleep(0.5)


@dataclass
class Result:
    members: int
    enqueue_s: float = 0.0
    first_post_s: float = 0.0
    last_post_s: float = 0.0
    notice_s: float | None = None
    sends: int = 0
    rate_limited: int = 0
    opens: int = 0
    duplicates: int = 0
    missing: int = 0
    outcomes: list[tuple[str, str | None, int]] = field(default_factory=list)
    notice: str = ""
    rss_seeded_mb: float = 0.0
    rss_peak_mb: float = 0.0
    timed_out: bool = False
    probe_waits: list[float] = field(default_factory=list)
    probe_errors: list[str] = field(default_factory=list)

    @property
    def not_sent(self) -> int:
        return sum(n for status, _error, n in self.outcomes if status != "sent")

    @property
    def lost(self) -> int:
        """Members without an invitation, or rows that did not end 'sent'."""
        return max(self.missing, self.not_sent)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def settings_for(args: argparse.Namespace, url: str, api_url: str) -> Settings:
    return Settings(
        DATABASE_URL=url,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET="bench-signing-secret",
        SLACK_API_URL=api_url,
        COPBOT_PUBLIC_URL="https://copbot.example.com",
        COPBOT_SLACK_WORKSPACE_PER_MINUTE=args.workspace_per_minute,
        COPBOT_SLACK_CHANNEL_PER_SECOND=args.channel_per_second,
        COPBOT_HEARTBEAT_SECONDS=args.heartbeat_seconds,
    )


async def fan_out(
    args: argparse.Namespace,
    members: int,
    url: str,
    schema: str | None,
    *,
    paced: bool,
    deadline_s: float,
) -> Result:
    fake = FakeSlackProcess(
        {
            "post_per_workspace_per_minute": args.workspace_per_minute,
            "post_per_channel_per_second": args.channel_per_second,
            "open_per_minute": args.open_per_minute,
            "burst_seconds": args.burst_seconds,
        }
    )
    db = Database(url, schema=schema)
    result = Result(members)
    scheduler: AsyncIOScheduler | None = None
    probing: asyncio.Task[None] | None = None
    try:
        await seed(db, members, datetime.now(UTC))
        result.rss_seeded_mb = peak_rss_mb()
        settings = settings_for(args, url, fake.api_url)
        # As `copbot serve` wires it: the Slack adapter registers the real SlackPort.
        app = create_app(settings, db=db, run_scheduler=False, migrate=False)
        core = app[SLACK].core
        if not paced:
            # The baseline: the same port and client, with pacing switched off.
            core.services.ports.register(UnpacedSlackPort(app[SLACK].client, settings))
        probe = WriteProbe(db)
        probing = asyncio.create_task(probe.run())
        started = time.time()
        # The first heartbeat opens the survey (queues every invitation), then delivers.
        await core.heartbeat.run_jobs()
        result.enqueue_s = time.time() - started
        core.kick()
        scheduler = build_scheduler(core.heartbeat, settings.heartbeat_seconds)
        scheduler.start()
        prefix = invite_prefix(1)
        while time.time() - started < deadline_s:
            await asyncio.sleep(POLL_SECONDS)
            async with db.session() as session:
                if not await outbox_ops.has_unfinished(session, prefix, 0, ALL_IDS):
                    break
        else:
            result.timed_out = True
        # The completion notice follows within a heartbeat or two.
        notice_by = time.time() + 3 * settings.heartbeat_seconds + 5
        while time.time() < notice_by:
            stats = await fake.ask("stats")
            if any("reached" in text for text in stats["launcher"]):
                break
            await asyncio.sleep(POLL_SECONDS)
        scheduler.shutdown(wait=False)
        scheduler = None
        probing.cancel()
        result.probe_waits, result.probe_errors = probe.waits, probe.errors
        await core.settle()
        async with db.session() as session:
            result.outcomes = await outbox_ops.outcomes(session, prefix, 0, ALL_IDS)
        stats = await fake.ask("stats")
        result.rss_peak_mb = peak_rss_mb()
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        if probing is not None:
            probing.cancel()
        await db.dispose()
        fake.stop()
    invites = Counter(
        channel for channel, keys in stats["keys"].items() for key in keys if key.startswith(prefix)
    )
    result.duplicates = sum(1 for count in invites.values() if count > 1)
    result.missing = sum(1 for n in range(1, members + 1) if invites[f"D{user_id(n)}"] == 0)
    result.sends = stats["calls"].get("chat.postMessage", 0)
    result.opens = stats["calls"].get("conversations.open", 0)
    result.rate_limited = stats["rate_limited"]
    invitation_times = [at for at, key in stats["post_times"] if key.startswith(prefix)]
    if invitation_times:
        result.first_post_s = min(invitation_times) - started
        result.last_post_s = max(invitation_times) - started
    notice_times = [at for at, key in stats["post_times"] if key.startswith("fanout:")]
    result.notice = next((t for t in stats["launcher"] if "reached" in t), "")
    if notice_times:
        result.notice_s = max(notice_times) - started
    return result


# -- the heartbeat with many meetings ----------------------------------------------------------


HEARTBEAT_NOW = datetime(2026, 2, 28, 9, 0, tzinfo=UTC)  # a Saturday: nothing due for days


async def _heartbeat_async(meetings: int, url: str, schema: str | None, ticks: int) -> dict:
    db = Database(url, schema=schema)
    try:
        await db.create_all()
        async with db.session() as session:
            await bulk_insert(
                session,
                Member,
                [{"id": 1, "display_name": "Leader", "created_at": HEARTBEAT_NOW,
                  "last_seen_at": HEARTBEAT_NOW}],
            )  # fmt: skip
            await bulk_insert(
                session,
                Community,
                [{"id": 1, "slug": "bench", "name": "Bench", "timezone": "Europe/Berlin",
                  "created_at": HEARTBEAT_NOW, "reminder_offsets": [1440, 15]}],
            )  # fmt: skip
            days = ("2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06")
            weekdays = ("TU", "WE", "TH", "FR")
            await bulk_insert(
                session,
                Meeting,
                [
                    {"community_id": 1, "title": f"Session {n}", "timezone": "Europe/Berlin",
                     "start_local": f"{days[n % 4]}T{9 + n // 4 % 8:02d}:00",
                     "rrule": f"FREQ=WEEKLY;BYDAY={weekdays[n % 4]}", "duration_minutes": 60,
                     "location": "", "agenda": "Questions from the floor", "created_by": 1,
                     "created_at": HEARTBEAT_NOW - timedelta(days=30)}
                    for n in range(meetings)
                ],
            )  # fmt: skip
        clock = FrozenClock(HEARTBEAT_NOW)
        core = Core(Settings(DATABASE_URL=url), clock=clock, db=db)
        start = time.perf_counter()
        await core.heartbeat.run_jobs()  # plans the occurrences
        first = time.perf_counter() - start
        samples = []
        for _ in range(ticks):
            clock.advance(timedelta(minutes=1))
            start = time.perf_counter()
            await core.heartbeat.run_jobs()
            samples.append(time.perf_counter() - start)
        return {"first_heartbeat_s": first, "idle_heartbeat_ms": statistics.median(samples) * 1000}
    finally:
        await db.dispose()


def heartbeat_cost(meetings: int, tmp: Path, ticks: int = 20) -> dict[str, float]:
    """First and median idle heartbeat; `bench.heartbeat.measure` when that bench exists."""
    try:
        from bench.heartbeat import measure  # type: ignore[import-not-found]
    except ImportError:
        with fresh_database(tmp, f"heartbeat-{meetings}.db") as (url, schema):
            return asyncio.run(_heartbeat_async(meetings, url, schema, ticks))
    measured: dict[str, float] = measure(meetings, database_url=os.environ.get(ENV_URL))
    return measured


# -- report ---------------------------------------------------------------------------------------


def floor_seconds(args: argparse.Namespace, members: int) -> tuple[float, str]:
    """The least time the limits allow: N over the binding rate. One DM per member, posted to
    the user id (no conversations.open), so the workspace budget binds, not the channel's."""
    workspace = members / (args.workspace_per_minute / 60)
    per_channel = 0.0  # one message per DM channel
    if workspace >= per_channel:
        return workspace, f"chat.postMessage {args.workspace_per_minute:,.0f}/min per workspace"
    return per_channel, f"chat.postMessage {args.channel_per_second:g}/s per channel"


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f}%" if whole else "-"


def report(
    label: str, result: Result, floor: float, binding: str, out: Callable[[str], None]
) -> None:
    invitations = result.sends - result.rate_limited
    out(f"== {label}: {result.members:,} members")
    out(f"open_survey (queue {result.members:,} invitations): {result.enqueue_s:.1f} s")
    out(f"first invitation after:   {result.first_post_s:.1f} s")
    out(f"time to last delivery:    {result.last_post_s:.1f} s")
    out(f"floor ({binding}): {floor:.1f} s")
    sending = result.last_post_s - result.first_post_s
    out(f"ratio:                    {result.last_post_s / floor if floor else 0:.3f}")
    out(
        f"sending only (first to last invitation): {sending:.1f} s, ratio "
        f"{sending / floor if floor else 0:.3f}"
    )
    out(
        f"429s provoked:            {result.rate_limited:,} "
        f"({percent(result.rate_limited, result.sends)} of {result.sends:,} chat.postMessage calls)"
    )
    out(f"conversations.open calls: {result.opens:,}")
    out(f"duplicates:               {result.duplicates:,}")
    out(
        f"lost:                     {result.lost:,} "
        f"(members without an invitation {result.missing:,}, rows not sent {result.not_sent:,})"
    )
    out("outbox rows:              " + ", ".join(
        f"{status}{f' ({error})' if error else ''} {count:,}"
        for status, error, count in result.outcomes
    ))  # fmt: skip
    if result.notice:
        out(f"launcher notice at {result.notice_s:.1f} s: {result.notice}")
    else:
        out("launcher notice: none")
    if result.probe_waits:
        out(
            f"a small write meanwhile (every 0.5 s): median "
            f"{statistics.median(result.probe_waits) * 1000:.0f} ms, longest "
            f"{max(result.probe_waits):.2f} s, {len(result.probe_errors)} failed"
            + (f" ({result.probe_errors[0]})" if result.probe_errors else "")
        )
    if result.timed_out:
        out("TIMED OUT: some invitations were still pending or sending")
    out(f"accepted posts: {invitations:,}")
    out(
        f"peak RSS of copbot: {result.rss_peak_mb:.0f} MB "
        f"(after seeding {result.rss_seeded_mb:.0f} MB; the process's high-water mark)"
    )


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="1,000 members")
    parser.add_argument("--workspace-per-minute", type=float, default=6000.0)
    parser.add_argument("--channel-per-second", type=float, default=1.0)
    parser.add_argument("--open-per-minute", type=float, default=50.0)
    parser.add_argument(
        "--burst-seconds",
        type=float,
        default=1.0,
        help="the fake allows this many seconds' worth at once",
    )
    parser.add_argument("--heartbeat-seconds", type=int, default=2)
    parser.add_argument(
        "--baseline-members", type=int, default=1000, help="unpaced baseline size (0: skip)"
    )
    parser.add_argument(
        "--baseline-workspace-per-minute",
        type=float,
        default=None,
        help="the unpaced baseline's workspace limit (default: --workspace-per-minute)",
    )
    parser.add_argument("--meetings", type=int, default=1000, help="heartbeat bench (0: skip)")
    parser.add_argument("--heartbeat-ticks", type=int, default=20)
    args = parser.parse_args(argv)
    if args.quick:
        args.members = 1000
    args.baseline_members = min(args.baseline_members, args.members)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    out = print
    where = "PostgreSQL" if os.environ.get(ENV_URL) else "SQLite file"
    out(f"machine: {uptime()}")
    out(
        f"limits (fake Slack and copbot settings): chat.postMessage "
        f"{args.workspace_per_minute:g}/min per workspace, {args.channel_per_second:g}/s per "
        f"channel; conversations.open {args.open_per_minute:g}/min; burst "
        f"{args.burst_seconds:g} s; database: {where}"
    )
    failed = False
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        floor, binding = floor_seconds(args, args.members)
        with fresh_database(tmp, "fanout.db") as (url, schema):
            paced = asyncio.run(
                fan_out(
                    args,
                    args.members,
                    url,
                    schema,
                    paced=True,
                    deadline_s=floor * 3 + GRACE_SECONDS,
                )
            )
        report("paced (the product)", paced, floor, binding, out)
        failed = bool(paced.lost or paced.duplicates or paced.timed_out)
        if args.baseline_members:
            if args.baseline_workspace_per_minute:
                args.workspace_per_minute = args.baseline_workspace_per_minute
            base_floor, base_binding = floor_seconds(args, args.baseline_members)
            with fresh_database(tmp, "baseline.db") as (url, schema):
                unpaced = asyncio.run(
                    fan_out(
                        args,
                        args.baseline_members,
                        url,
                        schema,
                        paced=False,
                        deadline_s=base_floor * 3 + GRACE_SECONDS,
                    )
                )
            out("")
            report(
                "baseline: same dispatcher, pacing off (pace() -> None)",
                unpaced,
                base_floor,
                base_binding,
                out,
            )
        if args.meetings:
            out("")
            small = heartbeat_cost(10, tmp, args.heartbeat_ticks)
            large = heartbeat_cost(args.meetings, tmp, args.heartbeat_ticks)
            out("== heartbeat, nothing due (median of idle heartbeats)")
            for n, figures in ((10, small), (args.meetings, large)):
                out(
                    f"{n:>6,} weekly meetings: idle {figures['idle_heartbeat_ms']:.1f} ms, "
                    f"first (plans occurrences) {figures['first_heartbeat_s']:.2f} s"
                )
    out(f"machine after: {uptime()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
