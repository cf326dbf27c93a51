"""Benchmark: acknowledgement latency of a burst of signed Slack clicks against `copbot serve`.

    python -m bench.inbox_burst [--clicks 300] [--connections 64]
    COPBOT_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/scratch \\
        python -m bench.inbox_burst        # SQLite, then that (empty, scratch) PostgreSQL database

A community of N members and one open survey per run are seeded through the core; a real
`copbot serve` process (its inbox and scheduler running, the fake Slack Web API of the tests in
this process) then gets N survey-answer clicks at once, each signed as Slack signs it, and the
time until each 200 is measured from the client. Each burst runs on a freshly started server:

1. *first pass*: `COPBOT_INBOX_GROUP_COMMIT=false`, one transaction per acknowledgement, with
   processing running alongside (the baseline: the inbox as it first landed);
2. *group commit*: the default (bot.inbox_recorder);
3. `/cop help` commands with the default: the same ack path, with processing that writes
   next to nothing.

Prints p50/p95/max ack latency, how many were over Slack's 3 s, and the time until every
request was processed and answered.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from sqlalchemy import text

from bot.app import Core
from bot.config import Settings
from bot.messages import Command, ConversationRef, FormSubmission, Platform, User
from storage.db import Database
from tests.core.test_serve import free_port
from tests.slack.driver import SECRET, TOKEN, command_payload, signed_headers
from tests.slack.fake_slack import TEAM, FakeSlack

SLACK_LIMIT = 3.0
SURVEY = {
    "title": "Burst",
    "questions": "a5: The last session was useful",
    "audience": "members",
    "anonymous": "yes",
    "opens": "now",
    "closes": "7d",
}


def person(user_id: str) -> tuple[User, ConversationRef]:
    user = User(Platform.SLACK, user_id, name=user_id.lower(), tenant_id=TEAM)
    return user, ConversationRef(Platform.SLACK, f"D{user_id}", TEAM, is_direct=True)


async def seed(url: str, members: list[str], surveys: int) -> None:
    database = Database(url)
    await database.upgrade()
    core = Core(Settings(DATABASE_URL=url), db=database)
    lead, lead_dm = person("ULEAD")
    await core.router.handle(Command(lead, lead_dm, "community new burst Burst Community"))
    for member in members:
        user, dm = person(member)
        await core.router.handle(Command(user, dm, "join burst"))
    for _ in range(surveys):
        replies = await core.router.handle(
            FormSubmission(lead, lead_dm, "survey.new:burst", SURVEY)
        )
        assert "Survey `" in replies[0].text, replies[0].text
    await database.dispose()


def click(user_id: str, n: int, survey: int, response_url: str) -> str:
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM},
        "api_app_id": "A1",
        "trigger_id": f"bench-{survey}-{n}",
        "container": {"type": "message", "message_ts": "1700000000.000001", "channel_id": "D1"},
        "channel": {"id": f"D{user_id}"},
        "response_url": response_url,
        "actions": [
            {
                "action_id": "cop_choice:0:3",
                "block_id": "b1",
                "action_ts": f"1700000100.{n:06d}",
                "type": "button",
                "value": f"survey answer {survey} 4",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


def help_command(user_id: str, n: int, response_url: str) -> str:
    payload = command_payload(
        "help", user_id, response_url=response_url, trigger_id=f"bench-help-{n}"
    )
    return urlencode(payload)


class Server:
    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.port = int(env["PORT"])
        self.log = (cwd / f"serve-{time.monotonic_ns()}.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            env=env,
            cwd=cwd,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    async def ready(self, http: aiohttp.ClientSession) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"copbot serve exited; see {self.log.name}")
            try:
                async with http.get(f"{self.url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
        raise SystemExit("copbot serve never answered /healthz")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        self.log.close()


async def post(http: aiohttp.ClientSession, url: str, body: str) -> tuple[int, float]:
    headers = {
        **signed_headers(body, int(time.time())),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    started = time.monotonic()
    async with http.post(f"{url}/slack/events", data=body.encode(), headers=headers) as response:
        await response.read()
        return response.status, time.monotonic() - started


async def unfinished(url: str) -> int:
    database = Database(url)
    try:
        async with database.engine.connect() as conn:
            result = await conn.execute(text("SELECT count(*) FROM inbox WHERE status != 'done'"))
            return int(result.scalar_one())
    finally:
        await database.dispose()


async def burst(
    name: str,
    url: str,
    bodies: list[str],
    fake: FakeSlack,
    cwd: Path,
    connections: int,
    extra_env: dict[str, str],
) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    env.update(
        DATABASE_URL=url,
        PORT=str(free_port()),
        HOST="127.0.0.1",
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.api_url,
        COPBOT_SLACK_WORKSPACE_PER_MINUTE="100000",
        COPBOT_SLACK_CHANNEL_PER_SECOND="1000",
        **extra_env,
    )
    server = Server(env, cwd)
    try:
        limits = aiohttp.TCPConnector(limit=connections)
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(connector=limits, timeout=timeout) as http:
            await server.ready(http)
            started = time.monotonic()
            results = await asyncio.gather(*(post(http, server.url, b) for b in bodies))
            for _ in range(1500):  # at most five minutes for the processing to finish
                if not await unfinished(url):
                    break
                await asyncio.sleep(0.2)  # another process's work: poll its database
            processed = time.monotonic() - started
    finally:
        server.stop()
    seconds = sorted(s for _, s in results)
    return {
        "name": name,
        "ok": sum(1 for status, _ in results if status == 200),
        "n": len(results),
        "p50": statistics.median(seconds),
        "p95": seconds[max(0, int(len(seconds) * 0.95) - 1)],
        "max": seconds[-1],
        "over": sum(1 for s in seconds if s > SLACK_LIMIT),
        "processed": processed,
    }


async def run(url: str, clicks: int, connections: int, cwd: Path) -> list[dict[str, Any]]:
    members = [f"U{n:05d}" for n in range(clicks)]
    await seed(url, members, surveys=2)
    fake = FakeSlack()
    await fake.start()
    try:
        scenarios = [
            ("clicks, first pass", 1, {"COPBOT_INBOX_GROUP_COMMIT": "false"}),
            ("clicks, group commit", 2, {}),
            ("/cop help, group commit", 0, {}),
        ]
        found = []
        for name, survey, env in scenarios:
            if survey:
                bodies = [click(m, n, survey, fake.response_url()) for n, m in enumerate(members)]
            else:
                bodies = [help_command(m, n, fake.response_url()) for n, m in enumerate(members)]
            found.append(await burst(name, url, bodies, fake, cwd, connections, env))
    finally:
        await fake.close()
    return found


def report(database: str, rows: list[dict[str, Any]]) -> None:
    print(f"\n{database}")
    print(f"{'burst':26} {'200s':>9} {'p50':>7} {'p95':>7} {'max':>7} {'>3s':>5} {'all done':>9}")
    for r in rows:
        print(
            f"{r['name']:26} {r['ok']:>4}/{r['n']:<4} {r['p50']:>6.2f}s {r['p95']:>6.2f}s"
            f" {r['max']:>6.2f}s {r['over']:>5} {r['processed']:>8.1f}s"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clicks", type=int, default=300)
    parser.add_argument("--connections", type=int, default=64, help="client connections")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        sqlite_url = f"sqlite+aiosqlite:///{cwd}/burst.db"
        report("SQLite", await run(sqlite_url, args.clicks, args.connections, cwd))
        pg_url = os.environ.get("COPBOT_BENCH_DATABASE_URL")
        if pg_url:
            report("PostgreSQL", await run(pg_url, args.clicks, args.connections, cwd))


if __name__ == "__main__":
    asyncio.run(main())
