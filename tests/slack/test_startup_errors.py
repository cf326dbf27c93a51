"""A wrong or revoked Slack credential: real `copbot serve` processes against the fake Slack.

Each says within seconds which variable is wrong and what to do, and keeps serving /healthz and
the other platforms. (A wrong SLACK_APP_TOKEN used to hang start-up without a word.)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.helpers import free_port
from tests.slack.driver import TOKEN
from tests.slack.fake_slack import FakeSlack
from tests.slack.test_inbox_processes import Server, server_env

SAYS_WITHIN = 20.0  # seconds: the checks give up on Slack after 10


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    await slack.start()
    yield slack
    await slack.close()


async def serve(tmp_path: Path, fake: FakeSlack, **env: str) -> Server:
    port = free_port()
    settings = server_env(f"sqlite+aiosqlite:///{tmp_path}/copbot.db", fake, port)
    settings.update(env)
    for name in [k for k, v in settings.items() if v == ""]:
        del settings[name]
    return Server(settings, tmp_path, port)


def log_of(server: Server) -> str:
    return Path(server.log.name).read_text()


async def log_says(server: Server, *words: str) -> str:
    """The server's log once a line holds every word (bounded wait for a real process)."""
    deadline = time.monotonic() + SAYS_WITHIN
    while time.monotonic() < deadline:
        for line in log_of(server).splitlines():
            if all(word in line for word in words):
                return line
        await asyncio.sleep(0.1)  # waiting for a real process, not for scheduling
    raise AssertionError(f"no log line with {words} in {SAYS_WITHIN}s:\n{log_of(server)}")


async def healthy(server: Server) -> dict[str, object]:
    async with aiohttp.ClientSession() as http:
        await server.ready(http)
        async with http.get(f"{server.url}/healthz") as response:
            assert response.status == 200
            return dict(await response.json())


async def test_a_revoked_bot_token_is_named_with_the_fix(tmp_path: Path, fake: FakeSlack) -> None:
    fake.revoked.add(TOKEN)
    server = await serve(tmp_path, fake)
    try:
        await healthy(server)
        line = await log_says(server, "SLACK_BOT_TOKEN", "token_revoked")
        assert "ERROR" in line and "OAuth & Permissions" in line
        assert "keeps serving" in line
        await healthy(server)
    finally:
        await asyncio.to_thread(server.stop)  # the fake Slack answers the goodbye meanwhile


async def test_a_wrong_app_token_is_named_and_start_up_goes_on(
    tmp_path: Path, fake: FakeSlack
) -> None:
    fake.app_tokens = {"xapp-the-right-one"}
    # Teams in emulator mode (loopback, no app id) beside Slack over Socket Mode.
    server = await serve(
        tmp_path, fake, SLACK_APP_TOKEN="xapp-a-wrong-one", SLACK_SIGNING_SECRET=""
    )
    try:
        health = await healthy(server)  # start-up did not wait for the WebSocket
        line = await log_says(server, "SLACK_APP_TOKEN", "invalid_auth")
        assert "App-Level Tokens" in line and "connections:write" in line
        assert "teams" in str(health["platforms"])
        assert not fake.socket_ready.is_set()
    finally:
        await asyncio.to_thread(server.stop)  # the fake Slack answers the goodbye meanwhile


async def test_a_wrong_client_secret_is_named(tmp_path: Path, fake: FakeSlack) -> None:
    server = await serve(
        tmp_path,
        fake,
        SLACK_CLIENT_ID=fake.client_id,
        SLACK_CLIENT_SECRET="not-the-secret",
        SLACK_BOT_TOKEN="",
    )
    try:
        await healthy(server)
        line = await log_says(server, "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET", "refused")
        assert "App Credentials" in line
    finally:
        await asyncio.to_thread(server.stop)  # the fake Slack answers the goodbye meanwhile


async def test_right_credentials_raise_no_alarm(tmp_path: Path, fake: FakeSlack) -> None:
    fake.app_tokens = {"xapp-the-right-one"}
    server = await serve(tmp_path, fake, SLACK_APP_TOKEN="xapp-the-right-one")
    try:
        await healthy(server)
        await log_says(server, "Slack took the credentials")
        await asyncio.wait_for(fake.socket_ready.wait(), SAYS_WITHIN)
        assert "refused" not in log_of(server)
    finally:
        await asyncio.to_thread(server.stop)  # the fake Slack answers the goodbye meanwhile


@pytest.fixture
async def entra() -> AsyncIterator[str]:
    """A fake Entra ID token endpoint that knows one app: `app-1` with password `right`."""

    async def token(request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("client_id") != "app-1":
            error = {"error": "unauthorized_client", "error_codes": [700016]}
            return web.json_response(error, status=400)
        if form.get("client_secret") != "right":
            return web.json_response(
                {"error": "invalid_client", "error_codes": [7000215]}, status=401
            )
        return web.json_response({"access_token": "t", "expires_in": 3600, "token_type": "Bearer"})

    app = web.Application()
    app.router.add_post("/{tenant}/oauth2/v2.0/token", token)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("/")).rstrip("/")
    await server.close()


@pytest.mark.parametrize(
    ("app_id", "password", "named"),
    [("app-1", "wrong", "MICROSOFT_APP_PASSWORD"), ("app-2", "right", "MICROSOFT_APP_ID")],
)
async def test_a_wrong_teams_app_id_or_password_is_named_and_slack_goes_on(
    tmp_path: Path, fake: FakeSlack, entra: str, app_id: str, password: str, named: str
) -> None:
    server = await serve(
        tmp_path,
        fake,
        MICROSOFT_APP_ID=app_id,
        MICROSOFT_APP_PASSWORD=password,
        MICROSOFT_LOGIN_URL=entra,
    )
    try:
        health = await healthy(server)
        line = await log_says(server, f"Microsoft refused {named}")
        assert "Azure portal" in line and "keeps serving" in line
        await log_says(server, "Slack took the credentials")
        assert "slack" in str(health["platforms"]) and "teams" in str(health["platforms"])
    finally:
        await asyncio.to_thread(server.stop)  # the fake Slack answers the goodbye meanwhile


async def test_right_teams_credentials_raise_no_alarm(
    tmp_path: Path, fake: FakeSlack, entra: str
) -> None:
    server = await serve(
        tmp_path,
        fake,
        MICROSOFT_APP_ID="app-1",
        MICROSOFT_APP_PASSWORD="right",
        MICROSOFT_LOGIN_URL=entra,
    )
    try:
        await healthy(server)
        await log_says(server, "Microsoft took the Teams credentials")
    finally:
        await asyncio.to_thread(server.stop)  # the fake Slack answers the goodbye meanwhile
