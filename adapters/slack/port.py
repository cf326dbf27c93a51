"""The Slack `ChatPort`: proactive messages and in-request posts through the Web API.

Failures are translated, never retried here: a 429 or a 5xx becomes `RetryLater` (the
dispatcher reschedules the outbox row), a person or channel we can never reach becomes
`Undeliverable`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import fallback_text, message_blocks
from bot.messages import ConversationRef, Platform, Reply, SentMessage, Target, UserRef
from bot.ports import RetryLater, Undeliverable

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
        return RetryLater(seconds, "Slack rate limit")
    if status >= 500:
        return RetryLater(DEFAULT_RETRY_SECONDS, f"Slack answered {status}")
    if error in UNDELIVERABLE:
        return Undeliverable(error)
    return exc


class SlackPort:
    platform = Platform.SLACK

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    # -- ChatPort -------------------------------------------------------------------------------

    async def send(self, target: Target, reply: Reply) -> SentMessage:
        try:
            if isinstance(target, UserRef):
                channel = await self.dm_channel(target.user_id)
                conversation = ConversationRef(
                    Platform.SLACK, channel, target.tenant_id, is_direct=True
                )
            else:
                channel, conversation = target.conversation_id, target
            ts = await self.post(channel, [reply], thread_ts=conversation.thread_id)
        except SlackApiError as exc:
            raise translate_error(exc) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryLater(DEFAULT_RETRY_SECONDS, f"Slack unreachable: {exc}") from exc
        await self.upload_files(channel, [reply])
        return SentMessage(conversation, ts)

    async def update(self, sent: SentMessage, reply: Reply) -> None:
        try:
            await self.client.chat_update(
                channel=sent.conversation.conversation_id,
                ts=sent.message_id or "",
                text=fallback_text([reply]),
                blocks=message_blocks([reply]),
            )
        except SlackApiError as exc:
            raise translate_error(exc) from exc

    # -- building blocks used by the request handlers ---------------------------------------------

    async def dm_channel(self, user_id: str) -> str:
        response = await self.client.conversations_open(users=user_id)
        return str(response["channel"]["id"])

    async def post(
        self, channel: str, replies: Sequence[Reply], *, thread_ts: str | None = None
    ) -> str | None:
        response = await self.client.chat_postMessage(
            channel=channel,
            text=fallback_text(replies),
            blocks=message_blocks(replies),
            thread_ts=thread_ts,
            unfurl_links=False,
        )
        return response.get("ts")

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
