"""Bot Framework activities in, neutral requests to the core, Adaptive Cards out.

`POST /api/messages` is checked here before botbuilder sees it (the activity's shape in
`adapters.teams.validate`: 400 when wrong): with an app id, a request
without a well-formed `Bearer` JWT (RS256/384/512) gets 401 at once, and any failure of the SDK's
own validation (bad signature, issuer, audience, `serviceurl` claim, expiry) is a 401 too,
never a 500. Without an app id the adapter runs in emulator mode: no token is checked and only
loopback clients are served, never requests relayed by a reverse proxy (`mount` refuses
emulator mode unless HOST is loopback).

A message (a `Command`), a card click (`value.cop_command` or the choice set: an `Action`), a
form (`value.cop_form`: a `FormSubmission`) and the "Save as lesson" invokes are recorded in the
durable inbox before the HTTP answer, under the activity id, then processed from there
(adapters.teams.inbox): answered in the turn when done in time, else proactively.
`conversationUpdate` and `installationUpdate` store the conversation reference and welcome: the
conversation when the bot is added, a person in their 1:1 chat when they join a team the bot
is in.
"""

from __future__ import annotations

import asyncio
import contextvars
import ipaddress
import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jwt
from aiohttp import web
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, ActivityTypes
from msrest.exceptions import HttpOperationError

from adapters.teams import actions, validate
from adapters.teams.cards import message_payloads
from adapters.teams.inbox import NotRecorded, TeamsInbox
from adapters.teams.origin import Origin, origin_of, tenant_of
from adapters.teams.port import (
    GONE_STATUSES,
    RETRY_STATUSES,
    TeamsPort,
    base_conversation_id,
    retry_after,
    status_of,
)
from bot.config import Settings
from bot.core_api import CoreAPI
from bot.messages import (
    Command,
    ConversationRef,
    Form,
    Platform,
    Reply,
    SentMessage,
    User,
    Visibility,
)
from bot.ports import Undeliverable

_LOGGER = logging.getLogger(__name__)
ALGORITHMS = frozenset({"RS256", "RS384", "RS512"})
PROFILE_TTL = timedelta(hours=6)
MAX_PROFILES = 10_000
IN_TURN_ATTEMPTS = 3
MAX_IN_TURN_WAIT = 2.0
# What botbuilder raises for a token it refuses (it never answers 401 for most of them itself).
_REFUSED = (PermissionError, jwt.PyJWTError, ValueError, KeyError, IndexError, TypeError)
# The raw JSON of the activity being handled (botbuilder's models drop unknown fields).
_BODY: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar("teams_body")


class BotConfig:
    """The attribute names botbuilder's configuration factories read.

    Every endpoint is given, so botbuilder takes its "parameterized" path (any cloud, the
    public one by default) and never a built-in constant: tests point them all at a fake.
    """

    def __init__(self, settings: Settings) -> None:
        self.APP_ID = settings.microsoft_app_id
        self.APP_PASSWORD = settings.microsoft_app_password
        self.APP_TYPE = settings.microsoft_app_type or "MultiTenant"
        self.APP_TENANTID = settings.microsoft_app_tenant_id
        self.VALIDATE_AUTHORITY = settings.microsoft_validate_authority
        self.TO_CHANNEL_FROM_BOT_LOGIN_URL = settings.microsoft_token_authority
        self.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE = settings.microsoft_oauth_scope
        self.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER = settings.microsoft_token_issuer
        self.OAUTH_URL = settings.microsoft_oauth_url
        self.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL = settings.microsoft_openid_metadata_url
        self.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL = (
            settings.microsoft_emulator_openid_metadata_url
        )
        self.CALLER_ID = settings.microsoft_caller_id


