"""Lesson verbs: capture (form, quick line, "save as lesson"), publish, edit, share and reuse.

The form and its validation are `bot.lessons.forms`; search and the validators' queue are
`bot.lessons.browse`; who may read a lesson is `bot.lessons.access`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot import activity
from bot.context import Context, zone
from bot.errors import NotAllowed, UserError
from bot.lessons.access import (
    SENSITIVITIES,
    can_read,
    can_validate,
    manages,
)
from bot.lessons.forms import (
    KINDS,
    LESSON_LIMITS,
    TEXT_FIELDS,
    TEXT_MAX,
    TITLE_MAX,
    clean,
    form_values,
    lesson_form,
    missing_fields,
    take_hashtags,
)
from bot.messages import Choice, Reply, Visibility
from bot.permissions import Capability, Role
from bot.registry import command, form
from storage import communities, experts, lessons, meetings, people
from storage.tables import Community
from storage.tables.lessons import Lesson

GROUP = "Lessons"
PER_PAGE = 5
_ID = re.compile(r"^\s*#?(\d{1,12})\b\s*(.*)$", re.S)


def lesson_id(args: str) -> tuple[int, str]:
    found = _ID.match(args)
    if not found:
        raise UserError("Which lesson? Give its number, e.g. `lesson show 12`.")
    return int(found[1]), found[2].strip()


async def can_manage(ctx: Context, lesson: Lesson) -> bool:
    """The author, or a leader/coordinator of the community (edit, delete, restore)."""
    return lesson.author_id == ctx.member_id or await manages(ctx, lesson.community_id)


async def visible_lesson(ctx: Context, lesson_number: int) -> Lesson:
    """A lesson the asker may read: by its sensitivity, or a draft they wrote or may validate."""
    lesson = await lessons.get_lesson(ctx.session, lesson_number)
    if lesson is not None and await can_read(ctx, lesson):
        return lesson
    # The same answer as for a lesson that does not exist: a restricted title stays unknown.
    raise UserError(
        f"I can't find lesson {lesson_number}. Search with `lessons <words>`.",
    )


# -- rendering ------------------------------------------------------------------------------------


async def lesson_reply(
    ctx: Context, lesson: Lesson, *, visibility: Visibility = Visibility.PRIVATE
) -> Reply:
    assert lesson.id is not None
    community = await communities.get_community(ctx.session, lesson.community_id)
    names = await people.members_by_ids(
        ctx.session, [m for m in (lesson.author_id, lesson.validated_by) if m]
    )
    author = names.get(lesson.author_id)
    counts = await lessons.reuse_counts(ctx.session, lesson.id)
    fields: list[tuple[str, str]] = [("Type", KINDS.get(lesson.kind, lesson.kind))]
    if lesson.event_date:
        fields.append(("Happened on", f"{lesson.event_date:%d %b %Y}"))
    if lesson.abstract:
        fields.append(("Summary", lesson.abstract))
    if lesson.topic_list:
        fields.append(("Topics", ", ".join(lesson.topic_list.split())))
    for name, label, _placeholder in TEXT_FIELDS:
        value = getattr(lesson, name)
        if value:
            fields.append((label, value))
    if lesson.status == "published":
        validator = names.get(lesson.validated_by or 0)
        status = "Published" + (f", validated by {validator.display_name}" if validator else "")
    else:
        status = "Draft, waiting for validation by a leader or SME"
    fields.append(("Status", status))
    fields.append(("Who can read it", SENSITIVITIES.get(lesson.sensitivity, lesson.sensitivity)))
    missing = missing_fields(lesson)
    if missing and visibility is Visibility.PRIVATE and await can_manage(ctx, lesson):
        fields.append(("To complete it, add", ", ".join(missing)))
    helped, applied = counts.get("helped", 0), counts.get("applied", 0)
    fields.append(("Reuse", f"{helped} found this helpful · {applied} applied it"))
    choices: list[Choice] = []
    if lesson.status == "published":
        choices += [
            Choice("This helped", f"lesson helped {lesson.id}", style="primary"),
            Choice("I applied this", f"lesson applied {lesson.id}"),
        ]
        if visibility is Visibility.PRIVATE and lesson.sensitivity != "restricted":
            choices.append(Choice("Share in channel", f"lesson share {lesson.id}"))
    elif visibility is Visibility.PRIVATE and await can_validate(ctx, lesson):
        choices.append(Choice("Publish", f"lesson publish {lesson.id}", style="primary"))
    if visibility is Visibility.PRIVATE and await can_manage(ctx, lesson):
        choices.append(Choice("Edit", f"lesson edit {lesson.id}"))
    where = community.name if community else "?"
    by = author.display_name if author else "someone"
    return Reply(
        lesson.statement or "(no lesson statement yet)",
        title=f"Lesson {lesson.id}: {lesson.title}",
        fields=tuple(fields),
        choices=tuple(choices),
        context=f"{where} · by {by} · {lesson.created_at:%d %b %Y}"
        + (f" · from {lesson.source}" if lesson.source else ""),
        visibility=visibility,
    )


# -- capture --------------------------------------------------------------------------------------


@command(
    "lesson",
    usage="lesson [<title> | <lesson> #topic ...]",
    summary="Capture a lesson learned (opens a form)",
    group=GROUP,
    details="With no arguments a form asks the after-action questions: what was supposed to "
    "happen, what happened, why, what to keep and what to change. New lessons are drafts "
    "until a leader or an SME of their topic publishes them.",
    examples=(
        "lesson",
        "lesson Backfills need their own queue | When backfilling, use a separate pool "
        "because it starves daily jobs #airflow",
    ),
)
async def lesson_new(ctx: Context, args: str) -> Reply:
    community = await ctx.community()
    await ctx.require(Capability.SUBMIT_LESSON, community)
    text, tags = take_hashtags(args)
    if "|" not in text:
        return Reply(
            f"Capture a lesson for {community.name}.",
            form=lesson_form(
                f"lesson.new:{community.slug}",
                "New lesson",
                {"title": text[:TITLE_MAX] or None, "topics": ", ".join(tags) or None},
            ),
        )
    title, _, statement = text.partition("|")
    return await _create(
        ctx,
        community,
        {"title": title, "statement": statement, "topics": ", ".join(tags)},
        full_form=False,
    )


@command(
    "lesson draft",
    usage="lesson draft <text>",
    summary='Start a lesson from a chat message (the "save as lesson" action)',
    group=GROUP,
    hidden=True,
)
async def lesson_draft(ctx: Context, args: str) -> Reply:
    community = await ctx.community()
    await ctx.require(Capability.SUBMIT_LESSON, community)
    text, tags = take_hashtags(args)
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    return Reply(
        "Turn this message into a lesson: add a title and the reusable lesson.",
        form=lesson_form(
            f"lesson.new:{community.slug}",
            "Save as lesson",
            {
                "title": first_line[:80] or None,
                "context": text[:TEXT_MAX] or None,
                "topics": ", ".join(tags) or None,
            },
        ),
    )


@command(
    "lesson after",
    usage="lesson after <session id>",
    summary="Capture a lesson from a meeting session (the post-meeting prompt)",
    group=GROUP,
    hidden=True,
)
async def lesson_after(ctx: Context, args: str) -> Reply:
    """The form, prefilled with the session's date and title (AAR-lite after a meeting)."""
    number, _rest = lesson_id(args)
    found = await meetings.get_occurrence(ctx.session, number)
    community = (
        await communities.get_community(ctx.session, found[1].community_id) if found else None
    )
    if found is None or community is None:
        raise UserError(f"There is no session `{number}`. Type `lesson` to capture one.")
    occurrence, meeting = found
    await ctx.require(Capability.SUBMIT_LESSON, community)
    day = occurrence.starts_at.astimezone(zone(meeting.timezone)).date()
    return Reply(
        f"What did {meeting.title} on {day:%d %b %Y} teach us? Three minutes is enough.",
        form=lesson_form(
            f"lesson.new:{community.slug}",
            "Capture a lesson",
            {
                "title": f"{meeting.title}, {day:%d %b %Y}"[:TITLE_MAX],
                "event_date": day.isoformat(),
                "context": f"{meeting.title} ({community.name}), {day:%d %b %Y}",
            },
        ),
    )


