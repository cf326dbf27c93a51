"""Showing the core's replies on Slack: forms as modals, the rest where each belongs.

Private replies go back to the asker (the response_url of a command or click, else an
ephemeral message, or the DM), channel replies to the channel, direct ones to the DM; charts
and files follow as uploads. A form opens as a modal when the request carried a trigger; a typed
message carries none, so the reply gets a button that asks again and opens it.

When Slack refuses an answer (blocks it will not take, an expired response_url, a network
error), the asker is not left in silence: a short plain-text apology goes where the answer
should have gone, else as an ephemeral message, else as a DM.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.blocks import fallback_text, home_view, message_blocks
from adapters.slack.modals import modal_view
from adapters.slack.port import SlackPort
from bot.core_api import CoreAPI
from bot.messages import Choice, ConversationRef, Platform, Reply, User, Visibility

_LOGGER = logging.getLogger(__name__)
_HOME = "home:"
SORRY = (
    "Sorry, Slack would not show my answer here. Your request reached me; to see the answer, "
    "send the same command to me in a direct message, or try again in a moment."
)


class ResponseUrlError(Exception):
    """A response_url refused the answer (expired, used up, or blocks Slack would not take)."""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a request came from and how to answer it."""

    user: User
    channel_id: str | None
    is_direct: bool
    response_url: str | None = None
    trigger_id: str | None = None
    thread_ts: str | None = None
    from_home: bool = False
    on_message: bool = False  # a click on a message: its response_url can replace it
    command: str | None = None  # what was typed or clicked: a button can ask for it again

    @property
    def conversation(self) -> ConversationRef:
        if self.from_home or not self.channel_id:
            return ConversationRef(
                Platform.SLACK, f"{_HOME}{self.user.id}", self.user.tenant_id, is_direct=True
            )
        return ConversationRef(
            Platform.SLACK,
            self.channel_id,
            self.user.tenant_id,
            thread_id=self.thread_ts,
            is_direct=self.is_direct,
        )

    def metadata(self) -> dict[str, Any]:
        """What a modal must remember to answer after it is submitted."""
        return {
            "c": self.channel_id,
            "d": self.is_direct,
            "r": self.response_url,
            "h": self.from_home,
        }


