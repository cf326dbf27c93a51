"""Story verbs: `story` (the form), `story <id>`, `stories`, and `story feature <id>` (leaders)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import activity
from bot.context import Context
from bot.errors import NotAllowed, UserError
from bot.messages import Choice, Reply, Visibility
from bot.paging import Page, take_page
from bot.permissions import Capability
from bot.registry import command, form
from bot.stories.forms import CYCLES, STORY_LIMITS, TITLE_MAX, clean, story_form
from storage import communities, people, stories
from storage.tables import Community
from storage.tables.stories import Story

GROUP = "Stories"
PER_PAGE = 5
_ID = re.compile(r"^\s*#?(\d{1,12})\s*$")


def _number(args: str, usage: str) -> int:
    found = _ID.match(args)
    if not found:
        raise UserError(f"Which story? Give its number, e.g. `{usage}`.")
    return int(found[1])


async def _visible(ctx: Context, number: int) -> tuple[Story, Community]:
    """A story of a community the reader belongs to (coordinators see every one)."""
    story = await stories.get_story(ctx.session, number)
    community = await communities.get_community(ctx.session, story.community_id) if story else None
    if story is None or community is None or not await ctx.can(Capability.SEARCH, community):
        raise UserError(f"I can't find story {number}. Type `stories` to see them.")
    return story, community


def cycle_name(cycle: str) -> str:
    return CYCLES.get(cycle, cycle).split(":")[0]


async def thanked(session: AsyncSession, story: Story) -> str:
    """Who the story thanks, by name only when they agreed; else how many people."""
    assert story.id is not None
    ids = await stories.people_of(session, story.id)
    if not ids:
        return ""
    if not story.may_name:
        return f"{len(ids)} member{'s' * (len(ids) != 1)} (not named, as they asked)"
    names = await people.members_by_ids(session, ids)
    return ", ".join(names[i].display_name for i in ids if i in names)


async def story_reply(ctx: Context, story: Story, community: Community) -> Reply:
    assert story.id is not None
    fields: list[tuple[str, str]] = []
    for name, label in (
        ("situation", "The situation"),
        ("activity", "What the community did"),
        ("gained", "What was gained"),
        ("used", "How it was used"),
        ("result", "The result"),
    ):
        value = getattr(story, name)
        if value:
            fields.append((label, value))
    if story.quantity is not None:
        fields.append(("In numbers", f"{story.quantity:g} {story.unit}".strip()))
    fields.append(("Value", cycle_name(story.cycle)))
    thanks = await thanked(ctx.session, story)
    if thanks:
        fields.append(("Thanks to", thanks))
    if story.featured_at is not None:
        fields.append(("Featured", f"{story.featured_at:%d %b %Y}"))
    choices: tuple[Choice, ...] = ()
    if story.featured_at is None and await ctx.can(Capability.FEATURE_STORIES, community):
        choices = (Choice("Feature it", f"story feature {story.id}", style="primary"),)
    author = (await people.members_by_ids(ctx.session, [story.author_id])).get(story.author_id)
    return Reply(
        story.title,
        title=f"Story {story.id}: {story.title}",
        fields=tuple(fields),
        choices=choices,
        context=f"{community.name} · told by {author.display_name if author else 'someone'} · "
        f"{story.created_at:%d %b %Y}",
    )


@command(
    "story",
    usage="story [<title> | <id>]",
    summary="Share a success story: what the community made possible (opens a form)",
    group=GROUP,
    details="The form follows the value-creation story: situation, what the community did, "
    "what was gained, how it was used, the result (a number where you can) and the value it "
    "reached (immediate, potential, applied, realised, reframing). People are thanked by name "
    "only if they agreed. `story <id>` shows one.",
    examples=("story", "story 3", "story Faster incident reviews"),
)
async def story(ctx: Context, args: str) -> Reply:
    if _ID.match(args):
        found, community = await _visible(ctx, _number(args, "story 3"))
        return await story_reply(ctx, found, community)
    community = await ctx.community()
    await ctx.require(Capability.SUBMIT_LESSON, community)
    return Reply(
        f"Tell {community.name}'s story: what happened thanks to the community?",
        form=story_form(f"story.new:{community.slug}", {"title": args.strip()[:TITLE_MAX]}),
    )


@form("story.new", limits=STORY_LIMITS)
async def story_submitted(ctx: Context, values: Mapping[str, str]) -> Reply:
    community = await ctx.community(values.get("_arg") or None)
    # Whoever may share a lesson may share a story (DOMAIN.md 6.2: every member).
    await ctx.require(Capability.SUBMIT_LESSON, community)
    assert community.id is not None
    cleaned = await clean(ctx, values)
    saved = await stories.create_story(
        ctx.session, community_id=community.id, author_id=ctx.member_id, now=ctx.now, **cleaned
    )
    assert saved.id is not None
    await ctx.record_activity(
        community.id, ctx.member_id, activity.STORY, contribution=True, ref=f"story:{saved.id}"
    )
    choices = [Choice("Read it", f"story {saved.id}")]
    if await ctx.can(Capability.FEATURE_STORIES, community):
        choices.append(Choice("Feature it", f"story feature {saved.id}"))
    return Reply(
        f"Saved story {saved.id} for {community.name}. Thank you: stories like this show "
        "sponsors what the community is worth.",
        choices=tuple(choices),
    )


@command(
    "stories",
    usage="stories [community] [page N]",
    summary="Success stories of a community, newest first",
    group=GROUP,
    examples=("stories", "stories data-eng page 2"),
)
async def list_stories(ctx: Context, args: str) -> Reply:
    rest, number = take_page(args)
    community = await ctx.community(rest.split()[0] if rest.strip() else None)
    await ctx.require(Capability.SEARCH, community)
    assert community.id is not None
    total = (await stories.stories_of(ctx.session, community.id, limit=0))[1]
    page = Page(min(number, max(1, -(-total // PER_PAGE))), PER_PAGE, total)
    rows, _ = await stories.stories_of(
        ctx.session, community.id, offset=page.offset, limit=PER_PAGE
    )
    if not rows:
        return Reply(
            f"No stories in {community.name} yet. Share one with `story`.",
            choices=(Choice("Share a story", "story"),),
        )
    lines = []
    for found in rows:
        star = " ★" if found.featured_at else ""
        amount = f" · {found.quantity:g} {found.unit}".rstrip() if found.quantity else ""
        lines.append(
            f"*{found.id}.* {found.title}{star}\n"
            f"    {cycle_name(found.cycle)}{amount} · {found.created_at:%d %b %Y}"
        )
    return Reply(
        "\n".join(lines),
        title=f"Stories of {community.name}",
        choices=(
            *(Choice(f"Story {s.id}", f"story {s.id}") for s in rows[:3]),
            *page.more(f"stories {community.slug}"),
        ),
        context=page.footer() + " · ★ featured in digests · `story <id>` shows one",
    )


@command(
    "story feature",
    usage="story feature <id>",
    summary="Feature a story in the digests and thank its people in the channel (leaders)",
    group=GROUP,
)
async def feature(ctx: Context, args: str) -> Reply:
    found, community = await _visible(ctx, _number(args, "story feature 3"))
    assert found.id is not None and community.id is not None
    if not await ctx.can(Capability.FEATURE_STORIES, community):
        raise NotAllowed(
            f"Only leaders and coordinators of {community.name} feature stories. "
            f"Type `roles in {community.slug}` to see who they are."
        )
    if not await stories.feature(ctx.session, found, by=ctx.member_id, now=ctx.now):
        return Reply(f"Story {found.id} is already featured.")
    thanks = await thanked(ctx.session, found)
    who = (
        f"Thank you, {thanks}!"
        if thanks and found.may_name
        else "Thank you to everyone who made it happen!"
    )
    posted = await ctx.post_to_community(
        community,
        Reply(
            f"*{found.title}*\n{found.result or found.situation}\n\n{who}",
            title=f"A success story from {community.name}",
            visibility=Visibility.CHANNEL,
            choices=(Choice("Read the story", f"story {found.id}"),),
        ),
        key=f"story:{found.id}:featured",
    )
    where = (
        "posted it to the community's channel to thank the people in it"
        if posted
        else "the community has no linked channel to post it to"
    )
    return Reply(f"Story {found.id} is featured for the digests; {where}.")