@form("lesson.new", limits=LESSON_LIMITS)
async def lesson_new_submitted(ctx: Context, values: Mapping[str, str]) -> Reply:
    community = await ctx.community(values.get("_arg") or None)
    await ctx.require(Capability.SUBMIT_LESSON, community)
    return await _create(ctx, community, values)


async def _create(
    ctx: Context, community: Community, values: Mapping[str, str], *, full_form: bool = True
) -> Reply:
    assert community.id is not None
    cleaned, topics = await clean(ctx, values, full_form=full_form)
    lesson = await lessons.create_lesson(
        ctx.session,
        community_id=community.id,
        author_id=ctx.member_id,
        topics=topics,
        now=ctx.now,
        source=(values.get("source") or None),
        **cleaned,
    )
    assert lesson.id is not None
    await ctx.record_activity(
        community.id,
        ctx.member_id,
        activity.LESSON_SUBMITTED,
        contribution=True,
        ref=f"lesson:{lesson.id}",
    )
    asked = await _ask_validators(ctx, community, lesson, topics)
    card = await lesson_reply(ctx, lesson)
    who = (
        f"I asked {asked} leader{'s' * (asked != 1)} or SME{'s' * (asked != 1)}"
        if asked
        else ("Nobody else can validate it yet")
    )
    return Reply(
        f"Saved lesson {lesson.id} as a draft. {who} to review and publish it.",
        choices=card.choices,
    )


