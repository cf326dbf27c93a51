"""`home`'s first section: your communities, and for coordinators the whole programme."""

from __future__ import annotations

from bot.context import Context
from bot.messages import Choice, Reply
from bot.permissions import Capability, Role, allows
from bot.registry import home_section
from storage import communities
from storage.tables import Community

PROGRAMME_ON_HOME = 10


async def _programme(ctx: Context, skip: set[int | None]) -> list[Reply]:
    """A coordinator's view of every community, with the loose ends only leaders can fix."""
    everything = await communities.list_communities(ctx.session)
    if not everything:
        return [
            Reply(
                "No communities yet. Create the first with `community new <slug> <name>`.",
                title="The programme",
            )
        ]
    lines, todo = [], []
    for community, count in everything[:PROGRAMME_ON_HOME]:
        state = " (paused)" if community.paused_at else ""
        lines.append(f"*{community.name}* `{community.slug}`{state}: {count} members")
        if community.id not in skip:
            todo.extend((await _leader_todo(ctx, community))[0])
    more = len(everything) - PROGRAMME_ON_HOME
    if more > 0:
        lines.append(f"…and {more} more: type `communities`.")
    noun = "community" if len(everything) == 1 else "communities"
    replies = [
        Reply(
            "\n".join(lines),
            title=f"The programme: {len(everything)} {noun}",
            choices=(
                Choice("Health of every community", "health"),
                Choice("All communities", "communities"),
            ),
        )
    ]
    if todo:
        replies.append(Reply("\n".join(todo[:10]), title="Loose ends in the communities"))
    return replies


@home_section(10)
async def my_communities(ctx: Context) -> list[Reply]:
    mine = await communities.communities_of(ctx.session, ctx.member_id)
    if ctx.member.is_coordinator:
        programme = await _programme(ctx, {c.id for c in mine})
        if not mine:
            return programme
    else:
        programme = []
    if not mine:
        return [
            Reply(
                "You are not in a community yet.",
                title="Your communities",
                choices=(Choice("Find a community", "communities"),),
            )
        ]
    lines = []
    todo: list[str] = []
    fixes: list[Choice] = []
    for community in mine:
        held = await ctx.roles(community)
        roles = sorted(r.value for r in held if r is not Role.MEMBER)
        lines.append(
            f"*{community.name}* `{community.slug}`" + (f" — {', '.join(roles)}" if roles else "")
        )
        if allows(held, Capability.EDIT_CHARTER):
            todo_here, fix = await _leader_todo(ctx, community)
            todo.extend(todo_here)
            fixes.extend(fix)
    replies = [Reply("\n".join(lines), title="Your communities")]
    if todo:
        # What only a leader can fix: shown to those who may fix it, with the way to do it.
        replies.append(
            Reply("\n".join(todo), title="Needs your attention", choices=tuple(fixes[:5]))
        )
    return replies + programme


async def _leader_todo(ctx: Context, community: Community) -> tuple[list[str], list[Choice]]:
    """The foundation's own loose ends of a community: an unwritten charter, no channel."""
    assert community.id is not None
    todo: list[str] = []
    fixes: list[Choice] = []
    missing = [
        label
        for label, value in (
            ("purpose", community.purpose),
            ("ground rules", community.ground_rules),
        )
        if not (value or "").strip()
    ]
    if missing:
        todo.append(f"*{community.name}*: the charter has no {' or '.join(missing)} yet.")
        fixes.append(
            Choice(f"Edit charter of {community.slug}", f"charter edit in {community.slug}")
        )
    if not await communities.channel_links(ctx.session, community.id):
        todo.append(
            f"*{community.name}*: no channel gets its reminders yet. Type `community link "
            f"{community.slug}` in the channel it should use."
        )
    return todo, fixes
