"""Who may read and validate a lesson (DOMAIN.md 5.1 sensitivity, 6.2 permission matrix).

A lesson's sensitivity is org (anyone), community (its members) or restricted (its author, the
community's leaders and SMEs of one of its topics there). Drafts are read by their author and
those who may validate them. `reader_of` gives the same rules to the search SQL.
"""

from __future__ import annotations

from bot.context import Context
from bot.permissions import Capability, Role, allows, roles_allowed
from storage import communities, experts
from storage.search import Reader
from storage.tables.lessons import Lesson

SENSITIVITIES = {
    "org": "Anyone in the organisation",
    "community": "Members of the community",
    "restricted": "Restricted: leaders and SMEs of its topics",
}
SENSITIVITY_ALIASES = {
    "org": "org",
    "public": "org",
    "everyone": "org",
    "community": "community",
    "members": "community",
    "restricted": "restricted",
    "private": "restricted",
    "confidential": "restricted",
}


async def manages(ctx: Context, community_id: int) -> bool:
    """Leaders and coordinators validate (and read) every lesson of the community."""
    community = await communities.get_community(ctx.session, community_id)
    if community is None:
        return False
    return allows(await ctx.roles(community) - {Role.SME}, Capability.VALIDATE_LESSON)


async def can_validate(ctx: Context, lesson: Lesson) -> bool:
    """Leaders and coordinators of the lesson's community, or an SME of one of its topics."""
    if await manages(ctx, lesson.community_id):
        return True
    return await experts.is_sme(
        ctx.session, lesson.community_id, ctx.member_id, lesson.topic_list.split()
    )


async def can_read(ctx: Context, lesson: Lesson) -> bool:
    if lesson.author_id == ctx.member_id:
        return True
    if lesson.status != "published":
        return await can_validate(ctx, lesson)
    if lesson.sensitivity == "org" or ctx.member.is_coordinator:
        return True
    if lesson.sensitivity == "community" and await communities.active_membership(
        ctx.session, lesson.community_id, ctx.member_id
    ):
        return True
    return await can_validate(ctx, lesson)


def reader_of(ctx: Context) -> Reader:
    """The asker as a search reader: the SQL finds their communities and where they lead."""
    managers = tuple(
        role.value
        for role in roles_allowed(Capability.VALIDATE_LESSON)
        if role not in {Role.SME, Role.COORDINATOR}  # SMEs: by topic; coordinators: below
    )
    return Reader(ctx.member_id, manager_roles=managers, everything=bool(ctx.member.is_coordinator))
