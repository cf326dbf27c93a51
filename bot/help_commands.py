"""`help`, `help <verb>` and `home`."""

from __future__ import annotations

from bot import help
from bot.context import Context
from bot.messages import Choice, Reply
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


@command(
    "hello",
    usage="hello",
    summary="Say hello (sent for you when copbot is installed or added to a chat)",
    group="Getting started",
    hidden=True,
)
async def hello(ctx: Context, args: str) -> Reply:
    return Reply(
        f"Hi {ctx.member.display_name}! I help Communities of Practice run themselves: find an "
        "expert, share lessons learned, keep meetings on rhythm and ask how things are going.\n"
        "Start with `communities` to find yours, or `help` to see everything.",
        title="Hello from copbot",
        choices=(Choice("Communities", "communities"), Choice("Help", "help")),
    )
