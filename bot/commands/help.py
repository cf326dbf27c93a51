"""`help`, `help <verb>` and `home`."""

from __future__ import annotations

from bot import help
from bot.context import Context
from bot.messages import Reply
from bot.registry import command


@command(
    "help",
    usage="help [command]",
    summary="What I can do, or how to use one command",
    group="Getting started",
    examples=("help", "help lesson"),
)
async def show_help(ctx: Context, args: str) -> Reply:
    registry = ctx.services.registry
    return help.for_verb(registry, args) if args.strip() else help.overview(registry)


@command(
    "home",
    usage="home",
    summary="Your communities and what is waiting for you",
    group="Getting started",
)
async def home(ctx: Context, args: str) -> list[Reply]:
    replies: list[Reply] = []
    for _order, section in ctx.services.registry.home_sections:
        replies.extend(await section(ctx))
    return replies or [Reply("Nothing here yet. Type `communities` to find one to join.")]