class TeamsAdapter:
    def __init__(self, core: CoreAPI, settings: Settings) -> None:
        self.core = core
        self.settings = settings
        self.app_id = settings.microsoft_app_id
        self.auth = ConfigurationBotFrameworkAuthentication(BotConfig(settings))
        self.cloud = CloudAdapter(self.auth)
        self.cloud.on_turn_error = None  # our turn catches its own errors; proactive ones raise
        self.port = TeamsPort(self.cloud, self.app_id, core.conversations, settings)
        self._profiles: dict[str, tuple[Any, dict[str, str | None]]] = {}
        self.inbox = TeamsInbox(self)  # inbox hook

    # -- HTTP --------------------------------------------------------------------------------

    async def handle_http(self, request: web.Request) -> web.Response:
        if not self.app_id and (not _is_loopback(request.remote) or _proxied(request)):
            return web.json_response({"error": "emulator mode serves loopback only"}, status=401)
        header = request.headers.get("Authorization")
        if self.app_id and not _well_formed_bearer(header):
            return web.json_response({"error": "unauthorized"}, status=401)
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.json_response({"error": "expected application/json"}, status=415)
        try:
            body = validate.checked_activity(await request.json())
            activity = Activity().deserialize(body) if body is not None else None
        except Exception:  # undecodable JSON or a shape msrest cannot read
            activity = None
        if activity is None or body is None or not activity.type or not _addressable(activity):
            return web.json_response({"error": "bad request"}, status=400)
        try:
            authenticated = await self._authenticate(activity, header)
        except _REFUSED as exc:
            _LOGGER.info("refused a Teams activity: %s: %s", type(exc).__name__, exc)
            return web.json_response({"error": "unauthorized"}, status=401)
        except Exception as exc:  # the signing keys could not be fetched: Teams retries
            _LOGGER.warning("could not validate a Teams token: %s", exc)
            return web.json_response({"error": "unavailable"}, status=503)
        activity.delivery_mode = None  # expectReplies answers 500 in botbuilder 4.17 over HTTP
        token = _BODY.set(body)
        try:
            invoke = await self.cloud.process_activity(authenticated, activity, self.on_turn)
        except NotRecorded:
            # Nothing was taken in: a failure answer makes Teams deliver it again.
            return web.json_response({"error": "busy"}, status=503)
        except Exception:  # the turn catches its own errors: this is the SDK failing around it
            _LOGGER.exception("botbuilder could not process a %s activity", activity.type)
            return web.json_response({"error": "internal error"}, status=500)
        finally:
            _BODY.reset(token)
        if invoke is not None:
            if invoke.body is None:
                return web.Response(status=invoke.status)
            return web.json_response(invoke.body, status=invoke.status)
        return web.Response(status=201)

    async def _authenticate(self, activity: Activity, header: str | None) -> Any:
        """botbuilder's validation; with an app id it runs in a worker thread, because the SDK
        fetches the Bot Framework signing keys with blocking `requests` calls."""
        if not self.app_id:
            return await self.auth.authenticate_request(activity, None)

        def validate() -> Any:
            return asyncio.run(self.auth.authenticate_request(activity, header))

        return await asyncio.to_thread(validate)

    async def close(self, _app: web.Application) -> None:
        await self.settle()

    async def settle(self) -> None:
        """Wait until every recorded activity is processed and answered (tests, shutdown)."""
        await self.core.inbox.settle()
        await self.core.settle()

    # -- turns -------------------------------------------------------------------------------

    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        try:
            if activity.type == ActivityTypes.message:
                await self._message(context)
            elif activity.type in (
                ActivityTypes.conversation_update,
                ActivityTypes.installation_update,
            ):
                await self._installed(context)
            elif activity.type == ActivityTypes.invoke:
                await self._invoke(context)
        except NotRecorded:
            raise
        except Exception:
            _LOGGER.exception("Teams turn failed (%s)", activity.type)
        await self.core.settle()

    async def _message(self, context: TurnContext) -> None:
        activity = context.activity
        if activity.from_property is None or activity.from_property.id == _bot_id(activity):
            return
        await self.inbox.accept(context, _BODY.get({}))  # inbox hook

    async def _invoke(self, context: TurnContext) -> None:
        """Message actions answer in the invoke response (a dialog, or nothing to close it)."""
        body = _BODY.get({})
        value = given if isinstance(given := body.get("value"), dict) else {}
        answer: dict[str, Any] = {}
        if value.get("commandId") == actions.SAVE_AS_LESSON and context.activity.name in (
            actions.FETCH,
            actions.SUBMIT,
        ):
            answer = await self.inbox.accept(context, body) or {}  # inbox hook
        await context.send_activity(
            Activity(
                type=ActivityTypes.invoke_response,
                value=InvokeResponse(status=200, body=answer),
            )
        )

    async def _installed(self, context: TurnContext) -> None:
        activity = context.activity
        bot_id = _bot_id(activity)
        removed = any(m and m.id == bot_id for m in (activity.members_removed or [])) or (
            activity.type == ActivityTypes.installation_update
            and str(activity.action or "").startswith("remove")
        )
        if removed:
            # Uninstalled: nothing can reach this conversation until the app is added again.
            await self.core.conversations.mark_undeliverable(
                Platform.TEAMS, base_conversation_id(activity.conversation.id)
            )
            return
        origin = await self._origin(context, remember=True)
        added = [m for m in (activity.members_added or []) if m and m.id]
        bot_added = any(m.id == bot_id for m in added) or (
            activity.type == ActivityTypes.installation_update
            and str(activity.action or "").startswith("add")
        )
        if bot_added and await self.core.first_time_seen(
            f"teams:welcome:{origin.conversation.conversation_id}"
        ):
            replies = await self.core.router.handle(
                Command(origin.user, origin.conversation, "hello")
            )
            try:
                await self._retrying(
                    lambda: self.port.post(origin.reference, replies, thread_id=None)
                )
            except Exception as exc:
                _LOGGER.warning("saying hello in %s failed: %s", origin.conversation, exc)
        if origin.is_direct:
            return
        for member in added:
            if member.id == bot_id or not await self.core.first_time_seen(
                f"teams:welcome:{origin.conversation.conversation_id}:{member.id}"
            ):
                continue
            await self._welcome_member(origin, member.id, member.name)

    async def _welcome_member(self, origin: Origin, user_id: str, name: str | None) -> None:
        """A person joined a team the bot is in: say hello in their 1:1 chat."""
        user = User(Platform.TEAMS, user_id, name=name, tenant_id=origin.user.tenant_id)
        try:
            reference = await self.port.direct_reference(
                user_id, user.tenant_id, near=origin.reference
            )
            assert reference.conversation is not None
            conversation = ConversationRef(
                Platform.TEAMS,
                reference.conversation.id,
                user.tenant_id,
                is_direct=True,
                raw=reference.serialize(),
            )
            replies = await self.core.router.handle(Command(user, conversation, "hello"))
            await self._retrying(lambda: self.port.post(reference, replies))
        except Exception as exc:
            _LOGGER.info("welcoming %s failed: %s", user_id, exc)

    # -- answering -----------------------------------------------------------------------------

    async def answer(
        self,
        context: TurnContext,
        origin: Origin,
        replies: Sequence[Reply],
        *,
        form: Form | None = None,
        values: Mapping[str, str] | None = None,
        in_turn: bool = True,
    ) -> None:
        """Show replies where they belong: in place, in the conversation, or in the 1:1 chat.

        `in_turn=False` (an invoke, which is no message to reply to) posts new messages instead.
        """
        replies = list(replies)
        clicked = context.activity.reply_to_id
        if clicked and not any(r.errors for r in replies):
            replaced = [r for r in replies if r.replace]
            if replaced:
                await self._update_in_turn(context, clicked, replaced)
                replies = [r for r in replies if not r.replace]
        here, private = _split(origin, replies, form)
        if here and not in_turn:
            try:
                await self._retrying(
                    lambda: self.port.post(
                        origin.reference, here, thread_id=origin.conversation.thread_id
                    )
                )
            except Exception as exc:
                _LOGGER.warning("answering on Teams failed: %s", exc)
        elif here:
            await self._send_in_turn(context, message_payloads(here, form=form, values=values))
        if private:
            await self._to_direct(context, origin, private, form=form, values=values)

    async def answer_late(
        self,
        origin: Origin,
        replies: Sequence[Reply],
        *,
        clicked: str | None = None,
        form: Form | None = None,
        values: Mapping[str, str] | None = None,
    ) -> None:
        """Answer after the turn is over (a row taken over after a restart, or work slower
        than Teams waits): everything through the port, to the stored conversation reference.

        Failures other than "gone" raise, so the inbox tries the answer again later.
        """
        replies = list(replies)
        if clicked and not any(r.errors for r in replies):
            replaced = [r for r in replies if r.replace]
            if replaced:
                sent = SentMessage(origin.conversation, clicked)
                await self._gone_is_fine(lambda: self.port.update(sent, replaced[0]))
                replies = [r for r in replies if not r.replace]
        here, private = _split(origin, replies, form)
        thread = origin.conversation.thread_id
        if here:
            await self._gone_is_fine(
                lambda: self.port.post(
                    origin.reference, here, thread_id=thread, form=form, values=values
                )
            )
        if private:
            try:
                reference = await self.port.direct_reference(
                    origin.user.id, origin.user.tenant_id, near=origin.reference
                )
            except Exception as exc:
                _LOGGER.info("no 1:1 chat with %s (%s); answering in place", origin.user.id, exc)
                reference, private_thread = origin.reference, thread
            else:
                private_thread = None
            await self._gone_is_fine(
                lambda: self.port.post(
                    reference, private, thread_id=private_thread, form=form, values=values
                )
            )

    async def _gone_is_fine(self, call: Any) -> None:
        try:
            await self._retrying(call)
        except HttpOperationError as exc:
            if status_of(exc) not in GONE_STATUSES:
                raise
            _LOGGER.info("a late Teams answer found nobody there: %s", exc)
        except Undeliverable as exc:
            _LOGGER.info("a late Teams answer found nobody there: %s", exc)

    async def _to_direct(
        self,
        context: TurnContext,
        origin: Origin,
        replies: list[Reply],
        *,
        form: Form | None,
        values: Mapping[str, str] | None,
    ) -> None:
        """Private answers to a channel or group chat go to the person's 1:1 chat (Teams has no
        ephemeral messages); when that chat cannot be opened they are answered in place."""
        try:
            reference = await self.port.direct_reference(
                origin.user.id, origin.user.tenant_id, near=origin.reference
            )
            await self._retrying(lambda: self.port.post(reference, replies))
        except Exception as exc:
            _LOGGER.info("no 1:1 chat with %s (%s); answering in place", origin.user.id, exc)
            await self._send_in_turn(context, message_payloads(replies, form=form, values=values))

    async def _send_in_turn(self, context: TurnContext, payloads: list[dict[str, Any]]) -> None:
        for payload in payloads:
            activity = Activity().deserialize(payload)
            try:
                await self._retrying(lambda activity=activity: context.send_activity(activity))
            except Exception as exc:
                _LOGGER.warning("answering on Teams failed: %s", exc)
                return

    async def _update_in_turn(
        self, context: TurnContext, activity_id: str, replies: list[Reply]
    ) -> None:
        payload = message_payloads(replies)[0]
        activity = Activity().deserialize(payload)
        activity.id = activity_id
        try:
            await self._retrying(lambda: context.update_activity(activity))
        except Exception as exc:
            _LOGGER.warning("updating a Teams card failed: %s", exc)
            await self._send_in_turn(context, [payload])

    async def _retrying(self, call: Any) -> Any:
        """A few quick tries on 429/412/5xx for answers sent while Teams waits for the turn;
        proactive messages retry through the outbox instead."""
        for attempt in range(1, IN_TURN_ATTEMPTS + 1):
            try:
                return await call()
            except HttpOperationError as exc:
                if status_of(exc) not in RETRY_STATUSES or attempt == IN_TURN_ATTEMPTS:
                    raise
                await asyncio.sleep(min(retry_after(exc) or attempt, MAX_IN_TURN_WAIT))
        return None

    # -- who and where ---------------------------------------------------------------------------

    async def _origin(self, context: TurnContext, *, remember: bool = False) -> Origin:
        activity = context.activity
        body = _BODY.get({})
        sender = activity.from_property
        user = await self._user(context, sender.id if sender else "", sender, tenant_of(body))
        origin = origin_of(activity, body, user)
        if remember:
            conversation = origin.conversation
            await self.core.conversations.remember(
                platform=Platform.TEAMS,
                conversation_id=conversation.conversation_id,
                tenant_id=conversation.tenant_id,
                is_direct=conversation.is_direct,
                platform_user_id=user.id if conversation.is_direct else None,
                raw_ref=dict(conversation.raw or {}),
            )
        return origin

    async def sender(self, context: TurnContext) -> User:
        """Who sent the activity of this turn (their profile needs the turn's connector)."""
        sender = context.activity.from_property
        return await self._user(
            context, sender.id if sender else "", sender, tenant_of(_BODY.get({}))
        )

    async def _user(
        self, context: TurnContext, user_id: str, account: Any, tenant: str | None
    ) -> User:
        """The sender, with the email Teams knows (cached): one person across platforms."""
        now = self.core.services.clock.now()
        cached = self._profiles.get(user_id)
        if cached is None or cached[0] <= now:
            if len(self._profiles) >= MAX_PROFILES:
                self._profiles.clear()  # a crude bound; profiles are cheap to fetch again
            profile = await self._profile(context, user_id)
            self._profiles[user_id] = (now + PROFILE_TTL, profile)
        else:
            profile = cached[1]
        return User(
            Platform.TEAMS,
            user_id,
            name=profile.get("name") or getattr(account, "name", None),
            email=profile.get("email") if self._email_trusted(tenant) else None,
            tenant_id=tenant,
            timezone=_client_timezone(_BODY.get({})),
        )

    def _email_trusted(self, tenant: str | None) -> bool:
        """Whether a profile email may make this sender the same member as that email elsewhere.

        The core joins identities by email, so an email is a claim to be that person. A
        multi-tenant bot answers any Entra tenant, and a tenant's admin can put any address in
        a user's `mail` ("nOAuth"): trusted only from the home tenant (MICROSOFT_APP_TENANT_ID),
        or in emulator mode, which is loopback-only and unauthenticated anyway. Others link
        their accounts with `link` codes.
        """
        if not self.app_id:
            return True
        home = self.settings.microsoft_app_tenant_id
        return bool(home and tenant and tenant.lower() == home.lower())

    async def _profile(self, context: TurnContext, user_id: str) -> dict[str, str | None]:
        connector = context.turn_state.get(self.cloud.BOT_CONNECTOR_CLIENT_KEY)
        if connector is None or not user_id:
            return {}
        try:
            member = await connector.conversations.get_conversation_member(
                context.activity.conversation.id, user_id
            )
        except Exception as exc:  # a profile is a nicety: the message still gets its answer
            _LOGGER.info("no Teams profile for %s: %s", user_id, exc)
            return {}
        extra = getattr(member, "additional_properties", None) or {}
        email = extra.get("email") or extra.get("userPrincipalName")
        return {"name": getattr(member, "name", None), "email": email}


