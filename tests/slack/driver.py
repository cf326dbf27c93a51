"""Drive copbot as Slack would: signed HTTP requests to the real app, a fake Web API behind it.

    driver = await SlackDriver.start(settings_kwargs, clock=clock, db=database)
    text = await driver.say("communities", "UADA")   # what Slack would show, as plain text
    text = await driver.press("Join data-eng", "UADA")  # click a button from that answer
    await driver.close()

`say` sends `/cop <text>` and returns everything the person would read: the ephemeral answer
at the response_url, DMs and posts the bot made meanwhile, and the title of any modal opened.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from adapters.slack.blocks import blocks_to_text
from adapters.slack.handlers import SLACK, SlackAdapter
from bot.app import create_app
from bot.clock import Clock
from bot.config import Settings
from bot.registry import Registry
from storage.db import Database
from tests.slack.blockkit import payload_problems
from tests.slack.fake_slack import TEAM, FakeSlack

SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"


def signed_headers(body: str, timestamp: int | str, secret: str = SECRET) -> dict[str, str]:
    base = f"v0:{timestamp}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


class SlackDriver:
    def __init__(
        self, client: TestClient, fake: FakeSlack, adapter: SlackAdapter, clock: Clock
    ) -> None:
        self.client = client
        self.fake = fake
        self.adapter = adapter
        self.clock = clock
        self._ids = itertools.count(1)
        self._last: dict[str, list[dict[str, Any]]] = {}

    @classmethod
    async def start(
        cls,
        *,
        clock: Clock,
        db: Database,
        registry: Registry | None = None,
        settings: Mapping[str, Any] | None = None,
        oauth: bool = False,
    ) -> SlackDriver:
        fake = FakeSlack()
        await fake.start()
        if oauth:  # installs into many workspaces, through the fake's authorize page
            settings = {
                "SLACK_CLIENT_ID": fake.client_id,
                "SLACK_CLIENT_SECRET": fake.client_secret,
                "SLACK_AUTHORIZE_URL": fake.authorize_url,
                **dict(settings or {}),
            }
        config = Settings(
            DATABASE_URL="sqlite+aiosqlite:///unused.db",
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=fake.api_url,
            COPBOT_PUBLIC_URL="https://copbot.example.com",
            **dict(settings or {}),
        )
        app = create_app(
            config, clock=clock, db=db, run_scheduler=False, migrate=False, registry=registry
        )
        client = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        # The start-up credential check asks Slack once; what tests count starts after it.
        await app[SLACK].checked()
        fake.calls.clear()
        return cls(client, fake, app[SLACK], clock)

    async def close(self) -> None:
        await self.adapter.settle()
        await self.client.close()
        await self.fake.close()
        # Every message and view this test made copbot send was Block Kit Slack accepts.
        assert not self.fake.invalid, f"Slack would refuse: {self.fake.invalid}"

    # -- raw requests -------------------------------------------------------------------------

    def now(self) -> int:
        return int(self.clock.now().timestamp())

    async def post(
        self,
        body: str,
        *,
        content_type: str = "application/x-www-form-urlencoded",
        headers: Mapping[str, str] | None = None,
    ) -> ClientResponse:
        """POST a body to /slack/events, signed now unless `headers` are given; then settle."""
        sent = dict(headers) if headers is not None else signed_headers(body, self.now())
        sent["Content-Type"] = content_type
        response = await self.client.post("/slack/events", data=body.encode(), headers=sent)
        answer = await response.read()
        await self.adapter.settle()
        # An acknowledgement's body is Block Kit too (a modal's update or errors).
        problems = []
        if response.content_type == "application/json" and answer:
            problems = payload_problems(json.loads(answer))
        if problems:
            self.fake.invalid.append(("ack", problems))
        return response

    # -- what Slack sends -----------------------------------------------------------------------

    def command_body(
        self, text: str, user_id: str, *, channel_id: str | None = None, response_url: str = ""
    ) -> str:
        return urlencode(
            command_payload(
                text,
                user_id,
                channel_id=channel_id,
                response_url=response_url,
                trigger_id=f"trigger-{next(self._ids)}",
            )
        )

    async def command(
        self, text: str, user_id: str, *, channel_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Run `/cop <text>`; returns what arrived at its response_url."""
        url = self.fake.response_url()
        response = await self.post(
            self.command_body(text, user_id, channel_id=channel_id, response_url=url)
        )
        assert response.status == 200, await response.text()
        return self.fake.answered(url)

    async def interact(self, payload: Mapping[str, Any]) -> ClientResponse:
        return await self.post(urlencode({"payload": json.dumps(payload)}))

    async def click(
        self,
        button: Mapping[str, Any],
        user_id: str,
        *,
        channel_id: str | None = None,
        container: str = "message",
    ) -> list[dict[str, Any]]:
        """Click a button (a block element dict); returns what arrived at the response_url."""
        url = self.fake.response_url()
        channel = channel_id or f"D{user_id}"
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM},
            "api_app_id": "A1",
            "trigger_id": f"trigger-{next(self._ids)}",
            "actions": [_action(button)],
        }
        if container == "message":
            payload["container"] = {
                "type": "message",
                "message_ts": "1700000000.000001",
                "channel_id": channel,
            }
            payload["channel"] = {"id": channel}
            payload["response_url"] = url
        else:
            payload["container"] = {"type": "view", "view_id": "V1"}
            payload["view"] = {"type": "home", "id": "V1"}
        response = await self.interact(payload)
        assert response.status == 200, await response.text()
        return self.fake.answered(url)

    async def submit(
        self, view: Mapping[str, Any], user_id: str, values: Mapping[str, str]
    ) -> ClientResponse:
        """Submit an opened modal (the view dict sent to views.open) with text values."""
        state: dict[str, dict[str, Any]] = {}
        for block in view["blocks"]:
            if block["type"] != "input":
                continue
            element = block["element"]
            value = values.get(block["block_id"])
            if element["type"] == "static_select":
                chosen = {"value": value} if value else None
                entry = {"type": "static_select", "selected_option": chosen}
            elif element["type"] == "multi_static_select":
                picked = [{"value": v} for v in (value or "").split(",") if v]
                entry = {"type": "multi_static_select", "selected_options": picked}
            elif element["type"] == "datepicker":
                entry = {"type": "datepicker", "selected_date": value or None}
            else:
                entry = {"type": element["type"], "value": value}
            state[block["block_id"]] = {element["action_id"]: entry}
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM},
            "user": {"id": user_id, "team_id": TEAM},
            "api_app_id": "A1",
            "trigger_id": f"trigger-{next(self._ids)}",
            "view": {**view, "id": "V1", "state": {"values": state}},
        }
        return await self.interact(payload)

    async def event(
        self, event: Mapping[str, Any], *, event_id: str | None = None, retry: int = 0
    ) -> ClientResponse:
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": TEAM,
                "api_app_id": "A1",
                "type": "event_callback",
                "event_id": event_id or f"Ev{next(self._ids)}",
                "event_time": self.now(),
                "event": dict(event),
            }
        )
        headers = signed_headers(body, self.now())
        if retry:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return await self.post(body, content_type="application/json", headers=headers)

    async def dm(self, text: str, user_id: str, **extra: Any) -> ClientResponse:
        """A direct message to the bot (message.im)."""
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": f"D{user_id}",
            "user": user_id,
            "text": text,
            "ts": f"1700000001.{next(self._ids):06d}",
            **extra,
        }
        return await self.event(event)

    # -- what a person reads ---------------------------------------------------------------------

    async def say(self, text: str, user_id: str) -> str:
        """`/cop <text>` as `user_id`; everything they would read, as plain text."""
        before = len(self.fake.calls)
        answers = await self.command(text, user_id)
        return await self._read(user_id, answers, before)

    async def press(self, label: str, user_id: str) -> str:
        """Click the button (or menu option) called `label` in what `user_id` last read."""
        for message in reversed(self._last.get(user_id, [])):
            if any(b["text"]["text"] == label for b in buttons(message)):
                before = len(self.fake.calls)
                answers = await self.click(button(message, label), user_id)
                return await self._read(user_id, answers, before)
        raise AssertionError(f"{user_id} sees no button {label!r}")

    async def _read(self, user_id: str, answers: list[dict[str, Any]], before: int) -> str:
        await self.adapter.core.heartbeat.deliver()
        messages = list(answers)
        parts = [blocks_to_text(a.get("blocks") or []) or a.get("text", "") for a in answers]
        for call in self.fake.calls[before:]:
            if call.method == "chat.postMessage":
                messages.append(call.data)
                parts.append(blocks_to_text(call.data.get("blocks") or []))
            elif call.method == "views.open":
                view = call.data["view"]
                intro = [b for b in view["blocks"] if b["type"] != "input"]
                parts.append(blocks_to_text(intro))
                parts.append(f"[form: {view['title']['text']}]")
        self._last[user_id] = messages
        return "\n".join(p for p in parts if p)


