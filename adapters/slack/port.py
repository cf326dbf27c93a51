"""The Slack `ChatPort`: proactive messages and in-request posts through the Web API.

Failures are translated, never retried here: a 429 becomes `RateLimited` (the dispatcher pauses
the workspace's sends for Retry-After), a 5xx `RetryLater`, a person or channel we can never
reach `Undeliverable`.

A DM is one chat.postMessage with the person's user id as the channel (Slack posts it in the
bot's DM with them, the App Home's Messages tab): no conversations.open per message, a Tier 3
method (~50/min) that would otherwise bind a fan-out to 50 people a minute, and nothing to store.
Every proactive message carries its outbox key in message metadata, so after a crash mid-send
`find_sent` can read the DM's recent history and tell whether the message went out.

Each send speaks with the token of the install its target belongs to (`workspaces`): with
OAuth installs, every workspace or Grid org its own; a workspace that removed copbot has none,
so its messages are undeliverable.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import fallback_text, message_blocks
from adapters.slack.workspaces import NotInstalled, Workspaces
from bot.config import Settings
from bot.messages import ConversationRef, Platform, Reply, SentMessage, Target, UserRef
from bot.ports import Pace, RateLimited, RetryLater, Undeliverable, bucket_of

_LOGGER = logging.getLogger(__name__)
UNDELIVERABLE = frozenset(
    {
        "account_inactive",
        "user_not_found",
        "users_not_found",
        "cannot_dm_bot",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "user_disabled",
        "user_is_restricted",
    }
)
DEFAULT_RETRY_SECONDS = 30.0
METADATA_EVENT = "copbot_outbox"
# conversations.open is Tier 3 (50+ a minute): the few look-ups after a crash keep to it.
OPEN_INTERVAL_SECONDS = 60 / 50
# How far back find_sent looks: a crash leaves at most a few sends in flight per DM.
HISTORY_DEPTH = 20


def translate_error(exc: SlackApiError) -> Exception:
    """The port exception a Web API failure stands for (or the error itself)."""
    response = exc.response
    status = getattr(response, "status_code", 0) or 0
    data = getattr(response, "data", None)
    error = data.get("error", "") if isinstance(data, dict) else ""
    if status == 429 or error == "ratelimited":
        headers = getattr(response, "headers", {}) or {}
        retry_after = headers.get("Retry-After") or headers.get("retry-after") or ""
        seconds = float(retry_after) if str(retry_after).isdigit() else DEFAULT_RETRY_SECONDS
        return RateLimited(seconds, "Slack rate limit")
    if status >= 500:
        return RetryLater(DEFAULT_RETRY_SECONDS, f"Slack answered {status}")
    if error in UNDELIVERABLE:
        return Undeliverable(error)
    return exc


class SlackPort:
    platform = Platform.SLACK

    def __init__(
        self,
        client: AsyncWebClient,
        settings: Settings | None = None,
        workspaces: Workspaces | None = None,
    ) -> None:
        self.client = client
        self.settings = settings or Settings()
        self.workspaces = workspaces or Workspaces(getattr(client, "token", None))
        self._opening = asyncio.Lock()
        self._last_open = 0.0

    # -- ChatPort -------------------------------------------------------------------------------

    async def send(self, target: Target, reply: Reply, *, key: str = "") -> SentMessage:
        channel = target.user_id if isinstance(target, UserRef) else target.conversation_id
        thread = None if isinstance(target, UserRef) else target.thread_id
        try:
            async with self._acting_for(target.tenant_id):
                response = await self._post_message(channel, [reply], thread_ts=thread, key=key)
                # A DM posted to a user id comes back with the real channel (D…): uploads need it.
                channel = str(response.get("channel") or channel)
                await self.upload_files(channel, [reply])
        except SlackApiError as exc:
            raise translate_error(exc) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryLater(DEFAULT_RETRY_SECONDS, f"Slack unreachable: {exc}") from exc
        if isinstance(target, UserRef):
            conversation = ConversationRef(
                Platform.SLACK, channel, target.tenant_id, is_direct=True
            )
        else:
            conversation = target
        return SentMessage(conversation, response.get("ts"))

    async def find_sent(self, target: Target, key: str) -> SentMessage | None:
        """The message posted earlier with outbox `key`, read from the channel's metadata."""
        try:
            async with self._acting_for(target.tenant_id):
                if isinstance(target, UserRef):
                    channel = await self._paced_dm_channel(target.user_id)
                    conversation = ConversationRef(
                        Platform.SLACK, channel, target.tenant_id, is_direct=True
                    )
                else:
                    channel, conversation = target.conversation_id, target
                history = await self.client.conversations_history(
                    channel=channel, limit=HISTORY_DEPTH, include_all_metadata=True
                )
        except SlackApiError as exc:
            raise translate_error(exc) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryLater(DEFAULT_RETRY_SECONDS, f"Slack unreachable: {exc}") from exc
        for message in history.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == METADATA_EVENT and payload.get("key") == key:
                return SentMessage(conversation, message.get("ts"))
        return None

    def pace(self, target: Target) -> Pace:
        channel = target.user_id if isinstance(target, UserRef) else target.conversation_id
        return Pace(
            shared=bucket_of(target),
            shared_per_second=self.settings.slack_workspace_per_minute / 60.0,
            channel=f"slack:{channel}",
            channel_per_second=self.settings.slack_channel_per_second,
        )

    async def update(self, sent: SentMessage, reply: Reply) -> None:
        try:
            async with self._acting_for(sent.conversation.tenant_id):
                await self.client.chat_update(
                    channel=sent.conversation.conversation_id,
                    ts=sent.message_id or "",
                    text=fallback_text([reply]),
                    blocks=message_blocks([reply]),
                )
        except SlackApiError as exc:
            raise translate_error(exc) from exc

    @contextlib.asynccontextmanager
    async def _acting_for(self, tenant: str | None) -> AsyncIterator[None]:
        try:
            async with self.workspaces.acting_for(tenant):
                yield
        except NotInstalled as exc:
            raise Undeliverable(str(exc)) from exc

    # -- building blocks used by the request handlers ---------------------------------------------

    async def _paced_dm_channel(self, user_id: str) -> str:
        async with self._opening:
            wait = self._last_open + OPEN_INTERVAL_SECONDS - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                return await self.dm_channel(user_id)
            finally:
                self._last_open = time.monotonic()

    async def dm_channel(self, user_id: str) -> str:
        response = await self.client.conversations_open(users=user_id)
        return str(response["channel"]["id"])

    async def post(
        self, channel: str, replies: Sequence[Reply], *, thread_ts: str | None = None
    ) -> str | None:
        response = await self._post_message(channel, replies, thread_ts=thread_ts)
        return response.get("ts")

    async def _post_message(
        self,
        channel: str,
        replies: Sequence[Reply],
        *,
        thread_ts: str | None = None,
        key: str = "",
    ) -> Any:
        metadata = {"event_type": METADATA_EVENT, "event_payload": {"key": key}} if key else None
        return await self.client.chat_postMessage(
            channel=channel,
            text=fallback_text(replies),
            blocks=message_blocks(replies),
            thread_ts=thread_ts,
            unfurl_links=False,
            metadata=metadata,
        )

    async def post_ephemeral(self, channel: str, user_id: str, replies: Sequence[Reply]) -> None:
        await self.client.chat_postEphemeral(
            channel=channel,
            user=user_id,
            text=fallback_text(replies),
            blocks=message_blocks(replies),
        )

    async def upload_files(self, channel: str, replies: Sequence[Reply]) -> None:
        """Charts and files follow their message. Best effort: the message already went out,
        so a failed upload must not make the dispatcher send the message again."""
        for reply in replies:
            uploads = []
            if reply.image is not None:
                uploads.append((reply.image.png, reply.image.filename, reply.image.alt))
            if reply.file is not None:
                uploads.append((reply.file.data, reply.file.filename, reply.file.filename))
            for data, filename, title in uploads:
                try:
                    await self.client.files_upload_v2(
                        channel=channel, content=data, filename=filename, title=title[:250]
                    )
                except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
                    _LOGGER.warning("uploading %s to Slack failed: %s", filename, exc)
