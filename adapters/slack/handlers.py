"""Slack requests in, neutral requests to the core, Block Kit out.

One Bolt `AsyncApp` behind `POST /slack/events` (or Socket Mode). Every listener acknowledges
at once and does the work in a tracked task, so Slack's 3-second limit never depends on how
long the core takes; `settle()` waits for those tasks (tests, shutdown). View submissions are
the exception: inline field errors must be in the acknowledgement, so they run the core first.

Requests are checked before Bolt (`adapters.slack.validate`), with the injected clock: a
forged, stale (±5 min) or malformed request (missing or non-numeric headers, undecodable body)
gets 401, a signed payload of the wrong shape 400, and neither touches anything. Events API
deliveries are de-duplicated by `event_id`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Coroutine
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import Clock as SlackClock
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import credentials, validate
from adapters.slack.answer import Answers, Origin
from adapters.slack.blocks import CHOICE_ACTION, FORM_CALLBACK, LINK_ACTION, SELECT_ACTION
from adapters.slack.inbox import SlackInbox
from adapters.slack.port import SlackPort
from adapters.slack.profiles import Profiles
from adapters.slack.workspaces import (
    NotInstalled,
    WorkspaceClient,
    Workspaces,
    install_of,
    tenant_of_payload,
)
from bot import installs
from bot.clock import Clock
from bot.config import Settings
from bot.core_api import CoreAPI
from bot.messages import (
    Command,
    Platform,
    User,
)

_LOGGER = logging.getLogger(__name__)
SAVE_AS_LESSON = "save_as_lesson"


class _EpochClock(SlackClock):
    """slack_sdk's verifier wants epoch seconds; ours gives aware datetimes."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def now(self) -> float:
        return self.clock.now().timestamp()