def command_payload(
    text: str,
    user_id: str,
    *,
    channel_id: str | None = None,
    response_url: str = "",
    trigger_id: str = "trigger-0",
) -> dict[str, str]:
    """The fields Slack sends for `/cop <text>` (form-encoded over HTTP, JSON in Socket Mode)."""
    channel = channel_id or f"D{user_id}"
    return {
        "token": "legacy",
        "team_id": TEAM,
        "team_domain": "test",
        "channel_id": channel,
        "channel_name": "directmessage" if channel.startswith("D") else "general",
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": "/cop",
        "text": text,
        "api_app_id": "A1",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def _action(button: Mapping[str, Any]) -> dict[str, Any]:
    action = {"action_id": button["action_id"], "block_id": "b1", "action_ts": "1.1"}
    if button.get("type") == "static_select":
        option = {"text": button["text"], "value": button["value"]}
        return {**action, "type": "static_select", "selected_option": option}
    return {**action, "type": "button", "value": button.get("value")}


def buttons(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every button and select option in a message or view, as clickable element dicts."""
    found: list[dict[str, Any]] = []
    for block in message.get("blocks") or []:
        if block.get("type") != "actions":
            continue
        for element in block["elements"]:
            if element["type"] == "button":
                found.append(element)
            elif element["type"] == "static_select":
                for option in element["options"]:
                    found.append(
                        {
                            "type": "static_select",
                            "action_id": element["action_id"],
                            "value": option["value"],
                            "text": option["text"],
                        }
                    )
    return found


def button(message: Mapping[str, Any], label: str) -> dict[str, Any]:
    for element in buttons(message):
        if element["text"]["text"] == label:
            return element
    raise AssertionError(f"no button {label!r} in {[b['text']['text'] for b in buttons(message)]}")