def _client_timezone(body: Mapping[str, Any]) -> str | None:
    """The sender's IANA timezone, as their Teams client reports it: the activity's
    `localTimezone`, or the `timezone` of its clientInfo entity. The core keeps it only when
    the person has none yet (their own `timezone` wins), and only a zone it knows."""
    found = body.get("localTimezone")
    if not found:
        found = next(
            (
                e.get("timezone")
                for e in body.get("entities") or ()
                if isinstance(e, Mapping) and e.get("type") == "clientInfo"
            ),
            None,
        )
    if not isinstance(found, str) or not found.strip():
        return None
    try:
        return ZoneInfo(found.strip()).key
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _split(
    origin: Origin, replies: Sequence[Reply], form: Form | None
) -> tuple[list[Reply], list[Reply]]:
    """The replies shown where the person wrote, and those for their 1:1 chat only."""
    here: list[Reply] = []
    private: list[Reply] = []
    for reply in replies:
        shown = replace(reply, form=None) if reply.errors and form is not None else reply
        # A form's errors go back where the person is looking at the form.
        if origin.is_direct or reply.visibility == Visibility.CHANNEL or reply.errors:
            here.append(shown)
        else:
            private.append(shown)
    return here, private


def _bot_id(activity: Activity) -> str | None:
    return activity.recipient.id if activity.recipient is not None else None


