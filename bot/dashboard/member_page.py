"""A member's own page: their communities, upcoming meetings (with .ics) and recent lessons."""

from __future__ import annotations

from datetime import timedelta

from bot.context import Context
from bot.dashboard import urls
from bot.lessons.access import reader_of
from bot.meetings.core import ics_link, when
from bot.pages import MEMBER, Column, Link, Section, Table
from bot.permissions import Capability, Role
from bot.registry import page_section
from storage import communities, lessons, meetings
from storage.search import search_lessons
from storage.tables import Community

MEETINGS_AHEAD = timedelta(days=60)
SHOWN = 10


@page_section(MEMBER, 10)
async def my_communities(ctx: Context, _: Community | None) -> Section | None:
    mine = await communities.communities_of(ctx.session, ctx.member_id)
    rows = []
    for community in mine:
        assert community.id is not None
        roles = await ctx.roles(community)
        shown = sorted(r.value for r in roles if r is not Role.COORDINATOR) or ["member"]
        name: str | Link = community.name
        if await ctx.can(Capability.VIEW_HEALTH, community):
            name = Link(community.name, urls.community(community.slug))
        rows.append(
            (name, ", ".join(shown), await communities.count_members(ctx.session, community.id))
        )
    return Section(
        key="communities",
        title="Your communities",
        table=Table(
            (Column("Community"), Column("Your roles"), Column("Members", numeric=True)),
            tuple(rows),
        )
        if rows
        else None,
        empty="You are not in a community yet: type `communities` in chat to see them.",
    )


@page_section(MEMBER, 20)
async def upcoming_meetings(ctx: Context, _: Community | None) -> Section | None:
    mine = await communities.communities_of(ctx.session, ctx.member_id)
    ids = [c.id for c in mine if c.id is not None]
    names = {c.id: c.name for c in mine}
    found, total = (
        await meetings.upcoming(
            ctx.session, ids, after=ctx.now, until=ctx.now + MEETINGS_AHEAD, limit=SHOWN
        )
        if ids
        else ([], 0)
    )
    rows = []
    for occurrence, meeting in found:
        assert meeting.id is not None
        rows.append(
            (
                when(occurrence.starts_at, ctx.tz),
                meeting.title,
                names.get(meeting.community_id, ""),
                Link("Add to calendar (.ics)", ics_link(ctx.settings, meeting.id, ctx.now)),
            )
        )
    notes = (
        (f"The next {SHOWN} of {total}; type `meetings` in chat for all.",) if total > SHOWN else ()
    )
    return Section(
        key="meetings",
        title="Upcoming meetings",
        notes=notes,
        table=Table(
            (Column("When"), Column("Meeting"), Column("Community"), Column("Calendar")),
            tuple(rows),
        )
        if rows
        else None,
        empty="No meetings in the next 60 days.",
    )


@page_section(MEMBER, 30)
async def recent_lessons(ctx: Context, _: Community | None) -> Section | None:
    # The same reader as chat's `lessons`: only what the viewer may read (sensitivity, drafts).
    found = await search_lessons(ctx.session, "", reader=reader_of(ctx), limit=SHOWN)
    names = await lessons.community_names(ctx.session, [x.community_id for x in found.lessons])
    rows = tuple(
        (
            f"#{lesson.id} {lesson.title}",
            names.get(lesson.community_id, ""),
            lesson.status,
            lesson.created_at.astimezone(ctx.tz).date().isoformat(),
        )
        for lesson in found.lessons
    )
    return Section(
        key="lessons",
        title="Recent lessons",
        notes=("Open one in chat with `lesson show <number>`.",) if rows else (),
        table=Table(
            (Column("Lesson"), Column("Community"), Column("Status"), Column("Captured")), rows
        )
        if rows
        else None,
        empty="No lessons yet. Learned something? Capture it in chat with `lesson`.",
    )
