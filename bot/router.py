"""Turns a neutral request into replies: parse the verb, find who is asking, run the handler."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import help, last_offer
from bot.admins import is_admin
from bot.clean_text import clean_fields
from bot.context import Context, Services
from bot.errors import Superseded, UserError
from bot.form_limits import merged, too_long
from bot.messages import (
    Action,
    Command,
    FormSubmission,
    Reply,
    Request,
    User,
)
from bot.registry import CommandSpec
from storage import communities, conversations, people
from storage.tables import Identity, Member

_LOGGER = logging.getLogger(__name__)
# The inbox's hook (see Router.handle): runs in the handler's session with its replies.
Finish = Callable[[AsyncSession, list[Reply]], Awaitable[None]]
_IN_COMMUNITY = re.compile(
    r"^(?:(?P<rest>.*?)\s+)?in\s+#?(?P<slug>[A-Za-z0-9][A-Za-z0-9_-]*)\s*$", re.S | re.I
)
_PREFIX = re.compile(r"^\s*(?:/?cop\b[:,]?\s*)", re.I)
MAX_INPUT = 20_000
_HOME_PREFIX = "home:"


def split_command(text: str) -> str:
    """Remove an optional leading `cop` or `/cop` and surrounding space."""
    return _PREFIX.sub("", text, count=1).strip()


class Router:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.registry = services.registry

    # -- entry points -------------------------------------------------------------------------

    async def handle(self, request: Request, *, finish: Finish | None = None) -> list[Reply]:
        """Answer one request. Never raises: every failure becomes a friendly reply.

        `finish` (bot.inbox) runs in the handler's transaction with its replies, just before the
        commit, so what the handler stored and the inbox's done-mark commit together; it is not
        called when the handler refuses or fails (nothing is stored then).
        """
        # The one door user text comes in by: what no database can store is replaced here.
        request = clean_fields(request)
        try:
            return await self._handle(request, finish)
        except Superseded:
            raise  # another worker runs this request: this attempt's work is rolled back
        except UserError as exc:
            return [self._error_reply(request, exc)]
        except Exception:
            _LOGGER.exception("request failed: %r", _describe(request))
            return [
                Reply(
                    "Sorry, something went wrong on my side and nothing was changed. "
                    "Please try again in a moment; if it keeps happening, tell your coordinator."
                )
            ]

    async def home(self, user: User) -> list[Reply]:
        """The member's home view (Slack App Home, `home` command): every registered section."""
        request = Command(user=user, conversation=_home_conversation(user), text="home")
        return await self.handle(request)

    # -- internals ----------------------------------------------------------------------------

    async def _handle(self, request: Request, finish: Finish | None = None) -> list[Reply]:
        await self.services.load_keys()
        async with self.services.db.session() as session:
            member, identity = await self._who(session, request.user)
            await self._remember_conversation(session, request)
            await session.commit()
            ctx = Context(
                services=self.services,
                session=session,
                now=self.services.clock.now(),
                request=request,
                member=member,
                identity=identity,
                channel_community=await communities.community_for_channel(
                    session, request.conversation.platform, request.conversation.conversation_id
                )
                if not request.conversation.is_direct
                else None,
            )
            if isinstance(request, FormSubmission):
                result = await self._run_form(ctx, request.form_id, request.values)
            else:
                text = request.command if isinstance(request, Action) else request.text
                result = await self._run_text(ctx, text)
            # Silence reads as "broken" in chat: always answer something.
            replies = _as_list(result) or [Reply("Done.")]
            if finish is not None:
                await finish(session, replies)
        self.services.kick_delivery()
        return replies

    async def _run_text(self, ctx: Context, text: str) -> Any:
        if len(text) > MAX_INPUT:
            raise UserError(
                f"That message is too long for me ({len(text):,} characters; "
                f"the most is {MAX_INPUT:,}). Please shorten it."
            )
        line = split_command(text)
        if not line:
            return help.overview(self.registry)
        spec, args = self.match(line)
        if spec is None:
            # A bare `4` clicks the 4th button of the last answer here; a bare `page N` (what a
            # list's footer offers) turns the last list shown here.
            expanded = await last_offer.expand(ctx, line)
            if isinstance(expanded, Reply):
                return expanded
            line = expanded or line
            spec, args = self.match(line)
        if spec is None:
            return help.unknown(self.registry, line)
        args = await self._strip_community(ctx, args)
        replies = _as_list(await spec.handler(ctx, args))
        await last_offer.remember(ctx, line, replies)
        return replies

    async def _run_form(self, ctx: Context, form_id: str, values: Mapping[str, str]) -> Any:
        # A form id may carry one argument after a colon, e.g. "community.edit:data-eng".
        name, _, argument = form_id.partition(":")
        handler = self.registry.forms.get(name)
        if handler is None:
            raise UserError("That form has expired. Type `help` to start again.")
        cleaned = {k: (v or "").strip() for k, v in values.items() if not k.startswith("_")}
        refused = too_long(cleaned, self.registry.form_limits.get(name, {}))
        if argument:
            cleaned["_arg"] = argument
        if refused is None:
            return await handler(ctx, cleaned)
        # Too long, but the person should also hear what else to fix: the handler still checks
        # the rest, and raising afterwards rolls back anything it did (nothing commits before).
        try:
            await handler(ctx, cleaned)
        except UserError as exc:
            raise merged(refused, exc) from None
        except Exception as exc:  # e.g. the database refusing a value that is too long
            _LOGGER.info("a form with too long values also failed: %s", type(exc).__name__)
        raise refused

    def match(self, line: str) -> tuple[CommandSpec | None, str]:
        """The command spec for a line (two-word verbs first) and the rest of the line."""
        words = line.split(maxsplit=2)
        lowered = [w.lower() for w in words]
        if len(words) >= 2:
            spec = self.registry.commands.get(f"{lowered[0]} {lowered[1]}")
            if spec is not None:
                return spec, words[2] if len(words) > 2 else ""
        spec = self.registry.commands.get(lowered[0])
        if spec is not None:
            return spec, line[len(words[0]) :].strip()
        return None, line

    async def _strip_community(self, ctx: Context, args: str) -> str:
        found = _IN_COMMUNITY.match(args)
        if not found:
            return args
        community = await communities.find_community(ctx.session, found["slug"])
        if community is None:
            return args
        ctx.named_community = community
        return (found["rest"] or "").strip()

    async def _who(
        self, session: AsyncSession, user: User, *, again: bool = True
    ) -> tuple[Member, Identity]:
        now = self.services.clock.now()
        admin = is_admin(self.services.settings, user.platform, user.id)
        identity = await people.find_identity(session, user.platform, user.id)
        if identity is None and user.email:
            # The same work email on another platform is the same person.
            known = await people.find_identity_by_email(session, user.email)
            if known is not None:
                identity = await people.add_identity_unless_known(
                    session,
                    member_id=known.member_id,
                    platform=user.platform,
                    user_id=user.id,
                    now=now,
                    tenant_id=user.tenant_id,
                    email=user.email,
                )
                if identity is None and again:
                    # A concurrent first request made it: read theirs in a fresh transaction.
                    await session.rollback()
                    return await self._who(session, user, again=False)
        if identity is None:
            created = await people.create_member_unless_known(
                session,
                platform=user.platform,
                user_id=user.id,
                display_name=user.name or user.id,
                now=now,
                tenant_id=user.tenant_id,
                email=user.email,
                timezone=user.timezone,
                department=user.department,
                title=user.title,
                is_coordinator=admin,
            )
            if created is None and again:
                await session.rollback()
                return await self._who(session, user, again=False)
            if created is None:
                raise RuntimeError(f"could not create or find {user.platform}:{user.id}")
            return created
        member = await people.get_member(session, identity.member_id)
        assert member is not None
        identity.last_seen_at = now
        member.last_seen_at = now
        # The platform profile is the source of truth for these when it gives them.
        for attribute in ("timezone", "department", "title"):
            value = getattr(user, attribute)
            if value and not getattr(member, attribute):
                setattr(member, attribute, value)
        if user.name and member.display_name == user.id:
            member.display_name = user.name
        if admin:
            member.is_coordinator = True
        session.add_all([identity, member])
        return member, identity

    async def _remember_conversation(self, session: AsyncSession, request: Request) -> None:
        conversation = request.conversation
        if conversation.conversation_id.startswith(_HOME_PREFIX):
            return
        await conversations.upsert_conversation(
            session,
            platform=conversation.platform,
            conversation_id=conversation.conversation_id,
            tenant_id=conversation.tenant_id,
            is_direct=conversation.is_direct,
            platform_user_id=request.user.id if conversation.is_direct else None,
            raw_ref=dict(conversation.raw) if conversation.raw else None,
            now=self.services.clock.now(),
        )

    def _error_reply(self, request: Request, exc: UserError) -> Reply:
        if isinstance(request, FormSubmission) and exc.fields:
            return Reply(exc.message, errors=tuple(exc.fields.items()))
        return Reply(exc.message)


def _as_list(result: Any) -> list[Reply]:
    if result is None:
        return []
    if isinstance(result, Reply):
        return [result]
    return list(result)


def _home_conversation(user: User) -> Any:
    from bot.messages import ConversationRef

    return ConversationRef(
        user.platform, f"{_HOME_PREFIX}{user.id}", user.tenant_id, is_direct=True
    )


def _describe(request: Request) -> str:
    kind = type(request).__name__
    return f"{kind} from {request.user.platform}:{request.user.id}"
