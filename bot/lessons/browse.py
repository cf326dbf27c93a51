"""Finding lessons: search, and the validators' queue of lessons waiting for review."""

from __future__ import annotations

from collections.abc import Mapping

from bot.context import Context
from bot.experts.lookup import topic_for
from bot.lessons.access import (
    reader_of,
)
from bot.lessons.commands import GROUP, PER_PAGE
from bot.lessons.forms import (
    take_hashtags,
)
from bot.messages import Choice, Reply
from bot.paging import Page, take_page
from bot.permissions import Capability, Role, allows
from bot.registry import command, home_section
from storage import communities, experts, lessons
from storage.search import search_lessons, search_terms
from storage.tables import Community
from storage.tables.lessons import Lesson

# -- lists ----------------------------------------------------------------------------------------


async def community_names(ctx: Context, ids: set[int]) -> dict[int, str]:
    return await lessons.community_names(ctx.session, sorted(ids))


async def _may_capture(ctx: Context, community: Community | None) -> bool:
    """Whether a "Capture a lesson" button would be accepted from the asker."""
    if community is not None:
        return await ctx.can(Capability.SUBMIT_LESSON, community)
    for mine in await communities.communities_of(ctx.session, ctx.member_id):
        if await ctx.can(Capability.SUBMIT_LESSON, mine):
            return True
    return False


def result_line(number: int, lesson: Lesson, community_names: Mapping[int, str]) -> str:
    statement = " ".join(lesson.statement.split())
    if len(statement) > 140:
        statement = statement[:139] + "…"
    where = community_names.get(lesson.community_id, "")
    topics = ", ".join(lesson.topic_list.split())
    draft = " (draft)" if lesson.status == "draft" else ""
    meta = ", ".join(p for p in (f"lesson {lesson.id}", where, topics) if p)
    return f"{number}. *{lesson.title}*{draft} ({meta})\n    {statement}"


@command(
    "lessons",
    usage="lessons [<words>] [#topic] [in community] [page N]",
    summary="Search lessons learned",
    group=GROUP,
    details="Finds published lessons (and your drafts), best match first. Every word must "
    "match; when none has them all, lessons with any word are shown.",
    examples=("lessons backfill queue", "lessons #kubernetes", "lessons permit audit in safety"),
)
async def lessons_search(ctx: Context, args: str) -> Reply:
    text, page_number = take_page(args)
    text, tags = take_hashtags(text)
    topic = await topic_for(ctx, tags[0]) if tags else None
    community = ctx.named_community
    terms = search_terms(text)
    if text.strip() and not terms and not topic:
        return Reply(
            "I couldn't find words to search for in that. Try plain words, e.g. "
            "`lessons backfill queue` or `lessons #kubernetes`."
        )
    found = await search_lessons(
        ctx.session,
        text,
        community_id=community.id if community else None,
        topic=topic,
        reader=reader_of(ctx),
        limit=PER_PAGE,
        offset=(page_number - 1) * PER_PAGE,
    )
    scope = " in " + community.name if community else ""
    about = " ".join(terms + ([f"#{topic}"] if topic else [])) or "all"
    if not found.lessons:
        if found.total or page_number > 1:
            return Reply(f"No more lessons for `{about}`{scope}.")
        capture = await _may_capture(ctx, community)
        return Reply(
            f"No lessons match `{about}`{scope} yet. Try fewer or other words"
            + (f", or `expert {topic}` to ask someone" if topic else "")
            + (". Learned something? Capture it with `lesson`." if capture else "."),
            choices=(Choice("Capture a lesson", "lesson"),) if capture else (),
        )
    page = Page(page_number, PER_PAGE, found.total, more_than=found.more_than)
    names = await community_names(ctx, {lesson.community_id for lesson in found.lessons})
    lines = [
        result_line(number, lesson, names)
        for number, lesson in enumerate(found.lessons, start=page.offset + 1)
    ]
    notes = ["No lesson has all your words; these have some of them."] if found.any_term else []
    if len(tags) > 1:
        notes.append(f"One topic at a time: these are on #{topic}.")
    note = "\n".join(notes) or None
    again = " ".join(p for p in ["lessons", text.strip(), *(f"#{t}" for t in tags[:1])] if p)
    if community:
        again += f" in {community.slug}"
    choices = tuple(
        Choice(f"Open {lesson.id}", f"lesson show {lesson.id}") for lesson in found.lessons
    )
    return Reply(
        "\n".join(([note] if note else []) + lines),
        title=f"Lessons: {about}{scope}",
        choices=(*choices, *page.more(again)),
        context=page.footer(),
    )


async def _validator_scope(
    ctx: Context, only: Community | None
) -> tuple[list[int], dict[int, list[str]]]:
    """Communities where the asker validates lessons, and the topics they are limited to."""
    scope: list[int] = []
    limited: dict[int, list[str]] = {}
    for community in (
        [only] if only else await communities.communities_of(ctx.session, ctx.member_id)
    ):
        assert community.id is not None
        if allows(await ctx.roles(community) - {Role.SME}, Capability.VALIDATE_LESSON):
            scope.append(community.id)
            continue
        topics = [
            d.topic for d in await experts.designations_of(ctx.session, ctx.member_id, community.id)
        ]
        if topics:
            scope.append(community.id)
            limited[community.id] = topics
    return scope, limited


@command(
    "lessons pending",
    usage="lessons pending [in community]",
    summary="Draft lessons waiting for your validation (leaders, SMEs)",
    group=GROUP,
)
async def lessons_pending(ctx: Context, args: str) -> Reply:
    scope, limited = await _validator_scope(ctx, ctx.named_community)
    if not scope:
        return Reply(
            "You don't validate lessons in any community: leaders and SMEs do. "
            "Your own drafts show up in `lessons`."
        )
    drafts = await lessons.pending(ctx.session, scope, topic_filter=limited or None)
    if not drafts:
        return Reply("No lessons are waiting for validation.")
    names = await community_names(ctx, {lesson.community_id for lesson in drafts})
    shown = drafts[:10]
    return Reply(
        "\n".join(result_line(n, lesson, names) for n, lesson in enumerate(shown, start=1)),
        title=f"Lessons waiting for validation ({len(drafts)})",
        choices=tuple(Choice(f"Publish {d.id}", f"lesson publish {d.id}") for d in shown[:5]),
    )


@home_section(35)
async def pending_on_home(ctx: Context) -> list[Reply]:
    scope, limited = await _validator_scope(ctx, None)
    if not scope:
        return []
    drafts = await lessons.pending(ctx.session, scope, topic_filter=limited or None)
    if not drafts:
        return []
    return [
        Reply(
            f"{len(drafts)} lesson{'s' * (len(drafts) != 1)} waiting for your validation.",
            title="Lessons to validate",
            choices=(Choice("Review them", "lessons pending"),),
        )
    ]
