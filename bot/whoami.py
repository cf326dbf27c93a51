"""Who someone is, what their roles let them do, and whom to become to see the other roles.

The local chat opens with this (and `/whoami` repeats it): a newcomer starts as a coordinator
in no community, and should know it, and know which sample people to try being.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.admins import is_admin
from bot.context import Services
from bot.permissions import Role
from storage import communities, people

# What a role lets someone do, in a few words after "may" (the roles of bot.permissions).
ROLE_CAN = {
    Role.COORDINATOR: "look after every community: charters, roles, meetings, surveys, delivery",
    Role.LEADER: "run its meetings, surveys, charter and health checks",
    Role.FACILITATOR: "run its meetings",
    Role.SME: "validate lessons and answer questions on their topics",
    Role.MENTOR: "help newcomers",
    Role.SPONSOR: "follow its health and get its digests",
    Role.MEMBER: "find experts, share lessons, RSVP to meetings and answer surveys",
}
# The order people to become are offered in: the three everybody meets first.
ROLE_ORDER = (Role.LEADER, Role.MEMBER, Role.SPONSOR, Role.FACILITATOR, Role.SME, Role.MENTOR)


@dataclass(frozen=True, slots=True)
class Standing:
    """One person as copbot sees them: their name, whether they coordinate, their roles."""

    name: str
    is_coordinator: bool
    # (community name, roles there); "member" for a plain membership.
    roles: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True, slots=True)
class StandIn:
    """Someone to become (`/as <handle>`) to see copbot as a holder of `role` sees it."""

    role: str
    handle: str
    name: str
    communities: tuple[str, ...]


async def standing(services: Services, platform: str, user_id: str) -> Standing:
    """Who `user_id` is; someone copbot has not met yet has no roles (a coordinator if listed
    in COPBOT_ADMINS)."""
    admin = is_admin(services.settings, platform, user_id)
    async with services.db.session() as session:
        member = await people.find_member_by_platform_id(session, platform, user_id)
        if member is None or member.id is None:
            return Standing(user_id, admin, ())
        found = []
        for community in await communities.communities_of(session, member.id):
            assert community.id is not None
            held = await communities.roles_of(session, community.id, member.id)
            found.append((community.name, _ordered(held) or (Role.MEMBER.value,)))
        return Standing(member.display_name, admin or member.is_coordinator, tuple(found))


async def stand_ins(services: Services, platform: str) -> list[StandIn]:
    """For each role, the first holder in each community who has an identity on `platform`
    (so `/as` can become them), each person once, in ROLE_ORDER."""
    picked: dict[tuple[str, str], tuple[str, list[str]]] = {}
    async with services.db.session() as session:
        for community, _count in await communities.list_communities(session):
            assert community.id is not None
            if community.kind == communities.NETWORK_KIND:
                continue  # its members are the other communities' leaders
            holders = await communities.role_holders(session, community.id)
            with_roles = {member.id for _role, member in holders}
            # One more than the role holders is enough to find a member holding none.
            plain = [
                (Role.MEMBER.value, member)
                for member in await communities.members_of(
                    session, community.id, limit=len(with_roles) + 1
                )
                if member.id not in with_roles
            ]
            chosen_roles: set[str] = set()
            for role, member in sorted([*holders, *plain], key=lambda held: held[1].id or 0):
                if role in chosen_roles or role not in ROLE_CAN or member.id is None:
                    continue
                handle = await _handle_on(session, member.id, platform)
                if handle is None:
                    continue
                chosen_roles.add(role)
                _name, where = picked.setdefault((role, handle), (member.display_name, []))
                where.append(community.name)
    ranked = sorted(picked.items(), key=lambda item: ROLE_ORDER.index(Role(item[0][0])))
    found: list[StandIn] = []
    for (role, handle), (name, where) in ranked:
        # Each person once, for the first of their roles: a leader who is also an SME shows
        # the SME's view anyway.
        if all(other.handle != handle for other in found):
            found.append(StandIn(role, handle, name, tuple(where)))
    return found


async def _handle_on(session: AsyncSession, member_id: int, platform: str) -> str | None:
    for identity in await people.identities_of(session, member_id):
        if identity.platform == platform:
            return identity.platform_user_id
    return None


def _ordered(roles: set[str]) -> tuple[str, ...]:
    return tuple(role.value for role in ROLE_ORDER if role.value in roles)
