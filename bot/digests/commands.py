"""`digest preview`, `digest settings` and `digest programme`."""

from __future__ import annotations

from bot.context import Context
from bot.digests.programme import programme_digest
from bot.digests.sponsor import period_of, sponsor_digest
from bot.errors import NotAllowed, UserError
from bot.figures.window import Window
from bot.messages import Choice, Reply
from bot.permissions import Capability, Role, allows
from bot.registry import command
from storage import digests

GROUP = "Digests"
CADENCES = ("quarterly", "monthly", "off")


@command(
    "digest",
    usage="digest preview [community] | digest settings [community] [quarterly|monthly|off]",
    summary="The sponsor digest: preview it, or set how often it goes",
    group=GROUP,
    examples=("digest preview data-eng", "digest settings data-eng monthly"),
)
async def digest(ctx: Context, args: str) -> Reply:
    return Reply(
        "The sponsor digest goes to each community's sponsors every quarter (or month). "
        "Type `digest preview [community]` to see it now, `digest settings [community]` for "
        "its cadence, and coordinators `digest programme`.",
        title="Digests",
        choices=(
            Choice("Preview", command="digest preview"),
            Choice("Settings", command="digest settings"),
        ),
    )


@command(
    "digest preview",
    usage="digest preview [community]",
    summary="The sponsor digest of the last complete period, now (leaders, sponsors, coordinators)",
    group=GROUP,
    examples=("digest preview", "digest preview data-eng"),
)
async def preview(ctx: Context, args: str) -> Reply:
    community = await ctx.community(args.strip() or None)
    assert community.id is not None
    if not await ctx.can(Capability.RECEIVE_DIGEST, community):
        raise NotAllowed(
            f"The digest of {community.name} is for its leaders, sponsors and coordinators. "
            f"`stats {community.slug}` shows its figures."
        )
    cadence = await digests.cadence_of(ctx.session, community.id)
    window = Window.last_complete(period_of(cadence), ctx.now, ctx.community_zone(community))
    return await sponsor_digest(ctx.session, community, window, settings=ctx.settings, now=ctx.now)


@command(
    "digest settings",
    usage="digest settings [community] [quarterly|monthly|off]",
    summary="How often the sponsor digest goes (leaders set it; quarterly by default)",
    group=GROUP,
    examples=("digest settings", "digest settings data-eng monthly"),
)
async def settings(ctx: Context, args: str) -> Reply:
    words = args.split()
    wanted = words.pop() if words and words[-1].lower() in CADENCES else None
    if len(words) > 1:
        raise UserError("Type `digest settings [community] quarterly`, `monthly` or `off`.")
    community = await ctx.community(words[0] if words else None)
    assert community.id is not None
    if wanted is not None:
        await ctx.require(Capability.EDIT_CHARTER, community)
        await digests.set_cadence(ctx.session, community.id, wanted.lower(), ctx.now)
    elif not await ctx.can(Capability.RECEIVE_DIGEST, community):
        raise NotAllowed(f"The digest of {community.name} is for its leaders and sponsors.")
    cadence = await digests.cadence_of(ctx.session, community.id)
    said = {
        "quarterly": "goes to its sponsors at the start of each quarter",
        "monthly": "goes to its sponsors at the start of each month (lite)",
        "off": "is off: sponsors get none",
    }[cadence]
    lead = "Done: the" if wanted else "The"
    choices: tuple[Choice, ...] = ()
    if await ctx.can(Capability.EDIT_CHARTER, community):
        choices = tuple(
            Choice(c.title(), command=f"digest settings {community.slug} {c}")
            for c in CADENCES
            if c != cadence
        )
    return Reply(
        f"{lead} sponsor digest of *{community.name}* {said}. Leaders change it with "
        f"`digest settings {community.slug} quarterly`, `monthly` or `off`.",
        title=f"{community.name}: digest settings",
        choices=choices,
    )


@command(
    "digest programme",
    usage="digest programme",
    summary="The programme digest of every community, now (coordinators)",
    group=GROUP,
)
async def programme(ctx: Context, args: str) -> Reply:
    roles = {Role.COORDINATOR} if ctx.member.is_coordinator else set()
    if not allows(roles, Capability.VIEW_PORTFOLIO):
        raise NotAllowed("The programme digest is for coordinators.")
    return await programme_digest(ctx.session, settings=ctx.settings, now=ctx.now)
