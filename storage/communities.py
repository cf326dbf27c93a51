"""Communities, memberships, roles and the channels linked to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import ChannelLink, Community, Member, MemberRole, Membership


async def create_community(session: AsyncSession, community: Community) -> Community:
    session.add(community)
    await session.flush()
    return community


async def get_community(session: AsyncSession, community_id: int) -> Community | None:
    return await session.get(Community, community_id)


async def find_community(session: AsyncSession, slug: str) -> Community | None:
    result = await session.exec(
        select(Community).where(
            func.lower(Community.slug) == slug.lower(), col(Community.archived_at).is_(None)
        )
    )
    return result.first()


async def list_communities(session: AsyncSession) -> list[tuple[Community, int]]:
    """Active communities with their member counts, by name."""
    counts = (
        select(Membership.community_id, func.count().label("n"))
        .where(col(Membership.left_at).is_(None))
        .group_by(col(Membership.community_id))
        .subquery()
    )
    result = await session.exec(
        select(Community, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.community_id == Community.id)
        .where(col(Community.archived_at).is_(None))
        .order_by(col(Community.name), col(Community.id))  # a stable order, so pages never overlap
    )
    return [(c, int(n)) for c, n in result.all()]


async def active_membership(
    session: AsyncSession, community_id: int, member_id: int
) -> Membership | None:
    result = await session.exec(
        select(Membership).where(
            Membership.community_id == community_id,
            Membership.member_id == member_id,
            col(Membership.left_at).is_(None),
        )
    )
    return result.first()


async def join(session: AsyncSession, community_id: int, member_id: int, now: datetime) -> bool:
    """Start a membership; False when already a member."""
    if await active_membership(session, community_id, member_id):
        return False
    session.add(Membership(community_id=community_id, member_id=member_id, joined_at=now))
    await session.flush()
    return True


async def leave(session: AsyncSession, community_id: int, member_id: int, now: datetime) -> bool:
    membership = await active_membership(session, community_id, member_id)
    if membership is None:
        return False
    membership.left_at = now
    session.add(membership)
    await session.flush()
    return True


async def communities_of(session: AsyncSession, member_id: int) -> list[Community]:
    result = await session.exec(
        select(Community)
        .join(Membership, col(Membership.community_id) == Community.id)
        .where(
            Membership.member_id == member_id,
            col(Membership.left_at).is_(None),
            col(Community.archived_at).is_(None),
        )
        .order_by(Community.name)
    )
    return list(result.all())


async def members_of(
    session: AsyncSession, community_id: int, *, offset: int = 0, limit: int | None = None
) -> list[Member]:
    query = (
        select(Member)
        .join(Membership, col(Membership.member_id) == Member.id)
        .where(Membership.community_id == community_id, col(Membership.left_at).is_(None))
        .order_by(func.lower(Member.display_name), col(Member.id))
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    result = await session.exec(query)
    return list(result.all())


async def count_members(session: AsyncSession, community_id: int) -> int:
    result = await session.exec(
        select(func.count())
        .select_from(Membership)
        .where(Membership.community_id == community_id, col(Membership.left_at).is_(None))
    )
    return int(result.one())


async def roles_of(session: AsyncSession, community_id: int, member_id: int) -> set[str]:
    result = await session.exec(
        select(MemberRole.role).where(
            MemberRole.community_id == community_id, MemberRole.member_id == member_id
        )
    )
    return set(result.all())


async def grant_role(
    session: AsyncSession,
    community_id: int,
    member_id: int,
    role: str,
    granted_by: int | None,
    now: datetime,
) -> bool:
    """Give a role; False when the member already has it."""
    if role in await roles_of(session, community_id, member_id):
        return False
    session.add(
        MemberRole(
            community_id=community_id,
            member_id=member_id,
            role=role,
            granted_by=granted_by,
            granted_at=now,
        )
    )
    # The health-check prompt job looks at the community again: a new leader is asked in a
    # round that is open already.
    await session.exec(
        update(Community)
        .where(col(Community.id) == community_id)
        .values(health_due_at=None)
        .execution_options(synchronize_session=False)
    )
    await session.flush()
    return True


async def revoke_role(session: AsyncSession, community_id: int, member_id: int, role: str) -> bool:
    result = await session.exec(
        delete(MemberRole).where(
            col(MemberRole.community_id) == community_id,
            col(MemberRole.member_id) == member_id,
            col(MemberRole.role) == role,
        )
    )
    return bool(result.rowcount)


async def communities_where(session: AsyncSession, member_id: int, role: str) -> list[Community]:
    """Communities in which the member holds `role`, by name."""
    result = await session.exec(
        select(Community)
        .join(MemberRole, col(MemberRole.community_id) == Community.id)
        .where(MemberRole.member_id == member_id, MemberRole.role == role)
        .order_by(Community.name)
    )
    return list(result.all())


async def members_with_role(session: AsyncSession, community_id: int, role: str) -> list[Member]:
    result = await session.exec(
        select(Member)
        .join(MemberRole, col(MemberRole.member_id) == Member.id)
        .where(MemberRole.community_id == community_id, MemberRole.role == role)
        .order_by(Member.display_name)
    )
    return list(result.all())


async def role_holders(session: AsyncSession, community_id: int) -> list[tuple[str, Member]]:
    result = await session.exec(
        select(MemberRole.role, Member)
        .join(Member, col(Member.id) == MemberRole.member_id)
        .where(MemberRole.community_id == community_id)
        .order_by(MemberRole.role, Member.display_name)
    )
    return [(role, member) for role, member in result.all()]


async def link_channel(
    session: AsyncSession,
    community_id: int,
    *,
    platform: str,
    conversation_id: str,
    tenant_id: str | None,
    raw_ref: dict[str, Any] | None,
    now: datetime,
) -> None:
    """Bind a channel to a community (a channel belongs to at most one community)."""
    result = await session.exec(
        select(ChannelLink).where(
            ChannelLink.platform == platform, ChannelLink.conversation_id == conversation_id
        )
    )
    link = result.first() or ChannelLink(
        community_id=community_id,
        platform=platform,
        conversation_id=conversation_id,
        linked_at=now,
    )
    link.community_id = community_id
    link.tenant_id = tenant_id
    link.raw_ref = raw_ref
    link.linked_at = now
    session.add(link)
    await session.flush()


async def channel_links(session: AsyncSession, community_id: int) -> list[ChannelLink]:
    result = await session.exec(select(ChannelLink).where(ChannelLink.community_id == community_id))
    return list(result.all())


async def community_for_channel(
    session: AsyncSession, platform: str, conversation_id: str
) -> Community | None:
    result = await session.exec(
        select(Community)
        .join(ChannelLink, col(ChannelLink.community_id) == Community.id)
        .where(
            ChannelLink.platform == platform,
            ChannelLink.conversation_id == conversation_id,
            col(Community.archived_at).is_(None),
        )
    )
    return result.first()


async def closed_ids(session: AsyncSession, ids: list[int]) -> set[int]:
    """Which of these communities are paused or archived (nothing is sent for them)."""
    if not ids:
        return set()
    result = await session.exec(
        select(Community.id).where(
            col(Community.id).in_(ids),
            or_(col(Community.archived_at).is_not(None), col(Community.paused_at).is_not(None)),
        )
    )
    return {i for i in result.all() if i is not None}


async def find_community_any(session: AsyncSession, slug: str) -> Community | None:
    """`find_community`, archived ones included (to reopen them)."""
    result = await session.exec(select(Community).where(func.lower(Community.slug) == slug.lower()))
    return result.first()


async def related_communities(
    session: AsyncSession, community_id: int, limit: int = 3
) -> list[Community]:
    """Open communities sharing the most SME topics with this one, most shared first."""
    from storage.tables.experts import SmeDesignation

    topics = select(SmeDesignation.topic).where(SmeDesignation.community_id == community_id)
    shared = func.count(func.distinct(SmeDesignation.topic))
    result = await session.exec(
        select(Community, shared)
        .join(SmeDesignation, col(SmeDesignation.community_id) == col(Community.id))
        .where(
            col(SmeDesignation.topic).in_(topics),
            col(Community.id) != community_id,
            col(Community.archived_at).is_(None),
            col(Community.kind) != "network",
        )
        .group_by(col(Community.id))
        .order_by(shared.desc(), col(Community.name))
        .limit(limit)
    )
    return [c for c, _ in result.all()]


NETWORK_KIND = "network"


async def leaders_network(session: AsyncSession) -> Community | None:
    """The programme's leaders' network (a community of kind "network"), if it was created;
    where the network's quarterly meeting and the programme digest go."""
    result = await session.exec(
        select(Community)
        .where(Community.kind == NETWORK_KIND, col(Community.archived_at).is_(None))
        .order_by(col(Community.id))
    )
    return result.first()


async def leader_ids(session: AsyncSession) -> set[int]:
    """Everyone who leads an open community (the network itself not counted)."""
    result = await session.exec(
        select(MemberRole.member_id)
        .join(Community, col(Community.id) == MemberRole.community_id)
        .where(
            MemberRole.role == "leader",
            Community.kind != NETWORK_KIND,
            col(Community.archived_at).is_(None),
        )
        .distinct()
    )
    return set(result.all())
