"""Delivery with real `copbot serve` processes against a fake Slack that enforces its limits.

1. kill -9 in the middle of a 300-member fan-out, start again: every member has exactly one
   message. The messages in flight when the process died are found by the outbox key carried in
   their Slack metadata instead of being posted again (README, "Delivery guarantees").
2. Two replicas on one PostgreSQL database: exactly one message each, and together they keep to
   one workspace budget (a budget each would provoke 429s by the hundred).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.delivery import BULK, notify_member
from bot.messages import Platform, Reply
from storage import outbox, people
from storage.db import Database
from tests.conftest import PG_URL
from tests.helpers import free_port
from tests.slack.fake_slack import TEAM, FakeSlack, Limits
from tests.slack.test_inbox_processes import Server, server_env

MEMBERS = 300
PER_MINUTE = 3000  # 50 a second: a 300-member fan-out takes about 6 s


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    slack.limits = Limits(post_per_workspace_per_minute=PER_MINUTE)
    await slack.start()
    yield slack
    await slack.close()


def env_for(url: str, fake: FakeSlack, port: int) -> dict[str, str]:
    env = server_env(url, fake, port)
    env.update(
        COPBOT_SLACK_WORKSPACE_PER_MINUTE=str(PER_MINUTE),
        COPBOT_SLACK_CHANNEL_PER_SECOND="1",
        # A dead process's claims are taken over after this (production: 2 minutes), and the
        # heartbeat that notices runs every second.
        COPBOT_SEND_LEASE_SECONDS="4",
        COPBOT_HEARTBEAT_SECONDS="1",
    )
    return env


async def queue_fan_out(url: str) -> list[str]:
    """MEMBERS Slack members, each with a queued invitation, as a survey launch leaves them."""
    database = Database(url)
    await database.upgrade()
    users = [f"UM{n:04d}" for n in range(MEMBERS)]
    try:
        async with database.session() as session:
            now = datetime.now(UTC)
            for user in users:
                member, _ = await people.create_member(
                    session,
                    platform=Platform.SLACK,
                    user_id=user,
                    display_name=user,
                    tenant_id=TEAM,
                    now=now,
                )
                assert member.id is not None
                await notify_member(
                    session,
                    member.id,
                    Reply(f"Pulse survey for {user}"),
                    f"survey:1:invite:{member.id}",
                    now=now,
                    priority=BULK,
                )
    finally:
        await database.dispose()
    return users


def delivered(fake: FakeSlack, users: list[str]) -> int:
    return sum(1 for user in users if fake.delivered(user))


async def wait_for(condition: Callable[[], Awaitable[bool]], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await condition():
            return
        await asyncio.sleep(0.05)  # waiting for real processes, not for scheduling
    raise AssertionError(f"not within {seconds}s: {what}")


async def all_sent(url: str) -> bool:
    database = Database(url)
    try:
        async with database.session() as session:
            return {r.status for r in await outbox.list_messages(session)} == {"sent"}
    finally:
        await database.dispose()


@pytest.mark.skipif(bool(PG_URL), reason="the processes share a SQLite file")
async def test_kill_9_during_a_fan_out_then_restart_delivers_each_message_once(
    tmp_path: Path, fake: FakeSlack
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/fanout.db"
    users = await queue_fan_out(url)
    port = free_port()
    first = Server(env_for(url, fake, port), tmp_path, port)
    try:
        async with aiohttp.ClientSession() as http:
            await first.ready(http)

            async def a_third_delivered() -> bool:
                return delivered(fake, users) >= MEMBERS // 3

            await wait_for(a_third_delivered, 60, "a third of the fan-out delivered")
        first.kill()  # kill -9 mid fan-out: sends in flight, rows claimed and not marked
        at_kill = delivered(fake, users)
        assert at_kill < MEMBERS
        second = Server(env_for(url, fake, port), tmp_path, port)
        try:
            async with aiohttp.ClientSession() as http:
                await second.ready(http)

            async def everyone_and_all_marked() -> bool:
                return delivered(fake, users) == MEMBERS and await all_sent(url)

            await wait_for(everyone_and_all_marked, 90, "the fan-out finished after restart")
        finally:
            second.stop()
    finally:
        first.stop()
    twice = [user for user in users if len(fake.delivered(user)) != 1]
    assert twice == []
    assert fake.rate_limited <= MEMBERS // 100


@pytest.mark.skipif(not PG_URL, reason="replicas need PostgreSQL (COPBOT_TEST_DATABASE_URL)")
async def test_two_replicas_deliver_each_message_once_within_one_budget(
    tmp_path: Path, fake: FakeSlack
) -> None:
    assert PG_URL
    name = f"copbot_replicas_{uuid.uuid4().hex[:10]}"
    admin_url = PG_URL.rsplit("/", 1)[0] + "/postgres"
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    servers: list[Server] = []
    try:
        users = await queue_fan_out(url)
        for _ in range(2):
            port = free_port()
            servers.append(Server(env_for(url, fake, port), tmp_path, port))
        async with aiohttp.ClientSession() as http:
            for server in servers:
                await server.ready(http)

        async def everyone_and_all_marked() -> bool:
            return delivered(fake, users) == MEMBERS and await all_sent(url)

        await wait_for(everyone_and_all_marked, 90, "the fan-out finished")
        database = Database(url)
        try:
            async with database.session() as session:
                workers = {r.claimed_by for r in await outbox.list_messages(session)}
        finally:
            await database.dispose()
    finally:
        for server in servers:
            server.stop()
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
    assert [user for user in users if len(fake.delivered(user)) != 1] == []
    assert len(workers) == 2  # both replicas took part
    assert fake.rate_limited <= MEMBERS // 100  # one shared budget, not one each
