"""Benchmark: how fast `copbot serve` acknowledges signed slash commands, beside bare Bolt.

    python -m bench.ack          # SQLite, then PostgreSQL when 127.0.0.1:5432 answers
    python -m bench.ack --no-pg --requests 100 --rounds 1
    python -m bench.ack --code /path/to/other/checkout   # the same bench against other code

Starts, as child processes on loopback: the test suite's fake Slack Web API
(`bench.fake_slack_process`: users.info and the response_urls), a real `copbot serve` (`python
-m bot serve` in `--code`) on a seeded database (`bench.bench_experts_lessons.build`: members,
expertise, lessons; a SQLite file, or a PostgreSQL database this bench creates and drops), and
`tests.slack.bare_bolt`, a Bolt AsyncApp on the same aiohttp stack that only acknowledges. Then, for
concurrency 1, 16 and 64 and each of `/cop help`, `/cop expert <topic>` and `/cop lessons
<words>`, it sends `--requests` signed requests to copbot and to the bare app in turn
(`--rounds` times, interleaved, so a change in the machine's load hits both), and prints
requests per second, p50 and p99 of the time to the acknowledgement, and copbot's ratio to the
bare app. After each copbot batch it waits until every answer reached its response_url, so
the work behind one batch does not land on the next.

Also prints the start-up time (process start to a healthy `GET /healthz`, median of
`--startups`) and the idle RSS (VmRSS, 2 s after healthy) of both servers.

Stops every process it started, by its id. No timed assertion: figures are for reading.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench.fanout import FakeSlackProcess

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
TEAM = "T0001"
PG_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432"
COMMANDS = ("help", "expert", "lessons")
TOPICS = ("kubernetes", "python", "airflow", "spark", "dbt", "terraform", "kafka", "sql")
WORDS = ("pipeline", "outage", "migration", "backfill", "schema", "latency", "rollback")
HEALTHY_WITHIN = 300.0  # a loaded machine: importing alone took 50 s at load 16
DRAIN_WITHIN = float(os.environ.get("BENCH_DRAIN", "120"))
SEED = """
import asyncio, sys
from datetime import UTC, datetime
from bench.bench_experts_lessons import build
from storage import experts
from storage.db import Database

async def main() -> None:
    db = Database(sys.argv[1])
    await db.upgrade()  # the migrations first: `copbot serve` finds the schema at head
    await build(db, int(sys.argv[2]), int(sys.argv[3]))
    # The seeded evidence is months old: age it now, as the heartbeat would have long before
    # (else the first heartbeats' `experts.decay` batches land on the measured requests).
    while True:
        async with db.session() as session:
            if not await experts.decay_due(session, datetime.now(UTC)):
                break
    await db.dispose()