async def _ask_validators(
    ctx: Context, community: Community, lesson: Lesson, topics: list[str]
) -> int:
    assert community.id is not None and lesson.id is not None
    leaders = await communities.members_with_role(ctx.session, community.id, Role.LEADER)
    ids = [m.id for m in leaders if m.id is not None]
    ids += await experts.smes_for(ctx.session, community.id, topics)
    asked = 0
    for member_id in dict.fromkeys(ids):
        if member_id == ctx.member_id:
            continue
        asked += await ctx.notify_member(
            member_id,
            Reply(
                f"{ctx.member.display_name} captured a lesson in {community.name}: "
                f"*{lesson.title}*\n{lesson.statement[:300]}",
                title="A lesson to validate",
                visibility=Visibility.DIRECT,
                choices=(
                    Choice("Publish", f"lesson publish {lesson.id}", style="primary"),
                    Choice("Read it", f"lesson show {lesson.id}"),
                    Choice("Edit", f"lesson edit {lesson.id}"),
                ),
            ),
            key=f"lesson-review:{lesson.id}:{member_id}",
            community_id=community.id,
        )
    return asked


# -- one lesson -----------------------------------------------------------------------------------


@command("lesson show", usage="lesson show <id>", summary="Show one lesson", group=GROUP)
async def lesson_show(ctx: Context, args: str) -> Reply:
    number, _rest = lesson_id(args)
    return await lesson_reply(ctx, await visible_lesson(ctx, number))


@command(
    "lesson publish",
    usage="lesson publish <id>",
    summary="Validate and publish a draft lesson (leaders, SMEs of its topics)",
    group=GROUP,
)
async def lesson_publish(ctx: Context, args: str) -> Reply:
    number, _rest = lesson_id(args)
    lesson = await visible_lesson(ctx, number)
    assert lesson.id is not None
    if lesson.status == "published":
        return Reply(f"Lesson {lesson.id} is already published.")
    if not await can_validate(ctx, lesson):
        topics = ", ".join(lesson.topic_list.split()) or "its topics"
        raise NotAllowed(
            f"Only leaders of the community or SMEs of {topics} can publish lesson {lesson.id}."
        )
    await lessons.publish(ctx.session, lesson, by=ctx.member_id, now=ctx.now)
    await ctx.record_activity(
        lesson.community_id,
        ctx.member_id,
        activity.LESSON_VALIDATED,
        ref=f"lesson:{lesson.id}",
    )
    if lesson.author_id != ctx.member_id:
        await ctx.notify_member(
            lesson.author_id,
            Reply(
                f"{ctx.member.display_name} published your lesson *{lesson.title}*. Thank you "
                "for sharing it!",
                visibility=Visibility.DIRECT,
                choices=(
                    Choice("Read it", f"lesson show {lesson.id}"),
                    Choice("Share in channel", f"lesson share {lesson.id}"),
                ),
            ),
            key=f"lesson-published:{lesson.id}",
            community_id=lesson.community_id,
        )
    card = await lesson_reply(ctx, lesson)
    return Reply(
        f"Published lesson {lesson.id}. Members can now find it with `lessons`.",
        choices=card.choices,
    )


@command(
    "lesson edit",
    usage="lesson edit <id>",
    summary="Change a lesson (its author or a leader)",
    group=GROUP,
)
async def lesson_edit(ctx: Context, args: str) -> Reply:
    number, _rest = lesson_id(args)
    lesson = await visible_lesson(ctx, number)
    if not await can_manage(ctx, lesson):
        raise NotAllowed("Only the author or a leader of the community can edit this lesson.")
    return Reply(
        f"Edit lesson {lesson.id}.",
        form=lesson_form(f"lesson.edit:{lesson.id}", "Edit lesson", form_values(lesson), "Save"),
    )


@form("lesson.edit", limits=LESSON_LIMITS)
async def lesson_edit_submitted(ctx: Context, values: Mapping[str, str]) -> Reply:
    arg = values.get("_arg", "")
    if not arg.isdigit():
        raise UserError("That form has expired. Type `lesson edit <id>` again.")
    lesson = await visible_lesson(ctx, int(arg))
    if not await can_manage(ctx, lesson):
        raise NotAllowed("Only the author or a leader of the community can edit this lesson.")
    cleaned, topics = await clean(ctx, values)
    await lessons.update_lesson(ctx.session, lesson, topics=topics, now=ctx.now, **cleaned)
    card = await lesson_reply(ctx, lesson)
    return Reply(f"Saved lesson {lesson.id}.", choices=card.choices)


