"""Nothing acknowledged is lost, nothing resubmitted is stored twice: with real `copbot serve`
processes, signed requests as Slack sends them, and the fake Slack Web API in this process.

1. 300 survey-answer clicks, all acknowledged with 200, then kill -9 at once; after a restart
   all 300 answers are stored, each once, and every click got its answer at its response_url.
2. A lesson form submitted while the database is locked (4 s, longer than Slack's 3 s), then
   submitted again: every acknowledgement comes within 3 s, exactly one lesson is stored, and
   the modal is updated with the result.

SQLite only: the server processes share the database file with the test.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from sqlmodel import func, select

from adapters.slack.blocks import CHOICE_ACTION
from adapters.slack.inbox import BUSY_FORM
from adapters.slack.modals import modal_view
from bot.app import Core
from bot.config import Settings
from bot.messages import Command, ConversationRef, FormSubmission, Platform, User
from storage.db import Database
from storage.tables.inbox import InboxItem
from storage.tables.lessons import Lesson
from storage.tables.surveys import SurveyAnswer
from tests.conftest import PG_URL
from tests.helpers import free_port
from tests.lessons.test_lessons import GOOD
from tests.slack.driver import SECRET, TOKEN, signed_headers
from tests.slack.fake_slack import TEAM, FakeSlack
from tests.surveys.test_surveys import ONE_QUESTION

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="the processes share a SQLite file")
CLICKS = 300
SLACK_TIMEOUT = 3.0


def slack_user(user_id: str) -> tuple[User, ConversationRef]:
    user = User(Platform.SLACK, user_id, name=user_id.lower(), tenant_id=TEAM)
    return user, ConversationRef(Platform.SLACK, f"D{user_id}", TEAM, is_direct=True)


async def seed(url: str, members: list[str]) -> Core:
    """A community led by ULEAD with `members`, migrated as `copbot serve` would."""
    database = Database(url)
    await database.upgrade()
    core = Core(Settings(DATABASE_URL=url), db=database)
    lead, lead_dm = slack_user("ULEAD")
    await core.router.handle(Command(lead, lead_dm, "community new data-eng Data Engineering"))
    for member in members:
        user, dm = slack_user(member)
        await core.router.handle(Command(user, dm, "join data-eng"))
    return core


async def count(core: Core, model: Any) -> int:
    async with core.services.db.session() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


class Server:
    """One `copbot serve` process."""

    def __init__(self, env: dict[str, str], cwd: Path, port: int) -> None:
        self.port = port
        self.log = (cwd / f"serve-{time.monotonic_ns()}.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            env=env,
            cwd=cwd,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def ready(self, http: aiohttp.ClientSession) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "copbot serve exited"
            try:
                async with http.get(f"{self.url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)  # waiting for a real process to start, not for scheduling
        raise AssertionError("copbot serve never answered /healthz")

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        self.log.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    await slack.start()
    yield slack
    await slack.close()


def server_env(url: str, fake: FakeSlack, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    env.update(
        DATABASE_URL=url,
        PORT=str(port),
        HOST="127.0.0.1",
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.api_url,
        # A dead process's requests are taken over after this lease (production: 60 s).
        COPBOT_INBOX_LEASE_SECONDS="2",
        COPBOT_SLACK_WORKSPACE_PER_MINUTE="100000",
        COPBOT_SLACK_CHANNEL_PER_SECOND="1000",
    )
    return env


async def post_signed(
    http: aiohttp.ClientSession, server: Server, body: str, *, give_up_after: float = 30
) -> tuple[int, str, float]:
    """POST as Slack does; returns status, body and seconds until the answer."""
    headers = {
        **signed_headers(body, int(time.time())),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    started = time.monotonic()
    async with http.post(
        f"{server.url}/slack/events",
        data=body.encode(),
        headers=headers,
        timeout=aiohttp.ClientTimeout(total=give_up_after),
    ) as response:
        text = await response.text()
        return response.status, text, time.monotonic() - started


async def wait_until_all_done(core: Core, expected: int, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        async with core.services.db.session() as session:
            statuses = (await session.exec(select(InboxItem.status))).all()
        if len(statuses) >= expected and set(statuses) == {"done"}:
            return
        await asyncio.sleep(0.25)  # waiting for another process's work, not for scheduling
    raise AssertionError(f"inbox not done in {seconds}s: {sorted(statuses)[:5]}…")


def click_body(user_id: str, n: int, response_url: str) -> str:
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM},
        "api_app_id": "A1",
        "trigger_id": f"burst-trigger-{n}",
        "container": {"type": "message", "message_ts": "1700000000.000001", "channel_id": "D1"},
        "channel": {"id": f"D{user_id}"},
        "response_url": response_url,
        "actions": [
            {
                "action_id": f"{CHOICE_ACTION}:0:3",
                "block_id": "b1",
                "action_ts": f"1700000100.{n:06d}",
                "type": "button",
                "value": "survey answer 1 4",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


async def test_a_burst_of_answers_survives_kill_9(tmp_path: Path, fake: FakeSlack) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/burst.db"
    members = [f"U{n:04d}" for n in range(CLICKS)]
    core = await seed(url, members)
    lead, lead_dm = slack_user("ULEAD")
    created = await core.router.handle(
        FormSubmission(lead, lead_dm, "survey.new:data-eng", ONE_QUESTION)
    )
    assert "Survey `1`" in created[0].text, created[0].text
    port = free_port()
    env = server_env(url, fake, port)
    servers: list[Server] = []
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as http:
            first = Server(env, tmp_path, port)
            servers.append(first)
            await first.ready(http)
            urls = [fake.response_url() for _ in members]
            answers = await asyncio.gather(
                *(
                    post_signed(http, first, click_body(m, n, urls[n]))
                    for n, m in enumerate(members)
                )
            )
            first.kill()
            stored_at_kill = await count(core, SurveyAnswer)
            assert [status for status, _, _ in answers] == [200] * CLICKS
            slowest = max(seconds for _, _, seconds in answers)
            print(f"acks: slowest {slowest:.2f}s; answers stored at kill -9: {stored_at_kill}")

            second = Server(env, tmp_path, port)
            servers.append(second)
            await second.ready(http)
            await wait_until_all_done(core, CLICKS)
        async with core.services.db.session() as session:
            stored = (await session.exec(select(SurveyAnswer))).all()
        assert len(stored) == CLICKS
        assert len({a.respondent for a in stored}) == CLICKS  # one answer per member, none twice
        assert {a.value for a in stored} == {"4"}
        assert await count(core, InboxItem) == CLICKS
        unanswered = [u for u in urls if not fake.answered(u)]
        assert unanswered == [], f"{len(unanswered)} clicks never got their answer"
    finally:
        for server in servers:
            server.stop()
        await core.services.db.dispose()


async def test_a_lesson_form_sent_again_after_a_timeout_is_stored_once(
    tmp_path: Path, fake: FakeSlack
) -> None:
    path = tmp_path / "lesson.db"
    url = f"sqlite+aiosqlite:///{path}"
    core = await seed(url, ["UADA"])
    ada, ada_dm = slack_user("UADA")
    (opened,) = await core.router.handle(Command(ada, ada_dm, "lesson"))
    assert opened.form is not None
    view = modal_view(opened.form, {"c": "DUADA", "d": True}, opened.text)
    state = {
        block["block_id"]: {
            block["element"]["action_id"]: submitted(block["element"], GOOD.get(block["block_id"]))
        }
        for block in view["blocks"]
        if block["type"] == "input"
    }
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": "UADA", "team_id": TEAM},
        "api_app_id": "A1",
        "trigger_id": "lesson-trigger",
        "view": {**view, "id": "VLESSON", "hash": "1700000000.abc", "state": {"values": state}},
    }
    body = urlencode({"payload": json.dumps(payload)})
    port = free_port()
    server: Server | None = None
    lock = sqlite3.connect(path, timeout=30)
    try:
        async with aiohttp.ClientSession() as http:
            server = Server(server_env(url, fake, port), tmp_path, port)
            await server.ready(http)
            # Another writer holds the database for 4 s: longer than Slack waits for a form.
            lock.execute("BEGIN IMMEDIATE")
            locked_at = time.monotonic()
            first = await post_signed(http, server, body, give_up_after=SLACK_TIMEOUT)
            second = await post_signed(http, server, body, give_up_after=SLACK_TIMEOUT)
            await asyncio.sleep(max(0.0, 4.0 - (time.monotonic() - locked_at)))
            lock.rollback()
            await wait_until_all_done(core, 1, seconds=60)
            third = await post_signed(http, server, body, give_up_after=SLACK_TIMEOUT)
        for status, text, seconds in (first, second, third):
            assert status == 200 and seconds < SLACK_TIMEOUT, (status, text, seconds)
        # While locked: the form stays open with a note to press again (nothing was taken in).
        assert json.loads(first[1])["response_action"] == "errors"
        assert BUSY_FORM in json.loads(first[1])["errors"].values()
        # After it went through: the same submission shows the result and stores nothing.
        assert json.loads(third[1])["response_action"] == "update"
        assert "Saved lesson" in json.dumps(json.loads(third[1])["view"])
        assert await count(core, Lesson) == 1
        updates = [c.data for c in fake.calls if c.method == "views.update"]
        assert any("Saved lesson" in json.dumps(u) for u in updates), updates
    finally:
        lock.close()
        if server is not None:
            server.stop()
        await core.services.db.dispose()


def submitted(element: dict[str, Any], value: str | None) -> dict[str, Any]:
    """What Slack sends for an input: the value typed, else what the form showed initially."""
    value = value or (element.get("initial_option") or {}).get("value")
    value = value or element.get("initial_value") or element.get("initial_date")
    if element["type"] == "static_select":
        return {"type": "static_select", "selected_option": {"value": value} if value else None}
    if element["type"] == "datepicker":
        return {"type": "datepicker", "selected_date": value}
    return {"type": element["type"], "value": value}