asyncio.run(main())
"""


# -- the servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Server:
    """A server process this bench started (stopped by its own id)."""

    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, http: aiohttp.ClientSession) -> float:
        """Start and wait for a healthy /healthz; returns the seconds it took."""
        self.port = free_port()
        env = {**self.env, "PORT": str(self.port)}
        self.log = Path(tempfile.gettempdir()) / f"bench-ack-{self.name}-{self.port}.log"
        started = time.perf_counter()
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: ASYNC220  (a server to time, not work)
                self.argv, cwd=self.cwd, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = started + HEALTHY_WITHIN
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text()[-2000:]}")
            with suppress(aiohttp.ClientError, OSError):
                async with http.get(f"{self.url}/healthz") as response:
                    if response.status == 200:
                        return time.perf_counter() - started
            await asyncio.sleep(0.01)
        self.stop()
        raise RuntimeError(f"{self.name} was not healthy within {HEALTHY_WITHIN:.0f} s")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def servers(code: Path, database_url: str, api_url: str) -> tuple[Server, Server]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    slack = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url,
        "PYTHONPATH": str(code),
    }
    copbot = Server(
        "copbot",
        [sys.executable, "-m", "bot", "serve"],
        {
            **base,
            **slack,
            "DATABASE_URL": database_url,
            "HOST": "127.0.0.1",
            "COPBOT_SECRET_KEY": "bench-deployment-key",
            "COPBOT_HEARTBEAT_SECONDS": "15",
        },
        code,
    )
    bare = Server(
        "bare-bolt", [sys.executable, "-m", "tests.slack.bare_bolt"], {**base, **slack}, ROOT
    )
    return copbot, bare


# -- databases ------------------------------------------------------------------------------------


@contextmanager
def database(kind: str, tmp: Path, code: Path, members: int, lessons: int) -> Iterator[str]:
    """A seeded database: a SQLite file, or a PostgreSQL database created and dropped here."""
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp / 'ack.db'}"
        seed(code, url, members, lessons)
        yield url
        return
    name = f"copbot_bench_ack_{uuid.uuid4().hex[:10]}"
    asyncio.run(pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        url = f"{PG_SERVER}/{name}"
        seed(code, url, members, lessons)
        yield url
    finally:
        asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def seed(code: Path, url: str, members: int, lessons: int) -> None:
    env = {**os.environ, "PYTHONPATH": f"{code}{os.pathsep}{ROOT}"}
    subprocess.run(
        [sys.executable, "-c", SEED, url, str(members), str(lessons)],
        cwd=code,
        env=env,
        check=True,
        timeout=900,
    )


async def pg_admin(statement: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.exec_driver_sql(statement)
    await engine.dispose()


def pg_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


# -- the load -------------------------------------------------------------------------------------


def signed(body: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256)
    return {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={digest.hexdigest()}",
        "Content-Type": "application/x-www-form-urlencoded",
    }


def command_text(command: str, rng: random.Random) -> str:
    if command == "expert":
        return f"expert {rng.choice(TOPICS)}"
    if command == "lessons":
        return "lessons " + " ".join(rng.sample(WORDS, 1 + rng.randrange(2)))
    return "help"


def command_body(text: str, user: str, response_url: str) -> str:
    return urllib.parse.urlencode(
        {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "bench",
            "channel_id": f"D{user}",
            "channel_name": "directmessage",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/cop",
            "text": text,
            "api_app_id": "A1",
            "response_url": response_url,
            "trigger_id": f"trigger-{uuid.uuid4().hex}",  # the inbox key of a command
        }
    )


@dataclass
class Cell:
    """The samples of one (server, command, concurrency)."""

    seconds: list[float] = field(default_factory=list)
    wall: float = 0.0
    errors: int = 0

    @property
    def rps(self) -> float:
        return len(self.seconds) / self.wall if self.wall else 0.0

    def p(self, q: float) -> float:
        ordered = sorted(self.seconds)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))] * 1000


async def load(
    http: aiohttp.ClientSession,
    server: Server,
    command: str,
    concurrency: int,
    requests: int,
    users: int,
    response_base: str,
    rng: random.Random,
    cell: Cell,
) -> None:
    bodies = [
        command_body(
            command_text(command, rng),
            f"UBENCH{rng.randrange(users):04d}",
            f"{response_base}b{uuid.uuid4().hex[:12]}",
        )
        for _ in range(requests)
    ]
    queue = iter(bodies)

    async def worker() -> None:
        for body in queue:
            started = time.perf_counter()
            try:
                async with http.post(
                    f"{server.url}/slack/events", data=body, headers=signed(body)
                ) as response:
                    await response.read()
                    ok = response.status == 200
            except aiohttp.ClientError:
                ok = False
            if ok:
                cell.seconds.append(time.perf_counter() - started)
            else:
                cell.errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    cell.wall += time.perf_counter() - started


async def drained(fake: FakeSlackProcess, expected: int) -> int:
    """Wait until `expected` answers reached response_urls (bounded); returns how many did."""
    deadline = time.perf_counter() + DRAIN_WITHIN
    answered = 0
    while time.perf_counter() < deadline:
        answered = int((await fake.ask("stats"))["responses"])
        if answered >= expected:
            break
        await asyncio.sleep(0.05)
    else:
        print(f"only {answered} of {expected} answers arrived", file=sys.stderr)
    return answered


# -- one database ---------------------------------------------------------------------------------


async def run_database(
    label: str, url: str, fake: FakeSlackProcess, args: argparse.Namespace
) -> list[str]:
    copbot, bare = servers(args.code, url, fake.api_url)
    response_base = fake.api_url.replace("/api/", "/respond/")
    lines: list[str] = []
    rng = random.Random(11)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        startup: dict[str, list[float]] = {"copbot": [], "bare-bolt": []}
        idle: dict[str, list[float]] = {"copbot": [], "bare-bolt": []}
        # CPU time to healthy: what start-up costs whatever the machine's load (wall clock is
        # several times that on a busy machine).
        cpu: dict[str, list[float]] = {"copbot": [], "bare-bolt": []}
        for _ in range(args.startups):
            for server in (copbot, bare):  # interleaved
                startup[server.name].append(await server.start(http))
                assert server.process is not None
                cpu[server.name].append(cpu_seconds(server.process.pid))
                await asyncio.sleep(2.0)
                idle[server.name].append(rss_mb(server.process.pid))
                server.stop()
        await copbot.start(http)
        await bare.start(http)
        try:
            answered = int((await fake.ask("stats"))["responses"])
            # Warm up: every user known, first queries run, connections open.
            for server in (copbot, bare):
                for command in COMMANDS:
                    await load(
                        http, server, command, 8, args.users, args.users, response_base, rng, Cell()
                    )
            answered = await drained(fake, answered + len(COMMANDS) * args.users)
            cells: dict[tuple[str, str, int], Cell] = {}
            for concurrency in args.concurrency:
                for command in COMMANDS:
                    for _ in range(args.rounds):
                        for server in (copbot, bare):
                            cell = cells.setdefault((server.name, command, concurrency), Cell())
                            await load(
                                http,
                                server,
                                command,
                                concurrency,
                                args.requests,
                                args.users,
                                response_base,
                                rng,
                                cell,
                            )
                            if server is copbot:
                                answered = await drained(fake, answered + args.requests)
            rss_after = {s.name: rss_mb(s.process.pid) for s in (copbot, bare) if s.process}
        finally:
            copbot.stop()
            bare.stop()
    lines.append(f"== {label}")
    lines.append(
        f"{'command':<9} {'conc':>4} | {'copbot rps':>10} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'err':>4} | {'bare rps':>8} {'p50 ms':>7} {'p99 ms':>7} | {'p50 x':>6} {'p99 x':>6}"
    )
    for concurrency in args.concurrency:
        for command in COMMANDS:
            ours, theirs = (
                cells[("copbot", command, concurrency)],
                cells[("bare-bolt", command, concurrency)],
            )
            lines.append(
                f"{command:<9} {concurrency:>4} | {ours.rps:>10.0f} {ours.p(50):>7.1f} "
                f"{ours.p(99):>7.1f} {ours.errors:>4} | {theirs.rps:>8.0f} {theirs.p(50):>7.1f} "
                f"{theirs.p(99):>7.1f} | {ours.p(50) / theirs.p(50):>6.2f} "
                f"{ours.p(99) / theirs.p(99):>6.2f}"
            )
    for name in ("copbot", "bare-bolt"):
        lines.append(
            f"{name:<9} start-up to healthy /healthz: {statistics.median(startup[name]):.2f} s "
            f"(of {len(startup[name])}: {', '.join(f'{s:.2f}' for s in startup[name])}), "
            f"{statistics.median(cpu[name]):.2f} s CPU; "
            f"idle RSS {statistics.median(idle[name]):.0f} MB; "
            f"RSS after the load {rss_after.get(name, float('nan')):.0f} MB"
        )
    return lines


def compiled(code: Path) -> None:
    """Write the bytecode of both servers' code first, as installing a deployment does: with
    PYTHONDONTWRITEBYTECODE set (as on this machine) every start would compile copbot's 250
    modules again, a cost a deployment does not pay (the bare app's code is one module)."""
    for root, parts in ((code, ["bot", "storage", "adapters"]), (ROOT, ["tests/slack"])):
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", *parts],
            cwd=root,
            env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            check=True,
            stdout=subprocess.DEVNULL,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout to serve")
    parser.add_argument("--requests", type=int, default=200, help="per cell and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16, 64])
    parser.add_argument("--users", type=int, default=50, help="distinct Slack users asking")
    parser.add_argument("--members", type=int, default=5000, help="seeded members")
    parser.add_argument("--lessons", type=int, default=2000, help="seeded lessons")
    parser.add_argument("--startups", type=int, default=3)
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args()
    args.code = args.code.resolve()
    kinds = ["sqlite"] + ([] if args.no_pg or not pg_answers() else ["postgresql"])
    compiled(args.code)
    print(f"code: {args.code}; {args.requests} requests x {args.rounds} rounds per cell")
    fake = FakeSlackProcess({})
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for kind in kinds:
                with database(kind, Path(tmp), args.code, args.members, args.lessons) as url:
                    load_before = os.getloadavg()
                    lines = asyncio.run(run_database(kind, url, fake, args))
                    load_after = os.getloadavg()
                print("\n".join(lines))
                print(
                    f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f} "
                    f"({os.cpu_count()} CPUs)",
                    flush=True,
                )
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