@command(
    "lesson delete",
    usage="lesson delete <id>",
    summary="Delete a lesson (its author or a leader; can be restored)",
    group=GROUP,
)
async def lesson_delete(ctx: Context, args: str) -> Reply:
    number, rest = lesson_id(args)
    lesson = await visible_lesson(ctx, number)
    if not await can_manage(ctx, lesson):
        raise NotAllowed("Only the author or a leader of the community can delete this lesson.")
    if rest.lower() != "confirm":
        return Reply(
            f"Delete lesson {lesson.id} *{lesson.title}*?",
            choices=(
                Choice("Yes, delete it", f"lesson delete {lesson.id} confirm", style="danger"),
                Choice("Keep it", f"lesson show {lesson.id}"),
            ),
        )
    await lessons.soft_delete(ctx.session, lesson, ctx.now)
    return Reply(
        f"Deleted lesson {lesson.id}.",
        choices=(Choice("Undo", f"lesson restore {lesson.id}"),),
        replace=True,
    )


@command(
    "lesson restore",
    usage="lesson restore <id>",
    summary="Bring back a deleted lesson",
    group=GROUP,
)
async def lesson_restore(ctx: Context, args: str) -> Reply:
    number, _rest = lesson_id(args)
    lesson = await lessons.get_lesson(ctx.session, number, include_deleted=True)
    if lesson is None or not await can_manage(ctx, lesson):
        raise UserError(f"I can't find a lesson {number} you can restore.")
    if lesson.deleted_at is None:
        return Reply(f"Lesson {lesson.id} is not deleted.")
    await lessons.restore(ctx.session, lesson, ctx.now)
    return Reply(f"Restored lesson {lesson.id} *{lesson.title}*.", replace=True)


@command(
    "lesson share",
    usage="lesson share <id>",
    summary="Post a published lesson in its community's channel",
    group=GROUP,
)
async def lesson_share(ctx: Context, args: str) -> Reply:
    number, _rest = lesson_id(args)
    lesson = await visible_lesson(ctx, number)
    if lesson.status != "published":
        raise UserError("Only published lessons can be shared. Ask a leader to publish it first.")
    if lesson.sensitivity == "restricted":
        raise UserError(
            "This lesson is restricted to leaders and SMEs of its topics, so it is not posted in "
            f"a channel. Send its number instead: `lesson show {lesson.id}`."
        )
    community = await communities.get_community(ctx.session, lesson.community_id)
    if community is None:
        raise UserError("That lesson's community is gone.")
    card = await lesson_reply(ctx, lesson, visibility=Visibility.CHANNEL)
    shared = Reply(
        card.text,
        title=card.title,
        fields=card.fields,
        choices=card.choices,
        context=f"shared by {ctx.member.display_name} · {card.context}",
        visibility=Visibility.CHANNEL,
    )
    posted = await ctx.post_to_community(community, shared, key=f"lesson-share:{lesson.id}")
    if posted:
        return Reply(f"Shared lesson {lesson.id} in {community.name}'s channel.")
    if not await communities.channel_links(ctx.session, community.id or 0):
        return Reply(
            f"{community.name} has no linked channel yet: a leader can type `community link` in it."
        )
    return Reply(f"Lesson {lesson.id} was already shared in {community.name}'s channel.")


async def _reuse(ctx: Context, args: str, kind: str) -> Reply:
    number, _rest = lesson_id(args)
    lesson = await visible_lesson(ctx, number)
    assert lesson.id is not None
    if lesson.status != "published":
        raise UserError("Votes count on published lessons only.")
    if lesson.author_id == ctx.member_id:
        return Reply("That's your own lesson: votes come from the people it helps.")
    new = await lessons.log_reuse(ctx.session, lesson.id, ctx.member_id, kind, ctx.now)
    if new:
        await ctx.record_activity(
            lesson.community_id, ctx.member_id, activity.LESSON_REUSED, ref=f"lesson:{lesson.id}"
        )
    counts = await lessons.reuse_counts(ctx.session, lesson.id)
    n = counts.get(kind, 0)
    what = "found it helpful" if kind == "helped" else "applied it"
    thanks = "Thanks, noted!" if new else "You already told me, thanks!"
    return Reply(f"{thanks} {n} {'person' if n == 1 else 'people'} {what}.")


@command(
    "lesson helped",
    usage="lesson helped <id>",
    summary="Say a lesson helped you",
    group=GROUP,
    hidden=True,
)
async def lesson_helped(ctx: Context, args: str) -> Reply:
    return await _reuse(ctx, args, "helped")


@command(
    "lesson applied",
    usage="lesson applied <id>",
    summary="Say you applied a lesson",
    group=GROUP,
    hidden=True,
)
async def lesson_applied(ctx: Context, args: str) -> Reply:
    return await _reuse(ctx, args, "applied")