class Answers:
    def __init__(self, core: CoreAPI, client: AsyncWebClient, port: SlackPort) -> None:
        self.core = core
        self.client = client
        self.port = port
        # One HTTP session (a connection pool) for every response_url post, made in the loop
        # at the first post and closed with the adapter: a session per post cost a new TCP
        # and TLS connection each time.
        self._http: aiohttp.ClientSession | None = None

    def http(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._http

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def publish_home(self, user: User) -> None:
        replies = await self.core.router.home(user)
        try:
            await self.client.views_publish(user_id=user.id, view=home_view(replies))
        except (SlackApiError, aiohttp.ClientError) as exc:
            _LOGGER.warning("publishing the App Home of %s failed: %s", user.id, exc)

    async def answer(self, origin: Origin, replies: Sequence[Reply]) -> None:
        """Show replies where they belong: forms as modals, then by visibility.

        Never raises: if any part cannot be shown the asker gets a plain-text apology.
        """
        try:
            await self._answer(origin, list(replies))
        except (SlackApiError, ResponseUrlError, aiohttp.ClientError, TimeoutError) as exc:
            _LOGGER.warning("answering on Slack failed: %s", exc)
            await self.apologise(origin)
        except Exception:
            # A rendering bug must not leave the person in silence either.
            _LOGGER.exception("answering on Slack failed")
            await self.apologise(origin)
        await self.core.settle()

    async def apologise(self, origin: Origin) -> None:
        """A plain-text apology (no blocks: they may be what Slack refused), best effort."""
        if origin.response_url and not origin.from_home:
            try:
                await _respond_text(self.http(), origin.response_url, SORRY)
                return
            except (ResponseUrlError, aiohttp.ClientError, TimeoutError) as exc:
                _LOGGER.info("apologising at the response_url failed: %s", exc)
        try:
            if origin.channel_id and not origin.is_direct and not origin.from_home:
                await self.client.chat_postEphemeral(
                    channel=origin.channel_id, user=origin.user.id, text=SORRY
                )
                return
            channel = (
                origin.channel_id
                if origin.is_direct and origin.channel_id and not origin.from_home
                else await self.port.dm_channel(origin.user.id)
            )
            await self.client.chat_postMessage(channel=channel, text=SORRY)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            _LOGGER.warning("could not even apologise to %s: %s", origin.user.id, exc)

    async def _answer(self, origin: Origin, replies: list[Reply]) -> None:
        shown: list[Reply] = []
        for reply in replies:
            if reply.form is not None:
                if await self._open_form(origin, reply):
                    continue
                reply = _with_open_button(reply, origin.command)
            shown.append(reply)
        groups: dict[Visibility, list[Reply]] = {}
        for reply in shown:
            groups.setdefault(reply.visibility, []).append(reply)
        if groups.get(Visibility.DIRECT):
            await self._to_dm(origin, groups[Visibility.DIRECT])
        if groups.get(Visibility.CHANNEL):
            await self._to_channel(origin, groups[Visibility.CHANNEL])
        if groups.get(Visibility.PRIVATE):
            await self._to_asker(origin, groups[Visibility.PRIVATE])

    async def _open_form(self, origin: Origin, reply: Reply) -> bool:
        assert reply.form is not None
        if not origin.trigger_id:
            return False
        try:
            await self.client.views_open(
                trigger_id=origin.trigger_id,
                view=modal_view(reply.form, origin.metadata(), reply.text),
            )
        except SlackApiError as exc:
            _LOGGER.info("opening a modal failed: %s", exc)
            return False
        return True

    async def _to_dm(self, origin: Origin, replies: list[Reply]) -> None:
        channel = (
            origin.channel_id
            if origin.is_direct and origin.channel_id
            else await self.port.dm_channel(origin.user.id)
        )
        await self.port.post(channel, replies)
        await self.port.upload_files(channel, replies)

    async def _to_channel(self, origin: Origin, replies: list[Reply]) -> None:
        if origin.from_home or not origin.channel_id:
            await self._to_dm(origin, replies)
            return
        if origin.response_url:
            await _respond(self.http(), origin.response_url, replies, response_type="in_channel")
        else:
            await self.port.post(origin.channel_id, replies, thread_ts=origin.thread_ts)
        await self.port.upload_files(origin.channel_id, replies)

    async def _to_asker(self, origin: Origin, replies: list[Reply]) -> None:
        if origin.response_url and not origin.from_home:
            replace_original = origin.on_message and any(r.replace for r in replies)
            await _respond(
                self.http(),
                origin.response_url,
                replies,
                response_type="ephemeral",
                replace_original=replace_original,
            )
            if any(r.image or r.file for r in replies):
                await self._upload_to_asker(origin, replies)
            return
        if origin.from_home or not origin.channel_id or origin.is_direct:
            await self._to_dm(origin, replies)
            return
        await self.port.post_ephemeral(origin.channel_id, origin.user.id, replies)
        if any(r.image or r.file for r in replies):
            await self._upload_to_asker(origin, replies)

    async def _upload_to_asker(self, origin: Origin, replies: list[Reply]) -> None:
        """Private files go to the asker's DM with the bot (a channel would show them to all)."""
        channel = (
            origin.channel_id
            if origin.is_direct and origin.channel_id
            else await self.port.dm_channel(origin.user.id)
        )
        await self.port.upload_files(channel, replies)


def _with_open_button(reply: Reply, command: str | None) -> Reply:
    """A form that could not open (a typed message has no trigger): a button that asks again.

    Clicking it sends the same command with a fresh trigger, so the modal opens then.
    """
    if not command or reply.form is None:
        return reply
    again = Choice(f"Open: {reply.form.title}", command, style="primary")
    return replace(reply, choices=(again, *reply.choices))


async def _respond(
    http: aiohttp.ClientSession,
    url: str,
    replies: Sequence[Reply],
    *,
    response_type: str,
    replace_original: bool = False,
) -> None:
    response = await AsyncWebhookClient(url, session=http).send(
        text=fallback_text(replies),
        blocks=message_blocks(replies),
        response_type=response_type,
        replace_original=replace_original,
    )
    if response.status_code >= 300:
        raise ResponseUrlError(f"response_url answered {response.status_code}: {response.body}")


async def _respond_text(http: aiohttp.ClientSession, url: str, text: str) -> None:
    response = await AsyncWebhookClient(url, session=http).send(
        text=text, response_type="ephemeral"
    )
    if response.status_code >= 300:
        raise ResponseUrlError(f"response_url answered {response.status_code}: {response.body}")
