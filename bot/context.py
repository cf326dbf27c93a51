"""What a handler or a due job gets: the services, one database session, and who is asking."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import delivery, keys
from bot.clock import Clock
from bot.config import Settings
from bot.errors import NotAllowed, UserError
from bot.messages import Platform, Reply, Request
from bot.metrics import Metrics
from bot.permissions import CREATES_CONTENT, Capability, Role, allows, roles_allowed
from bot.ports import PortRegistry
from bot.registry import Registry
from storage import activity, communities
from storage.db import Database
from storage.tables import Community, Identity, Member


@dataclass(slots=True)
class Services:
    """Long-lived parts, built once by the composition root."""

    db: Database
    clock: Clock
    settings: Settings
    ports: PortRegistry
    registry: Registry
    # Wakes the dispatcher after something was queued, so replies to actions feel immediate.
    kick_delivery: Callable[[], None] = field(default=lambda: None)
    metrics: Metrics = field(default_factory=Metrics)

    async def load_keys(self) -> None:
        """Make `settings.signing_key` usable (entry points await this before any handler)."""
        await keys.ensure_signing_key(self.db, self.settings, self.clock.now())


def zone(name: str | None, fallback: str = "UTC") -> ZoneInfo:
    for candidate in (name, fallback, "UTC"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


@dataclass(slots=True)
class JobContext:
    """A unit of work without a person asking: heartbeat jobs and demo seeding."""

    services: Services
    session: AsyncSession
    now: datetime

    @property
    def settings(self) -> Settings:
        return self.services.settings

    async def notify_member(
        self,
        member_id: int,
        reply: Reply,
        key: str,
        *,
        community_id: int | None = None,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        priority: int | None = None,
        kind: str | None = None,
    ) -> bool:
        """Queue a DM to a member, once per `key`. False when queued before or unreachable.

        `priority` defaults to what the context stands for: a due job's notice is ordinary,
        a message caused by a person's own action goes first (see `Context`). `kind` says what
        the message is to its recipient (bot/availability.py: when it may arrive); by default
        a notice, or a reply when it answers the recipient's own request. `not_after`: the
        moment it becomes moot (a meeting over, a survey closed); held past it, it is dropped
        as "expired" instead of arriving late.
        """
        return await delivery.notify_member(
            self.session,
            member_id,
            reply,
            key,
            now=self.now,
            community_id=community_id,
            not_before=not_before,
            not_after=not_after,
            priority=self.default_priority if priority is None else priority,
            kind=kind or self.default_kind(member_id),
        )

    async def notify_members(
        self,
        messages: Sequence[tuple[int, Reply, str]],
        *,
        community_id: int | None = None,
        priority: int | None = None,
        kind: str = delivery.NOTICE,
        not_after: datetime | None = None,
    ) -> int:
        """`notify_member` for a fan-out of (member id, reply, key), queued in bulk."""
        return await delivery.notify_members(
            self.session,
            messages,
            now=self.now,
            community_id=community_id,
            priority=self.default_priority if priority is None else priority,
            kind=kind,
            not_after=not_after,
        )

    async def post_to_community(
        self,
        community: Community,
        reply: Reply,
        key: str,
        *,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        priority: int | None = None,
    ) -> int:
        """Queue a post to every channel linked to the community; returns how many were new."""
        return await delivery.post_to_community(
            self.session,
            community,
            reply,
            key,
            now=self.now,
            not_before=not_before,
            not_after=not_after,
            priority=self.default_priority if priority is None else priority,
        )

    @property
    def default_priority(self) -> int:
        return delivery.NORMAL

    def default_kind(self, member_id: int) -> str:
        return delivery.NOTICE

    async def record_activity(
        self,
        community_id: int,
        member_id: int,
        kind: str,
        *,
        contribution: bool = False,
        ref: str | None = None,
    ) -> None:
        await activity.record(
            self.session,
            community_id=community_id,
            member_id=member_id,
            kind=kind,
            contribution=contribution,
            ref=ref,
            now=self.now,
        )

    def community_zone(self, community: Community) -> ZoneInfo:
        return zone(community.timezone, self.settings.timezone)


@dataclass(slots=True)
class Context(JobContext):
    """One request from one person."""

    request: Request = field(default=None)  # type: ignore[assignment]  # the router always sets it
    member: Member = field(default=None)  # type: ignore[assignment]  # the router always sets it
    identity: Identity = field(default=None)  # type: ignore[assignment]  # the router always sets it
    # A community named with a trailing `in <slug>`, already stripped from the arguments.
    named_community: Community | None = None
    channel_community: Community | None = None

    @property
    def platform(self) -> Platform:
        return self.request.user.platform

    @property
    def default_priority(self) -> int:
        # What a person's own action causes (an answer routed to them, a confirmation) is what
        # someone is waiting for: ahead of bulk fan-out.
        return delivery.URGENT

    def default_kind(self, member_id: int) -> str:
        # The asker waits for what their own request causes; anyone else gets a notice.
        return delivery.REPLY if member_id == self.member_id else delivery.NOTICE

    @property
    def member_id(self) -> int:
        assert self.member.id is not None
        return self.member.id

    @property
    def tz(self) -> ZoneInfo:
        """The asker's timezone (their own, else the deployment default)."""
        return zone(self.member.timezone, self.settings.timezone)

    async def community(self, slug: str | None = None) -> Community:
        """The community this request is about.

        In order: a slug given explicitly, `in <slug>`, the channel's community, the one the
        member used last, or their only community. Otherwise a friendly question.
        """
        if slug:
            found = await communities.find_community(self.session, slug.strip().lstrip("#"))
            if found is None:
                raise UserError(
                    f"I don't know a community called `{slug}`. Type `communities` to see them."
                )
            return await self._remember(found)
        if self.named_community is not None:
            return await self._remember(self.named_community)
        if self.channel_community is not None:
            return self.channel_community
        if self.member.current_community_id is not None:
            current = await communities.get_community(
                self.session, self.member.current_community_id
            )
            if current is not None and current.archived_at is None:
                return current
        mine = await communities.communities_of(self.session, self.member_id)
        # A leader is also in the leaders' network: their own community is still "the" one.
        mine = [c for c in mine if c.kind != communities.NETWORK_KIND] or mine
        if not mine:
            # A sponsor needn't be a member: the community they sponsor is theirs too.
            mine = await communities.communities_where(self.session, self.member_id, Role.SPONSOR)
            mine = [c for c in mine if c.archived_at is None]
        if len(mine) == 1:
            return mine[0]
        if not mine:
            raise UserError(
                "You are not in a community yet. Type `communities` to see them and "
                "`join <community>` to join one."
            )
        names = ", ".join(f"`{c.slug}`" for c in mine)
        raise UserError(f"Which community? Add `in <community>` to the command: {names}.")

    async def _remember(self, community: Community) -> Community:
        if self.member.current_community_id != community.id:
            self.member.current_community_id = community.id
            self.session.add(self.member)
        return community

    async def roles(self, community: Community) -> set[Role]:
        assert community.id is not None
        found = {
            Role(r)
            for r in await communities.roles_of(self.session, community.id, self.member_id)
            if r in Role.__members__.values()
        }
        if await communities.active_membership(self.session, community.id, self.member_id):
            found.add(Role.MEMBER)
        if self.member.is_coordinator:
            found.add(Role.COORDINATOR)
        return found

    async def can(self, capability: Capability, community: Community) -> bool:
        return allows(await self.roles(community), capability)

    async def require(self, capability: Capability, community: Community) -> set[Role]:
        """The asker's roles, or a refusal that says who can do it instead."""
        roles = await self.roles(community)
        if capability in CREATES_CONTENT and (community.archived_at or community.paused_at):
            state = "archived" if community.archived_at else "paused"
            raise UserError(
                f"{community.name} is {state}: it keeps what it has, but nothing new can be "
                f"added. Its leaders can type `community reopen {community.slug}`."
            )
        if not allows(roles, capability):
            names = [f"{r.value}s" for r in roles_allowed(capability)]
            who = " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 2 else names)
            raise NotAllowed(
                f"Only {who} of {community.name} can {capability.value}. "
                f"Type `roles in {community.slug}` to see who they are."
            )
        return roles