class SlackAdapter:
    def __init__(self, core: CoreAPI, settings: Settings) -> None:
        self.core = core
        self.settings = settings
        clock = core.services.clock
        # One client for every workspace: the token is the one of the install in hand.
        self.client = WorkspaceClient(
            token=None if settings.slack_oauth else settings.slack_bot_token,
            base_url=_with_slash(settings.slack_api_url),
        )
        oauth = None
        if settings.slack_oauth:
            from adapters.slack.oauth import oauth_settings

            oauth = oauth_settings(settings, core.services.db, clock)
        self.workspaces = Workspaces(
            settings.slack_bot_token, oauth.installation_store if oauth else None
        )
        # Bolt only routes: we verify signatures ourselves (injected clock, 401 on junk), and
        # listeners return fast because the work runs in our own tracked tasks. With OAuth,
        # Bolt also runs the install pages and finds each request's installation.
        self.bolt = AsyncApp(
            client=self.client,
            signing_secret=settings.slack_signing_secret or "",
            request_verification_enabled=False,
            process_before_response=True,
            name="copbot",
            oauth_settings=oauth,
        )
        self.verifier = (
            SignatureVerifier(settings.slack_signing_secret, clock=_EpochClock(core.services.clock))
            if settings.slack_signing_secret
            else None
        )
        self.port = SlackPort(self.client, settings, self.workspaces)
        self.answers = Answers(core, self.client, self.port)
        self.profiles = Profiles(self.client, core.services.clock)
        self.inbox = SlackInbox(self)  # inbox hook
        self._tasks: set[asyncio.Task[Any]] = set()
        self._socket: Any = None
        self._checking: asyncio.Task[None] | None = None
        self._register()

    # -- HTTP --------------------------------------------------------------------------------

    async def handle_http(self, request: web.Request) -> web.Response:
        payload = validate.checked_payload(await request.read(), request.headers, self.verifier)
        if isinstance(payload, validate.Refused):
            return web.json_response({"error": payload.reason}, status=payload.status)
        try:
            # Already verified and parsed: Bolt takes a parsed body only in its socket mode,
            # which differs from HTTP in nothing else (no verification, same acks).
            bolt_request = AsyncBoltRequest(
                body=payload,
                query=request.query_string,
                headers=request.headers,  # type: ignore[arg-type]  # typed as a dict; Bolt reads any mapping
                mode="socket_mode",
            )
            response = await self.bolt.async_dispatch(bolt_request)
        except Exception as exc:
            # Signed by Slack but not a payload we can read: say so, never a 500.
            _LOGGER.warning("unreadable Slack request: %s: %s", type(exc).__name__, exc)
            return web.json_response({"error": "bad request"}, status=400)
        if response.status == 404:
            # An event or action nobody listens to: acknowledge, or Slack keeps retrying it and
            # may switch our event subscriptions off.
            return web.Response(status=200)
        return await to_aiohttp_response(response)

    async def handle_install(self, request: web.Request) -> web.Response:
        """GET /slack/install and /slack/oauth_redirect: Bolt's OAuth flow."""
        from slack_bolt.adapter.aiohttp import to_bolt_request

        flow = self.bolt.oauth_flow
        if flow is None:
            return web.Response(status=404)
        bolt_request = await to_bolt_request(request)
        if request.path == flow.redirect_uri_path:
            response = await flow.handle_callback(bolt_request)
        else:
            response = await flow.handle_installation(bolt_request)
        return await to_aiohttp_response(response)

    # -- Socket Mode (a WebSocket instead of a public URL) ----------------------------------------

    async def start_socket_mode(self, _app: web.Application) -> None:
        """Open the WebSocket, or say why not (a wrong SLACK_APP_TOKEN): never hangs start-up."""
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        app_token = self.settings.slack_app_token or ""
        api_url = _with_slash(self.settings.slack_api_url)
        problem = await credentials.check_app_token(api_url, app_token)
        if problem:
            _LOGGER.error(problem)
            return
        self._socket = AsyncSocketModeHandler(
            self.bolt, app_token, web_client=AsyncWebClient(base_url=api_url)
        )
        try:
            await asyncio.wait_for(self._socket.connect_async(), credentials.CHECK_SECONDS)
        except (TimeoutError, OSError, aiohttp.ClientError, SlackApiError) as exc:
            _LOGGER.error(
                "Could not open Slack's Socket Mode connection (%s). Check SLACK_APP_TOKEN and "
                "that Socket Mode is on for the app; everything else keeps serving.",
                str(exc) or type(exc).__name__,
            )

    # -- start-up checks -------------------------------------------------------------------------

    async def check_credentials(self, _app: web.Application) -> None:
        """Ask Slack whether it takes our credentials, beside start-up (never delaying it)."""
        self._checking = asyncio.get_running_loop().create_task(self._check_credentials())

    async def checked(self) -> None:
        """Wait for the start-up check (tests: its auth.test is not a request's doing)."""
        if self._checking is not None:
            await asyncio.gather(self._checking, return_exceptions=True)

    async def _check_credentials(self) -> None:
        settings = self.settings
        if settings.slack_oauth:
            assert settings.slack_client_id and settings.slack_client_secret
            problem = await credentials.check_oauth_client(
                self.client, settings.slack_client_id, settings.slack_client_secret
            )
        else:
            problem = await credentials.check_bot_token(self.client, settings.slack_bot_token or "")
        if problem:
            _LOGGER.error(problem)
        else:
            _LOGGER.info("Slack took the credentials")

    async def close(self, _app: web.Application) -> None:
        if self._checking is not None:
            self._checking.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._checking
        if self._socket is not None:
            await self._socket.close_async()
        await self.settle()
        await self.answers.close()

    # -- background work -----------------------------------------------------------------------

    def spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            _LOGGER.error("Slack work failed", exc_info=task.exception())

    async def settle(self) -> None:
        """Wait until every request's work (and the delivery it kicked) is done."""
        while True:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
            # Inbox hook: our tasks start rows, and answering a row may spawn tasks of ours.
            await self.core.inbox.settle()
            if not self._tasks:
                break
        await self.core.settle()

    # -- listeners -------------------------------------------------------------------------------

    def _register(self) -> None:
        bolt = self.bolt
        bolt.command("/cop")(self._on_command)
        bolt.action(re.compile(f"^({CHOICE_ACTION}|{SELECT_ACTION})"))(self._on_action)
        bolt.action(re.compile(f"^{LINK_ACTION}"))(self._on_link)
        bolt.view(FORM_CALLBACK)(self._on_submit)
        bolt.view_closed(FORM_CALLBACK)(self._on_link)
        bolt.shortcut(SAVE_AS_LESSON)(self._on_save_as_lesson)
        bolt.event("app_mention")(self._on_mention)
        bolt.event("message")(self._on_direct_message)
        bolt.event("app_home_opened")(self._on_home_opened)
        bolt.event("member_joined_channel")(self._on_member_joined)
        bolt.event("app_uninstalled")(self._on_uninstalled)
        bolt.event("tokens_revoked")(self._on_tokens_revoked)

    # -- a workspace removes copbot -------------------------------------------------------------

    async def _on_uninstalled(self, body: dict[str, Any]) -> None:
        tenant = tenant_of_payload(body)
        enterprise, team, _org_wide = install_of(tenant)
        store = self.workspaces.store
        if store is not None:
            await store.async_delete_all(enterprise_id=enterprise, team_id=team)
        await self._workspace_gone(body, tenant, "copbot was uninstalled from")

    async def _on_tokens_revoked(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        tenant = tenant_of_payload(body)
        enterprise, team, _org_wide = install_of(tenant)
        tokens = event.get("tokens") or {}
        store = self.workspaces.store
        if store is not None:
            for user_id in tokens.get("oauth") or []:
                await store.async_delete_installation(
                    enterprise_id=enterprise, team_id=team, user_id=user_id
                )
        if tokens.get("bot"):
            if store is not None:
                await store.async_delete_bot(enterprise_id=enterprise, team_id=team)
            await self._workspace_gone(body, tenant, "copbot's access was revoked in")

    async def _workspace_gone(self, body: dict[str, Any], tenant: str | None, what: str) -> None:
        """Nothing more goes to the workspace; coordinators are told (through the outbox)."""
        await installs.workspace_removed(
            self.core.services,
            Platform.SLACK,
            tenant,
            why=f"{what} the Slack workspace {tenant or ''}".strip(),
            event_key=f"slack:{body.get('event_id') or tenant}",
        )

    async def _on_link(self, ack: Any) -> None:
        await ack()  # link buttons open in the browser; Slack still tells us about the click

    # Inbox hooks (adapters/slack/inbox.py): each command, click, shortcut, DM, mention and form
    # is recorded in the database before its acknowledgement leaves, then run from there.

    async def _on_command(self, ack: Any, body: dict[str, Any]) -> None:
        await self.inbox.accept(ack, "command", body)

    async def _on_action(self, ack: Any, body: dict[str, Any]) -> None:
        await self.inbox.accept(ack, "action", body)

    async def _on_submit(self, ack: Any, body: dict[str, Any]) -> None:
        await self.inbox.submit(ack, body)

    async def _on_save_as_lesson(self, ack: Any, body: dict[str, Any]) -> None:
        await self.inbox.accept(ack, "shortcut", body)

    async def _on_mention(self, body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
        await self.inbox.accept_event("message", body, bot_user=context.get("bot_user_id"))

    async def _on_direct_message(
        self, body: dict[str, Any], event: dict[str, Any], context: Any
    ) -> None:
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        await self.inbox.accept_event("message", body, bot_user=context.get("bot_user_id"))

    async def _on_member_joined(
        self, body: dict[str, Any], event: dict[str, Any], context: Any
    ) -> None:
        if event.get("user") and event.get("user") == context.get("bot_user_id"):
            self.spawn(self._bot_joined(body, event))

    async def _bot_joined(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """Added to a channel: say hello there, on behalf of whoever invited the bot."""
        inviter, channel = event.get("inviter"), event.get("channel")
        if not inviter or not channel or not await self._first_delivery(body):
            return
        tenant = tenant_of_payload(body)
        try:
            async with self.workspaces.acting_for(tenant):
                user = await self._user(inviter, tenant, {})
                origin = Origin(user=user, channel_id=channel, is_direct=False)
                replies = await self.core.router.handle(Command(user, origin.conversation, "hello"))
                await self.port.post(channel, replies)
        except (SlackApiError, aiohttp.ClientError, NotInstalled) as exc:
            _LOGGER.warning("saying hello in %s failed: %s", channel, exc)

    async def _on_home_opened(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        self.spawn(self._home_opened(body, event))

    async def _home_opened(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        if not await self._first_delivery(body):
            return
        tenant = tenant_of_payload(body)
        try:
            async with self.workspaces.acting_for(tenant):
                user = await self._user(event.get("user", ""), tenant, {})
                await self.answers.publish_home(user)
        except NotInstalled as exc:
            _LOGGER.warning("no App Home for %s: %s", event.get("user"), exc)

    # -- helpers -------------------------------------------------------------------------------

    async def _user(self, user_id: str, tenant: str | None, body: dict[str, Any]) -> User:
        """The person behind a request; `body` (when given) tells the install they came by."""
        fallback = body.get("user_name") or (body.get("user") or {}).get("name")
        if body:
            tenant = tenant_of_payload(body) or tenant
        return await self.profiles.user(user_id, tenant, fallback)

    async def _interaction_origin(self, body: dict[str, Any]) -> Origin:
        container = body.get("container") or {}
        view = body.get("view") or {}
        team = (body.get("team") or {}).get("id")
        user = await self._user((body.get("user") or {}).get("id", ""), team, body)
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id") or ""
        from_home = container.get("type") == "view" or view.get("type") == "home"
        return Origin(
            user=user,
            channel_id=channel or None,
            is_direct=channel.startswith("D"),
            response_url=None if from_home else body.get("response_url"),
            trigger_id=body.get("trigger_id"),
            from_home=from_home,
            on_message=container.get("type") == "message",
        )

    async def _first_delivery(self, body: dict[str, Any]) -> bool:
        """False for an Events API retry of an event we already acted on."""
        event_id = body.get("event_id")
        if not event_id:
            return True
        return await self.core.first_time_seen(f"slack:{event_id}")


def _load(metadata: str | None) -> dict[str, Any]:
    try:
        data = json.loads(metadata or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


SLACK = web.AppKey("slack", SlackAdapter)
