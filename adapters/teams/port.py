"""The Teams `ChatPort`: proactive sends and in-place updates through the Bot Connector.

Every send starts from a stored `ConversationReference` (the `raw_ref` of a conversation row,
written on each inbound activity, so it survives restarts) and goes through
`CloudAdapter.continue_conversation`, which picks the credentials for the bot's app id. Inside
the turn the connector client is called directly: a continuation activity carries a random id,
and `TurnContext.send_activity` would turn every proactive message into a reply to it.

A direct message to a person without a 1:1 chat yet creates one (`create_conversation`) with the
service URL and tenant of a conversation the bot already has there; Teams accepts it for people
in the roster of a team where the bot is installed, and refuses it (403/404) otherwise.

Failures are translated, never retried here: 429 (with its Retry-After) becomes `RateLimited`
(the dispatcher pauses the tenant's sends), 412, 502, 503 and 504 `RetryLater`; a person who
blocked or removed the bot (403) or a conversation that is gone (404) becomes `Undeliverable`
and the conversation is marked so no later message tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)
from msrest.exceptions import HttpOperationError

from adapters.teams.cards import message_payloads
from bot.config import Settings
from bot.conversation_book import ConversationBook
from bot.messages import ConversationRef, Form, Platform, Reply, SentMessage, Target, UserRef
from bot.ports import Pace, RateLimited, RetryLater, Undeliverable, bucket_of

_LOGGER = logging.getLogger(__name__)
CHANNEL = "msteams"
RETRY_STATUSES = frozenset({412, 429, 502, 503, 504})
GONE_STATUSES = frozenset({403, 404})
BACKOFF_SECONDS = 30.0
MAX_BACKOFF_SECONDS = 3600.0


def status_of(exc: BaseException) -> int:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    return int(status or 0)


def retry_after(exc: BaseException) -> float | None:
    """The seconds Teams asked us to wait (Retry-After), if it said."""
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    value = str(headers.get("Retry-After") or headers.get("retry-after") or "").strip()
    try:
        return max(1.0, float(value))
    except ValueError:
        return None


def backoff_seconds(attempt: int) -> float:
    """30 s, 1 min, 2 min … capped at an hour: for failures that say nothing about waiting."""
    return min(MAX_BACKOFF_SECONDS, BACKOFF_SECONDS * 2 ** max(0, attempt - 1))


def translate_error(exc: BaseException, attempt: int = 1) -> BaseException:
    """The port exception a connector failure stands for (or the error itself).

    `attempt` counts consecutive failures for the same conversation, so a flapping service
    without Retry-After is tried again later and later.
    """
    if isinstance(exc, aiohttp.ClientError | TimeoutError):
        return RetryLater(backoff_seconds(attempt), f"Teams unreachable: {exc}")
    if not isinstance(exc, HttpOperationError):
        return exc
    status = status_of(exc)
    wait = retry_after(exc) or backoff_seconds(attempt)
    if status == 429:
        return RateLimited(wait, "Teams rate limit")
    if status in RETRY_STATUSES:
        return RetryLater(wait, f"Teams answered {status}")
    if status in GONE_STATUSES:
        return Undeliverable(f"Teams answered {status}: {exc}")
    return exc


def reference_from(raw: Mapping[str, Any] | None) -> ConversationReference | None:
    if not raw:
        return None
    reference = ConversationReference().deserialize(dict(raw))
    if not reference.service_url or not reference.conversation or not reference.conversation.id:
        return None
    return reference


def base_conversation_id(conversation_id: str) -> str:
    """A channel thread id (`19:…;messageid=123`) without its thread part."""
    return conversation_id.split(";messageid=", 1)[0]


class TeamsPort:
    platform = Platform.TEAMS

    def __init__(
        self,
        adapter: CloudAdapter,
        app_id: str,
        conversations: ConversationBook,
        settings: Settings | None = None,
    ) -> None:
        self.adapter = adapter
        self.app_id = app_id
        # Stored references come from the core's book: the port opens no storage session.
        self.conversations = conversations
        self.settings = settings or Settings()
        # Consecutive transient failures per target (memory only: a restart starts over).
        self._streaks: dict[str, int] = {}
        # People whose 1:1 chat this process has used: a DM to anyone else may create one first,
        # a second request on the tenant's budget (memory only: after a restart the first DM to
        # each person is counted twice, which errs on the safe side).
        self._known_direct: set[str] = set()

    # -- ChatPort -------------------------------------------------------------------------------

    async def send(self, target: Target, reply: Reply, *, key: str = "") -> SentMessage:
        reference, conversation = await self._resolve(target)
        try:
            ids = await self.post(reference, [reply], thread_id=conversation.thread_id)
        except Exception as exc:
            raise await self._failed(exc, conversation) from exc
        self._streaks.pop(conversation.conversation_id, None)
        if isinstance(target, UserRef):
            self._streaks.pop(target.user_id, None)
            self._known_direct.add(target.user_id)
        return SentMessage(conversation, ids[0] if ids else None)

    async def find_sent(self, target: Target, key: str) -> SentMessage | None:
        # The Bot Connector cannot list a conversation's messages: a send interrupted by a crash
        # is sent again (the README states this bound).
        return None

    def pace(self, target: Target) -> Pace:
        channel = target.user_id if isinstance(target, UserRef) else target.conversation_id
        unknown_direct = isinstance(target, UserRef) and target.user_id not in self._known_direct
        return Pace(
            shared=bucket_of(target),
            shared_per_second=self.settings.teams_tenant_per_second,
            channel=f"teams:{base_conversation_id(channel)}",
            channel_per_second=self.settings.teams_conversation_per_second,
            cost=2 if unknown_direct else 1,
        )

    async def update(self, sent: SentMessage, reply: Reply) -> None:
        reference = await self._stored_reference(sent.conversation)
        if reference is None or not sent.message_id:
            raise Undeliverable("no stored Teams conversation to update")
        [payload] = message_payloads([reply])[:1]
        message_id = sent.message_id

        async def update(connector: Any, activity: Activity) -> None:
            activity.id = message_id
            await connector.conversations.update_activity(
                activity.conversation.id, message_id, activity
            )

        try:
            await self._with_connector(reference, [payload], update)
        except Exception as exc:
            raise await self._failed(exc, sent.conversation) from exc

    # -- building blocks used by the request handlers -----------------------------------------

    async def post(
        self,
        reference: ConversationReference,
        replies: Sequence[Reply],
        *,
        thread_id: str | None = None,
        form: Form | None = None,
        values: Mapping[str, str] | None = None,
    ) -> list[str | None]:
        """Send replies as new messages (in a channel thread when `thread_id` is given); a
        reply with field errors shows `form` again, filled in with `values`."""
        ids: list[str | None] = []

        async def send(connector: Any, activity: Activity) -> None:
            conversation_id = activity.conversation.id
            if thread_id:
                response = await connector.conversations.reply_to_activity(
                    conversation_id, thread_id, activity
                )
            else:
                response = await connector.conversations.send_to_conversation(
                    conversation_id, activity
                )
            ids.append(getattr(response, "id", None))

        payloads = message_payloads(replies, form=form, values=values)
        await self._with_connector(reference, payloads, send)
        return ids

    async def direct_reference(
        self, user_id: str, tenant_id: str | None, *, near: ConversationReference | None = None
    ) -> ConversationReference:
        """The 1:1 chat with a person: stored, or created next to `near` (or any known ref)."""
        row = await self.conversations.direct(Platform.TEAMS, user_id)
        if row is not None and row.undeliverable:
            raise Undeliverable(f"{user_id} blocked or removed the bot")
        stored = reference_from(row.raw_ref) if row is not None else None
        if stored is not None:
            return stored
        if near is None:
            known = await self.conversations.any_in_tenant(Platform.TEAMS, tenant_id)
            near = reference_from(known.raw_ref) if known is not None else None
        if near is None:
            raise Undeliverable(f"no Teams conversation known in tenant {tenant_id}")
        return await self._create_direct(user_id, tenant_id, near)

    # -- internals --------------------------------------------------------------------------------

    async def _resolve(self, target: Target) -> tuple[ConversationReference, ConversationRef]:
        if isinstance(target, UserRef):
            try:
                reference = await self.direct_reference(target.user_id, target.tenant_id)
            except Exception as exc:
                raise translate_error(exc, self._streak(target.user_id)) from exc
            assert reference.conversation is not None
            conversation = ConversationRef(
                Platform.TEAMS,
                reference.conversation.id,
                target.tenant_id,
                is_direct=True,
                raw=reference.serialize(),
            )
            return reference, conversation
        # The stored row is refreshed by every inbound activity (service URLs can move).
        reference = await self._stored_reference(target)
        if reference is None:
            raise Undeliverable(f"no Teams conversation reference for {target.conversation_id}")
        return reference, target

    async def _stored_reference(self, target: ConversationRef) -> ConversationReference | None:
        row = await self.conversations.get(Platform.TEAMS, target.conversation_id)
        if row is not None and row.undeliverable:
            raise Undeliverable(f"{target.conversation_id} is marked undeliverable")
        return reference_from(row.raw_ref if row is not None else None) or reference_from(
            target.raw
        )

    async def _create_direct(
        self, user_id: str, tenant_id: str | None, near: ConversationReference
    ) -> ConversationReference:
        tenant = tenant_id or (near.conversation.tenant_id if near.conversation else None)
        bot = near.bot or ChannelAccount(id=f"28:{self.app_id}")
        parameters = ConversationParameters(
            is_group=False,
            bot=bot,
            members=[ChannelAccount(id=user_id)],
            tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}} if tenant else None,
        )
        created: list[str] = []

        async def remember(context: TurnContext) -> None:
            created.append(context.activity.conversation.id)

        await self.adapter.create_conversation(
            self.app_id,
            remember,
            parameters,
            channel_id=near.channel_id or CHANNEL,
            service_url=near.service_url,
        )
        reference = ConversationReference(
            bot=bot,
            user=ChannelAccount(id=user_id),
            conversation=ConversationAccount(
                id=created[0], conversation_type="personal", tenant_id=tenant, is_group=False
            ),
            channel_id=near.channel_id or CHANNEL,
            service_url=near.service_url,
        )
        await self.conversations.remember(
            platform=Platform.TEAMS,
            conversation_id=created[0],
            tenant_id=tenant,
            is_direct=True,
            platform_user_id=user_id,
            raw_ref=reference.serialize(),
        )
        return reference

    async def _with_connector(
        self,
        reference: ConversationReference,
        payloads: Sequence[Mapping[str, Any]],
        call: Callable[[Any, Activity], Awaitable[None]],
    ) -> None:
        """Run `call(connector, activity)` for each payload inside a proactive turn."""

        async def logic(context: TurnContext) -> None:
            connector = context.turn_state[self.adapter.BOT_CONNECTOR_CLIENT_KEY]
            for payload in payloads:
                activity = Activity().deserialize(dict(payload))
                activity.conversation = reference.conversation
                activity.from_property = reference.bot
                activity.recipient = reference.user
                activity.channel_id = reference.channel_id
                activity.service_url = reference.service_url
                await call(connector, activity)

        await self.adapter.continue_conversation(reference, logic, self.app_id)

    def _streak(self, key: str) -> int:
        self._streaks[key] = self._streaks.get(key, 0) + 1
        return self._streaks[key]

    async def _failed(self, exc: BaseException, conversation: ConversationRef) -> BaseException:
        translated = translate_error(exc, self._streak(conversation.conversation_id))
        if isinstance(translated, Undeliverable):
            await self.conversations.mark_undeliverable(
                Platform.TEAMS, conversation.conversation_id
            )
            _LOGGER.info("Teams conversation %s is undeliverable: %s", conversation, exc)
        return translated
