"""A fake Slack Web API on an ephemeral loopback port: records every call, answers like Slack.

Also serves `response_url`s (`/respond/<n>`) and file upload URLs (`/upload/<file>`), and can be
told to fail the next calls of a method (`fail_next("chat.postMessage", 429, retry_after=7)`).

With `limits` set it enforces Slack's rate limits as Slack documents them (PLATFORMS.md §c):
chat.postMessage per channel and per workspace, conversations.open per workspace, answering
429 `ratelimited` with a Retry-After once a budget is spent. chat.postMessage to a user id posts
in the bot's DM with that person (`D<user>`), and messages keep their metadata for
conversations.history, as Slack does.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

from tests.helpers import Budget
from tests.slack.blockkit import payload_problems

BOT_USER = "UBOT"
# Methods whose payload carries Block Kit that Slack validates.
BLOCK_METHODS = frozenset(
    {
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.update",
        "views.open",
        "views.update",
        "views.push",
        "views.publish",
    }
)
TEAM = "T1"


@dataclass
class Call:
    method: str
    data: dict[str, Any]
    token: str = ""  # the bearer token the call was made with


@dataclass
class Install:
    """A workspace (or, org-wide, a Grid org) that granted copbot a bot token."""

    token: str
    team_id: str | None
    enterprise_id: str | None = None
    org_wide: bool = False
    bot_user: str = BOT_USER
    installer: str = "UINSTALLER"  # the person who pressed "Allow"


@dataclass
class Limits:
    """Slack's documented limits, scaled by the caller (tests and benches speed them up)."""

    post_per_channel_per_second: float = 1.0
    post_per_workspace_per_minute: float = 300.0
    open_per_minute: float = 50.0
    # Slack allows short bursts "with no guarantee": this many seconds' worth at once.
    burst_seconds: float = 1.0

    def channel(self) -> Budget:
        rate = self.post_per_channel_per_second
        return Budget(rate, max(1.0, rate * self.burst_seconds))

    def workspace(self) -> Budget:
        rate = self.post_per_workspace_per_minute / 60
        return Budget(rate, max(1.0, rate * self.burst_seconds))

    def opens(self) -> Budget:
        rate = self.open_per_minute / 60
        return Budget(rate, max(1.0, rate * self.burst_seconds))


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    responses: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Custom profile field values by user (users.profile.get), e.g. {"UADA": {"Xf2": {...}}}.
    profile_fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: dict[str, list[tuple[int, dict[str, str], dict[str, Any]]]] = field(
        default_factory=dict
    )
    # response_url failures: (status, body) answered to the next posts to any response_url.
    respond_failures: list[tuple[int, str]] = field(default_factory=list)
    server: TestServer | None = None
    # Socket Mode: envelopes to push to the app, and the acknowledgements it sends back.
    socket_out: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    socket_acks: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    socket_ready: asyncio.Event = field(default_factory=asyncio.Event)
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))
    _urls: itertools.count = field(default_factory=lambda: itertools.count(1))
    # Rate limits to enforce (None: answer everything, as most tests want).
    limits: Limits | None = None
    rate_limited: int = 0  # how many 429s the limits provoked
    # Messages posted, by channel (DMs under D<user>), each with its ts and metadata.
    posted: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Seconds each call takes to answer, by method (a slow Slack).
    delays: dict[str, float] = field(default_factory=dict)
    _budgets: dict[str, Budget] = field(default_factory=dict)
    # Payloads Slack would have refused as invalid Block Kit: (method, problems). The driver
    # fails a test that leaves any, so every message the suite produces is checked.
    invalid: list[tuple[str, list[str]]] = field(default_factory=list)
    # OAuth: installs by bot token, the codes handed out by the authorize page, revoked tokens.
    installs: dict[str, Install] = field(default_factory=dict)
    codes: dict[str, Install] = field(default_factory=dict)
    revoked: set[str] = field(default_factory=set)
    client_id: str = "111.222"
    client_secret: str = "fake-client-secret"
    # apps.connections.open refuses app tokens not listed here (None: any xapp- token works).
    app_tokens: set[str] | None = None

    # -- set-up ---------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_post("/upload/{file}", self._upload)
        app.router.add_get("/socket", self._socket)
        app.router.add_get("/oauth/v2/authorize", self._authorize)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    @property
    def api_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/api/"))

    @property
    def authorize_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/oauth/v2/authorize"))

    def tokens_used(self, method: str) -> list[str]:
        return [c.token for c in self.calls if c.method == method]

    def response_url(self) -> str:
        """A fresh response_url whose posts are recorded under its key."""
        assert self.server is not None
        key = f"r{next(self._urls)}"
        self.responses[key] = []
        return str(self.server.make_url(f"/respond/{key}"))

    def fail_next(
        self, method: str, status: int, *, retry_after: int | None = None, error: str = ""
    ) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        body = {"ok": False, "error": error or ("ratelimited" if status == 429 else "fatal")}
        self.failures.setdefault(method, []).append((status, headers, body))

    def fail_next_response(self, status: int = 404, body: str = "expired_url") -> None:
        """The next post to a response_url is refused, as Slack does (e.g. 400 invalid_blocks)."""
        self.respond_failures.append((status, body))

    # -- queries ---------------------------------------------------------------------------------

    def called(self, method: str) -> list[dict[str, Any]]:
        return [c.data for c in self.calls if c.method == method]

    def methods(self) -> list[str]:
        return [c.method for c in self.calls]

    def answered(self, response_url: str) -> list[dict[str, Any]]:
        return self.responses[response_url.rsplit("/", 1)[1]]

    # -- handlers --------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        data = await _payload(request)
        authorization = request.headers.get("Authorization", "")
        if method == "oauth.v2.access":
            self.calls.append(Call(method, data))
            return web.json_response(self._exchange(authorization, data))
        token_prefix = "Bearer xapp-" if method == "apps.connections.open" else "Bearer xoxb-"
        if not authorization.startswith(token_prefix):
            return web.json_response({"ok": False, "error": "not_authed"})
        token = authorization.removeprefix("Bearer ")
        if token in self.revoked:
            return web.json_response({"ok": False, "error": "token_revoked"})
        known = self.app_tokens
        if method == "apps.connections.open" and known is not None and token not in known:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        self.calls.append(Call(method, data, token))
        if self.delays.get(method):
            await asyncio.sleep(self.delays[method])
        pending = self.failures.get(method)
        if pending:
            status, headers, body = pending.pop(0)
            return web.json_response(body, status=status, headers=headers)
        if method in BLOCK_METHODS and (problems := payload_problems(data)):
            self.invalid.append((method, problems))
            return web.json_response({"ok": False, "error": "invalid_blocks", "errors": problems})
        wait = self._over_limit(method, data)
        if wait:
            self.rate_limited += 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )
        if method == "auth.test" and token in self.installs:
            install = self.installs[token]
            return web.json_response(
                {
                    "ok": True,
                    "user_id": install.bot_user,
                    "bot_id": f"B{install.bot_user}",
                    "team_id": install.team_id,
                    "enterprise_id": install.enterprise_id,
                    "is_enterprise_install": install.org_wide,
                    "url": "https://example.slack.com/",
                }
            )
        return web.json_response(self._answer(method, data))

    # -- OAuth -----------------------------------------------------------------------------------

    async def _authorize(self, request: web.Request) -> web.Response:
        """Slack's "Allow" page, answered at once: `team`, `enterprise` and `org_wide` in the
        query say where the installer installs (real Slack asks them), `installer` who they are."""
        query = request.query
        if query.get("client_id") != self.client_id:
            return web.Response(status=400, text="unknown client_id")
        team = query.get("team") or None
        enterprise = query.get("enterprise") or None
        org_wide = query.get("org_wide") == "1"
        code = f"code-{next(self._urls)}"
        token = f"xoxb-{enterprise or ''}{'' if org_wide else team}-{code}"
        self.codes[code] = Install(
            token,
            None if org_wide else team,
            enterprise,
            org_wide,
            installer=query.get("installer") or "UINSTALLER",
        )
        target = f"{query['redirect_uri']}?code={code}&state={query.get('state', '')}"
        raise web.HTTPFound(target)

    def _exchange(self, authorization: str, data: dict[str, Any]) -> dict[str, Any]:
        import base64

        expected = f"{self.client_id}:{self.client_secret}".encode()
        if authorization != "Basic " + base64.b64encode(expected).decode():
            return {"ok": False, "error": "invalid_client_id"}
        install = self.codes.pop(str(data.get("code")), None)
        if install is None:
            return {"ok": False, "error": "invalid_code"}
        self.installs[install.token] = install
        return {
            "ok": True,
            "app_id": "A1",
            "access_token": install.token,
            "token_type": "bot",
            "scope": "commands,chat:write",
            "bot_user_id": install.bot_user,
            "team": {"id": install.team_id, "name": "Team"} if install.team_id else None,
            "enterprise": (
                {"id": install.enterprise_id, "name": "Org"} if install.enterprise_id else None
            ),
            "is_enterprise_install": install.org_wide,
            "authed_user": {"id": install.installer},
        }

    def _over_limit(self, method: str, data: dict[str, Any]) -> float:
        if self.limits is None:
            return 0.0
        now = time.monotonic()
        if method == "conversations.open":
            return self._budget("open", self.limits.opens).take(now)
        if method != "chat.postMessage":
            return 0.0
        channel = dm_channel(str(data.get("channel")))
        # Both budgets must allow the call; a refused call spends neither.
        workspace = self._budget("workspace", self.limits.workspace)
        per_channel = self._budget(f"channel:{channel}", self.limits.channel)
        snapshot = (workspace.tokens, workspace.at, per_channel.tokens, per_channel.at)
        wait = max(workspace.take(now), per_channel.take(now))
        if wait:
            workspace.tokens, workspace.at, per_channel.tokens, per_channel.at = snapshot
        return wait

    def _budget(self, key: str, make: Any) -> Budget:
        if key not in self._budgets:
            self._budgets[key] = make()
        return self._budgets[key]

    def delivered(self, user_id: str) -> list[dict[str, Any]]:
        """Messages in the bot's DM with a person, oldest first."""
        return self.posted.get(dm_channel(user_id), [])

    def _answer(self, method: str, data: dict[str, Any]) -> dict[str, Any]:
        ok: dict[str, Any] = {"ok": True}
        if method == "auth.test":
            return {**ok, "user_id": BOT_USER, "bot_id": "BBOT", "team_id": TEAM, "team": "Test"}
        if method == "users.info":
            user_id = str(data.get("user"))
            return {**ok, "user": self.profiles.get(user_id) or default_profile(user_id)}
        if method == "team.profile.get":
            fields = [{"id": "Xf1", "label": "Pronouns"}, {"id": "Xf2", "label": "Department"}]
            return {**ok, "profile": {"fields": fields}}
        if method == "users.profile.get":
            user_id = str(data.get("user"))
            profile = (self.profiles.get(user_id) or default_profile(user_id))["profile"]
            return {**ok, "profile": {**profile, "fields": self.profile_fields.get(user_id, {})}}
        if method == "conversations.open":
            return {**ok, "channel": {"id": f"D{data.get('users')}"}}
        if method == "chat.postMessage":
            channel = dm_channel(str(data.get("channel")))
            ts = f"1700000000.{next(self._ts):06d}"
            metadata = data.get("metadata")
            if isinstance(metadata, str) and metadata.startswith("{"):
                metadata = json.loads(metadata)
            self.posted.setdefault(channel, []).append(
                {"ts": ts, "text": data.get("text"), "metadata": metadata}
            )
            return {**ok, "channel": channel, "ts": ts}
        if method == "conversations.history":
            found = list(reversed(self.posted.get(str(data.get("channel")), [])))
            limit = int(data.get("limit") or 100)
            with_metadata = str(data.get("include_all_metadata")).lower() in ("1", "true")
            messages = [
                {"ts": m["ts"], "text": m["text"]}
                | ({"metadata": m["metadata"]} if with_metadata and m["metadata"] else {})
                for m in found[:limit]
            ]
            return {**ok, "messages": messages, "has_more": len(found) > limit}
        if method == "chat.postEphemeral":
            return {**ok, "message_ts": f"1700000000.{next(self._ts):06d}"}
        if method == "chat.update":
            return {**ok, "channel": data.get("channel"), "ts": data.get("ts")}
        if method in ("views.open", "views.publish", "views.update"):
            return {**ok, "view": {"id": "V1", **(data.get("view") or {})}}
        if method == "files.getUploadURLExternal":
            assert self.server is not None
            return {**ok, "upload_url": str(self.server.make_url("/upload/F1")), "file_id": "F1"}
        if method == "apps.connections.open":
            assert self.server is not None
            return {**ok, "url": str(self.server.make_url("/socket")).replace("http", "ws", 1)}
        if method == "files.completeUploadExternal":
            return {**ok, "files": [{"id": "F1", "title": "file"}]}
        return ok

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1})
        self.socket_ready.set()

        async def feed() -> None:
            while True:
                await ws.send_json(await self.socket_out.get())

        sender = asyncio.ensure_future(feed())
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    await self.socket_acks.put(json.loads(message.data))
        finally:
            sender.cancel()
        return ws

    async def _respond(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        if self.respond_failures:
            # A refused post is not shown to anyone, so it is not recorded as an answer.
            status, body = self.respond_failures.pop(0)
            return web.Response(status=status, text=body)
        body = await request.json()
        if problems := payload_problems(body):
            self.invalid.append(("response_url", problems))
            return web.Response(status=400, text="invalid_blocks")
        self.responses.setdefault(key, []).append(body)
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.calls.append(Call("upload", {"file": request.match_info["file"], "size": len(body)}))
        return web.Response(text="OK - uploaded", content_type="text/plain")


def dm_channel(channel: str) -> str:
    """Where chat.postMessage lands: a user id means the bot's DM with that person."""
    return f"D{channel}" if channel[:1] in ("U", "W") else channel


def default_profile(user_id: str) -> dict[str, Any]:
    name = user_id.lower()
    return {
        "id": user_id,
        "team_id": TEAM,
        "name": name,
        "real_name": name.capitalize(),
        "tz": "Europe/Berlin",
        "profile": {
            "display_name": name.capitalize(),
            "real_name": name.capitalize(),
            "title": "Engineer",
            "email": f"{name}@example.com",
        },
    }


async def _payload(request: web.Request) -> dict[str, Any]:
    data: dict[str, Any] = dict(request.query)
    if request.method == "GET":
        return data
    if request.content_type == "application/json":
        return {**data, **(await request.json())}
    form = await request.post()
    for key, value in form.items():
        text = str(value)
        if key in ("blocks", "view") and text.startswith(("[", "{")):
            data[key] = json.loads(text)
        else:
            data[key] = text
    return data
