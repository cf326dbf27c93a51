"""Socket Mode: the app opens a WebSocket (to the fake Slack) instead of listening on HTTP."""

from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestServer

from adapters.slack.handlers import SLACK
from bot.app import STATUS, create_app
from bot.clock import FrozenClock
from bot.config import Settings
from storage.db import Database
from tests.slack.driver import TOKEN, command_payload
from tests.slack.fake_slack import FakeSlack


async def test_slash_command_over_socket_mode(database: Database, clock: FrozenClock) -> None:
    fake = FakeSlack()
    await fake.start()
    settings = Settings(
        DATABASE_URL="sqlite+aiosqlite:///unused.db",
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_APP_TOKEN="xapp-test",
        SLACK_API_URL=fake.api_url,
    )
    app = create_app(settings, clock=clock, db=database, run_scheduler=False, migrate=False)
    assert app[STATUS][0] == "Slack: connected over Socket Mode"
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()  # on_startup connects the WebSocket
    try:
        await asyncio.wait_for(fake.socket_ready.wait(), 5)
        url = fake.response_url()
        envelope = {
            "envelope_id": "env-1",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": command_payload("help", "UADA", response_url=url),
        }
        await fake.socket_out.put(envelope)
        ack = await asyncio.wait_for(fake.socket_acks.get(), 5)
        assert ack["envelope_id"] == "env-1"
        await app[SLACK].settle()
        [answer] = fake.answered(url)
        assert "What I can do" in answer["text"]
        assert "apps.connections.open" in fake.methods()
    finally:
        await server.close()
        await fake.close()
