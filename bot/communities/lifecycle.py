"""A community's life cycle (DOMAIN.md §1.3, N18): pause, archive, reopen.

Paused or archived, a community keeps everything it has and stays searchable, but nothing new
is added (`Context.require` refuses what `CREATES_CONTENT` lists) and nothing proactive is sent
for it (the dispatcher cancels its queued prompts and reminders). Archiving asks for a
confirmation, tells the sponsors and points members to related communities; `community reopen`
undoes either.
"""

from __future__ import annotations

from bot.communities.network import sync_network
from bot.context import Context
from bot.errors import UserError
from bot.messages import Choice, Reply
from bot.permissions import Capability, Role
from bot.registry import command
from storage import communities
from storage.tables import Community

GROUP = "Communities"


async def _target(ctx: Context, args: str, *, archived_too: bool = False) -> Community:
    slug = args.split()[0] if args.split() else None
    if archived_too and slug:
        found = await communities.find_community_any(ctx.session, slug.lstrip("#"))
        if found is None:
            raise UserError(
                f"I don't know a community called `{slug}`. Type `communities` to see them."
            )
        community = found
    else:
        community = await ctx.community(slug)
    await ctx.require(Capability.CHANGE_LIFECYCLE, community)
    if community.kind == "network":
        raise UserError(
            "The leaders' network follows the leaders: it cannot be paused or archived."
        )
    return community


@command(
    "community pause",
    usage="community pause [community]",
    summary="Pause a community: no prompts or reminders, nothing new (leaders, coordinators)",
    group=GROUP,
    details="Everything stays readable and searchable. `community reopen` undoes it.",
)
async def pause(ctx: Context, args: str) -> Reply:
    community = await _target(ctx, args)
    if community.paused_at is not None:
        return Reply(f"{community.name} is already paused. Undo with `community reopen`.")
    community.paused_at = ctx.now
    ctx.session.add(community)
    return Reply(
        f"{community.name} is paused: no prompts, reminders or surveys go out for it, and no "
        "new lessons, meetings or surveys can be added. Everything stays searchable.",
        title=f"{community.name} paused",
        choices=(Choice("Undo: reopen", f"community reopen {community.slug}"),),
    )


@command(
    "community archive",
    usage="community archive [community]",
    summary="Archive a community for good (read-only, searchable; leaders, coordinators)",
    group=GROUP,
    details=(
        "Asks for a confirmation first. Members are pointed to related communities and the "
        "sponsors are told. `community reopen <community>` undoes it."
    ),
)
async def archive(ctx: Context, args: str) -> Reply:
    words = args.split()
    confirmed = bool(words) and words[-1].lower() == "confirm"
    community = await _target(ctx, " ".join(w for w in words if w.lower() != "confirm"))
    assert community.id is not None
    if not confirmed:
        return Reply(
            f"Archive *{community.name}*? It becomes read-only: its lessons stay searchable, "
            "no prompts or reminders are sent, members are pointed to related communities "
            "and the sponsors are told. You can undo it with `community reopen`.",
            title=f"Archive {community.name}?",
            choices=(
                Choice(
                    f"Archive {community.slug}"[:40],
                    f"community archive {community.slug} confirm",
                    style="danger",
                ),
                Choice("Pause instead", f"community pause {community.slug}"),
            ),
        )
    community.archived_at = ctx.now
    community.paused_at = None
    ctx.session.add(community)
    related = await communities.related_communities(ctx.session, community.id)
    pointer = (
        "Related communities you might join: "
        + ", ".join(f"*{c.name}* (`{c.slug}`)" for c in related)
        + "."
        if related
        else "Type `communities` to find another community to join."
    )
    joins = tuple(Choice(f"Join {c.slug}"[:40], f"join {c.slug}") for c in related)
    stamp = ctx.now.strftime("%Y%m%dT%H%M%S")
    sponsors = {
        m.id
        for m in await communities.members_with_role(ctx.session, community.id, Role.SPONSOR)
        if m.id is not None
    }
    members = await communities.members_of(ctx.session, community.id)
    told = 0
    for member in members:
        if member.id is None or member.id == ctx.member_id or member.id in sponsors:
            continue
        # No community_id: the community is closed now, and this news must still go out.
        told += await ctx.notify_member(
            member.id,
            Reply(
                f"*{community.name}* has been archived by {ctx.member.display_name}. Its lessons "
                f"stay searchable. {pointer}",
                title=f"{community.name} archived",
                choices=joins,
            ),
            key=f"community-archived:{community.id}:{stamp}:{member.id}",
        )
    for sponsor_id in sorted(sponsors):
        await ctx.notify_member(
            sponsor_id,
            Reply(
                f"*{community.name}*, which you sponsor, has been archived by "
                f"{ctx.member.display_name}. Its knowledge stays searchable; no prompts or "
                "reminders are sent for it. A leader or coordinator can reopen it.",
                title=f"{community.name} archived",
            ),
            key=f"community-archived:{community.id}:{stamp}:sponsor:{sponsor_id}",
        )
    # Who led only this community leaves the leaders' network with it.
    for leader in await communities.members_with_role(ctx.session, community.id, Role.LEADER):
        if leader.id is not None:
            await sync_network(ctx, leader.id)
    return Reply(
        f"{community.name} is archived. I told {told} member{'s' * (told != 1)} where to go "
        f"next and {len(sponsors)} sponsor{'s' * (len(sponsors) != 1)}.",
        title=f"{community.name} archived",
        choices=(Choice("Undo: reopen", f"community reopen {community.slug}"),),
    )


@command(
    "community reopen",
    usage="community reopen [community]",
    summary="Reopen a paused or archived community (leaders, coordinators)",
    group=GROUP,
)
async def reopen(ctx: Context, args: str) -> Reply:
    community = await _target(ctx, args, archived_too=True)
    if community.paused_at is None and community.archived_at is None:
        return Reply(f"{community.name} is open already.")
    community.paused_at = None
    community.archived_at = None
    ctx.session.add(community)
    return Reply(
        f"{community.name} is open again: prompts and reminders resume, and members can add "
        "lessons, meetings and surveys.",
        title=f"{community.name} reopened",
    )
