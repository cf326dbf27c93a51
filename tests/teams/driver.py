"""Drive copbot as Teams would: Bot Framework activities over HTTP, a fake connector behind it.

    driver = await TeamsDriver.start(clock=clock, db=database)
    text = await driver.say("communities", "29:ada")   # what Teams would show, as plain text
    text = await driver.press("Join data-eng", "29:ada")  # click a button from that answer
    await driver.close()

`say` posts a message activity in the person's 1:1 chat (emulator mode on loopback: no token)
and returns everything the bot posted meanwhile, including outbox deliveries, as plain text.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from adapters.teams.cards import activity_to_text, buttons, forms
from adapters.teams.handlers import TeamsAdapter
from adapters.teams.mounted import TEAMS
from bot.app import create_app
from bot.clock import Clock
from bot.config import Settings
from bot.registry import Registry
from storage.db import Database
from tests.teams.cardschema import payload_problems
from tests.teams.fake_connector import BOT_ID, TENANT, FakeConnector

CHANNEL = "19:general@thread.tacv2"
TEAM = "19:team@thread.tacv2"
APP_ID = "11111111-2222-3333-4444-555555555555"  # the Azure Bot app id the secured tests use


def personal_conversation(user_id: str) -> str:
    return f"a:dm-{user_id}"


class TeamsDriver:
    def __init__(
        self, client: TestClient, fake: FakeConnector, adapter: TeamsAdapter, clock: Clock
    ) -> None:
        self.client = client
        self.fake = fake
        self.adapter = adapter
        self.clock = clock
        self._ids = itertools.count(1)
        self._last: dict[str, list[dict[str, Any]]] = {}
        self._owns_fake = True

    @classmethod
    async def start(
        cls,
        *,
        clock: Clock,
        db: Database,
        settings: Mapping[str, Any] | None = None,
        fake: FakeConnector | None = None,
        registry: Registry | None = None,
    ) -> TeamsDriver:
        """The real app on a loopback port; pass `fake` to keep one connector across restarts."""
        owns = fake is None
        if fake is None:
            fake = FakeConnector()
            await fake.start()
        config = Settings(
            DATABASE_URL="sqlite+aiosqlite:///unused.db",
            COPBOT_PUBLIC_URL="https://copbot.example.com",
            # Microsoft's identity services are the fake too: tests talk to loopback only.
            **{**fake.settings(), **dict(settings or {})},
        )
        app = create_app(
            config, clock=clock, db=db, run_scheduler=False, migrate=False, registry=registry
        )
        client = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        driver = cls(client, fake, app[TEAMS].adapter(), clock)
        driver._owns_fake = owns
        return driver

    async def stop(self) -> None:
        """Stop the app (the fake connector keeps running)."""
        await self.adapter.settle()
        await self.client.close()

    async def close(self) -> None:
        await self.stop()
        if self._owns_fake:
            await self.fake.close()
        # Every card this test made copbot send (or answer an invoke with) was one Teams renders.
        assert not self.fake.invalid, f"Teams would refuse: {self.fake.invalid}"

    # -- raw requests -------------------------------------------------------------------------

    async def post(
        self, activity: Mapping[str, Any], *, headers: Mapping[str, str] | None = None
    ) -> ClientResponse:
        response = await self.client.post("/api/messages", json=dict(activity), headers=headers)
        answer = await response.read()
        await self.adapter.settle()
        problems = []
        if response.content_type == "application/json" and answer:
            problems = payload_problems(json.loads(answer))  # an invoke's card or dialog
        if problems:
            self.fake.invalid.append(("invoke", problems))
        return response

    # -- what Teams sends ------------------------------------------------------------------------

    def activity(
        self,
        user_id: str,
        *,
        kind: str = "message",
        conversation: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        return {
            "type": kind,
            "id": f"act-{next(self._ids)}",
            "timestamp": self.clock.now().isoformat(),
            "serviceUrl": self.fake.url,
            "channelId": "msteams",
            "from": {"id": user_id, "name": user_id.split(":")[-1].capitalize()},
            "conversation": dict(
                conversation
                or {
                    "id": personal_conversation(user_id),
                    "conversationType": "personal",
                    "tenantId": TENANT,
                }
            ),
            "recipient": {"id": BOT_ID, "name": "copbot"},
            "channelData": {"tenant": {"id": TENANT}},
            "locale": "en-US",
            **fields,
        }

    def message(self, text: str, user_id: str, **fields: Any) -> dict[str, Any]:
        return self.activity(user_id, text=text, textFormat="plain", **fields)

    def channel_conversation(self, channel: str = CHANNEL, thread: str | None = None) -> dict:
        conversation_id = f"{channel};messageid={thread}" if thread else channel
        return {
            "id": conversation_id,
            "conversationType": "channel",
            "isGroup": True,
            "tenantId": TENANT,
        }

    def mention(self, text: str, user_id: str, *, channel: str = CHANNEL) -> dict[str, Any]:
        """A channel post that @mentions the bot, as Teams sends it."""
        thread = f"17000000{next(self._ids):05d}"
        activity = self.message(
            f"<at>copbot</at> {text}",
            user_id,
            conversation=self.channel_conversation(channel, thread),
            entities=[
                {
                    "type": "mention",
                    "mentioned": {"id": BOT_ID, "name": "copbot"},
                    "text": "<at>copbot</at>",
                }
            ],
        )
        activity["id"] = thread
        activity["channelData"] = {
            "tenant": {"id": TENANT},
            "team": {"id": TEAM},
            "channel": {"id": channel},
        }
        return activity

    def click(
        self,
        value: Mapping[str, Any],
        user_id: str,
        *,
        reply_to: str | None = None,
        conversation: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """What a card's Action.Submit sends: a message with `value` and no text."""
        fields: dict[str, Any] = {"value": dict(value)}
        if reply_to:
            fields["replyToId"] = reply_to
        return self.activity(user_id, conversation=conversation, **fields)

    # -- what a person reads ---------------------------------------------------------------------

    async def say(self, text: str, user_id: str) -> str:
        """Type `text` in the 1:1 chat with the bot; everything the bot posted meanwhile."""
        before = len(self.fake.calls)
        response = await self.post(self.message(text, user_id))
        assert response.status == 201, response.status
        return await self._read(user_id, before)

    async def press(self, label: str, user_id: str) -> str:
        """Click the button (or choice) called `label` in what `user_id` last read."""
        for message in reversed(self._last.get(user_id, [])):
            for title, value in buttons(message):
                if title == label:
                    before = len(self.fake.calls)
                    response = await self.post(
                        self.click(value, user_id, reply_to=message.get("id"))
                    )
                    assert response.status == 201, response.status
                    return await self._read(user_id, before)
        raise AssertionError(f"{user_id} sees no button {label!r}")

    async def submit(self, values: Mapping[str, str], user_id: str) -> str:
        """Fill in and submit the last form `user_id` was shown."""
        for message in reversed(self._last.get(user_id, [])):
            for data in forms(message):
                before = len(self.fake.calls)
                response = await self.post(
                    self.click({**data, **values}, user_id, reply_to=message.get("id"))
                )
                assert response.status == 201, response.status
                return await self._read(user_id, before)
        raise AssertionError(f"{user_id} was shown no form")

    async def _read(self, user_id: str, before: int) -> str:
        await self.adapter.core.heartbeat.deliver()
        messages = [
            c.body for c in self.fake.calls[before:] if c.kind in ("reply", "send", "update")
        ]
        self._last[user_id] = messages
        return "\n".join(t for t in (activity_to_text(m) for m in messages) if t)
