"""Community roles: who leads, facilitates, sponsors, mentors or is an SME."""

from __future__ import annotations

from bot.communities.network import onboard_leader, sync_network
from bot.context import Context
from bot.errors import NotAllowed, UserError
from bot.messages import Reply, Visibility
from bot.people import find_person, split_person
from bot.permissions import ASSIGNABLE_ROLES, Capability, Role
from bot.registry import command
from storage import communities
from storage.tables import Community, Member

GROUP = "Communities"
ROLE_NAMES = ", ".join(f"`{r.value}`" for r in (*ASSIGNABLE_ROLES, Role.COORDINATOR))


def parse_role(word: str) -> Role:
    word = word.strip().lower().rstrip("s")
    aliases = {
        "lead": Role.LEADER,
        "facilitate": Role.FACILITATOR,
        "host": Role.FACILITATOR,
        "expert": Role.SME,
        "subject-matter-expert": Role.SME,
    }
    known = (*ASSIGNABLE_ROLES, Role.COORDINATOR)
    role = aliases.get(word) or next((r for r in known if r.value == word), None)
    if role is None:
        raise UserError(f"`{word}` is not a role I can assign. Roles: {ROLE_NAMES}.")
    return role


@command("roles", usage="roles [community]", summary="Who holds which role", group=GROUP)
async def list_roles(ctx: Context, args: str) -> Reply:
    community = await ctx.community(args.split()[0] if args.strip() else None)
    assert community.id is not None
    holders: dict[str, list[str]] = {}
    for role, member in await communities.role_holders(ctx.session, community.id):
        holders.setdefault(role, []).append(member.display_name)
    fields = tuple(
        (
            role.value.upper() if role is Role.SME else role.value.capitalize() + "s",
            ", ".join(holders.get(role.value, [])) or "—",
        )
        for role in ASSIGNABLE_ROLES
    )
    return Reply(f"Roles in {community.name}", title=f"Roles in {community.name}", fields=fields)


@command(
    "role add",
    usage="role add @person <role> [in community]",
    summary="Give someone a role (leaders, coordinators)",
    group=GROUP,
    details=f"Roles: {ROLE_NAMES} (only coordinators appoint coordinators).",
    examples=("role add @ada leader",),
)
async def add_role(ctx: Context, args: str) -> Reply:
    who, rest = split_person(args)
    if rest.lower().startswith("coordinator"):
        return await _set_coordinator(ctx, who, True)
    community, person, role = await _parse(ctx, args)
    assert community.id is not None and person.id is not None
    if not await communities.grant_role(
        ctx.session, community.id, person.id, role, ctx.member_id, ctx.now
    ):
        return Reply(f"{person.display_name} is already a {role.value} of {community.name}.")
    await ctx.notify_member(
        person.id,
        Reply(
            f"{ctx.member.display_name} made you a {role.value} of {community.name}. "
            f"Type `help` to see what you can do.",
            visibility=Visibility.DIRECT,
        ),
        key=f"role:{community.id}:{person.id}:{role.value}:{ctx.now.isoformat()}",
        community_id=community.id,
    )
    if role is Role.LEADER:
        await onboard_leader(ctx, person.id, community)
    return Reply(f"{person.display_name} is now a {role.value} of {community.name}.")


@command(
    "role remove",
    usage="role remove @person <role> [in community]",
    summary="Take a role away (leaders, coordinators)",
    group=GROUP,
)
async def remove_role(ctx: Context, args: str) -> Reply:
    who, rest = split_person(args)
    if rest.lower().startswith("coordinator"):
        return await _set_coordinator(ctx, who, False)
    community, person, role = await _parse(ctx, args)
    assert community.id is not None and person.id is not None
    if role is Role.LEADER and person.id != ctx.member_id:
        leaders = await communities.members_with_role(ctx.session, community.id, Role.LEADER)
        if len(leaders) <= 1:
            raise UserError(f"{community.name} needs at least one leader. Add another first.")
    if not await communities.revoke_role(ctx.session, community.id, person.id, role):
        return Reply(f"{person.display_name} is not a {role.value} of {community.name}.")
    if role is Role.LEADER:
        await sync_network(ctx, person.id)  # leading nowhere now: out of the leaders' network
    return Reply(f"{person.display_name} is no longer a {role.value} of {community.name}.")


async def _parse(ctx: Context, args: str) -> tuple[Community, Member, Role]:
    who, rest = split_person(args)
    if not who or not rest:
        raise UserError("Type `role add @person <role>`, e.g. `role add @ada leader`.")
    role = parse_role(rest.split()[0])
    community = await ctx.community()
    await ctx.require(Capability.MANAGE_ROLES, community)
    return community, await find_person(ctx, who), role


async def _set_coordinator(ctx: Context, who: str, value: bool) -> Reply:
    """Coordinators run the whole programme, so only a coordinator can appoint another."""
    if not ctx.member.is_coordinator:
        raise NotAllowed("Only coordinators can appoint or remove coordinators.")
    person = await find_person(ctx, who)
    if person.is_coordinator == value:
        state = "already" if value else "not"
        return Reply(f"{person.display_name} is {state} a coordinator.")
    if not value and person.id == ctx.member_id:
        raise UserError("Ask another coordinator to remove you, so the programme keeps one.")
    person.is_coordinator = value
    ctx.session.add(person)
    if value:
        return Reply(f"{person.display_name} is now a coordinator of every community.")
    return Reply(f"{person.display_name} is no longer a coordinator.")