def _addressable(activity: Activity) -> bool:
    """An activity the SDK can answer: it names its conversation, sender and service URL."""
    return bool(
        activity.service_url
        and activity.conversation is not None
        and activity.conversation.id
        and activity.from_property is not None
        and activity.from_property.id
    )


def _well_formed_bearer(header: str | None) -> bool:
    """A `Bearer` JWT signed with an algorithm Bot Framework uses (checked before the SDK,
    which answers a malformed token with a 500)."""
    scheme, _, token = (header or "").partition(" ")
    if scheme != "Bearer" or token.count(".") != 2:
        return False
    try:
        algorithm = jwt.get_unverified_header(token).get("alg")
        jwt.decode(token, options={"verify_signature": False})
    except (jwt.PyJWTError, ValueError, TypeError):
        return False
    return algorithm in ALGORITHMS


_PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP", "Via")


def _proxied(request: web.Request) -> bool:
    """A request relayed by a reverse proxy on this host: loopback as a socket, but from
    anywhere. Emulator mode (no authentication) must not be reachable that way."""
    return any(name in request.headers for name in _PROXY_HEADERS)


def _is_loopback(remote: str | None) -> bool:
    try:
        return ipaddress.ip_address((remote or "").split("%", 1)[0]).is_loopback
    except ValueError:
        return False
