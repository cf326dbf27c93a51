"""Lessons learned: capture (form, quick line, "save as lesson"), validate, search and reuse."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from bot import activity
from bot.context import Context, zone
from bot.errors import NotAllowed, UserError
from bot.experts.lookup import topic_for
from bot.form_limits import limits_of
from bot.lessons.access import (
    SENSITIVITIES,
    SENSITIVITY_ALIASES,
    can_read,
    can_validate,
    manages,
    reader_of,
)
from bot.messages import Choice, Form, FormField, Reply, Visibility
from bot.paging import Page, take_page
from bot.permissions import Capability, Role, allows
from bot.registry import command, form, home_section
from bot.topics import split_topics
from storage import communities, experts, lessons, meetings, people
from storage.search import search_lessons, search_terms
from storage.tables import Community
from storage.tables.lessons import Lesson

GROUP = "Lessons"
KINDS = {"success": "Success to repeat", "problem": "Problem to avoid", "insight": "Insight"}
KIND_ALIASES = {
    "success": "success",
    "good": "success",
    "repeat": "success",
    "problem": "problem",
    "failure": "problem",
    "fail": "problem",
    "avoid": "problem",
    "insight": "insight",
    "improvement": "insight",
    "idea": "insight",
}
TITLE_MAX = 150
ABSTRACT_MAX = 300
STATEMENT_MAX = 2000
TEXT_MAX = 4000
MAX_TOPICS = 8
PER_PAGE = 5
# name, label, multiline?, placeholder
TEXT_FIELDS = (
    ("context", "Context", "Project or activity, phase, your role"),
    ("planned", "What was supposed to happen?", "The goal, plan or success criteria"),
    ("actual", "What actually happened?", "Facts and timeline"),
    ("why", "Why was there a difference?", "Causes and contributing factors: what, not who"),
    ("sustain", "What should we keep doing?", None),
    ("improve", "What should we do differently?", None),
)
_HASHTAG = re.compile(r"(?:^|\s)#([\w][\w.+-]*)", re.UNICODE)
_ID = re.compile(r"^\s*#?(\d{1,12})\b\s*(.*)$", re.S)


# -- parsing and permissions ----------------------------------------------------------------------


def parse_kind(value: str) -> str:
    word = value.strip().lower().split(" ")[0] if value.strip() else "insight"
    kind = KIND_ALIASES.get(word)
    if kind is None:
        raise UserError(
            "The type is success, problem or insight.",
            fields={"kind": "Choose success, problem or insight."},
        )
    return kind


def take_hashtags(text: str) -> tuple[str, list[str]]:
    """Split `#topic` words off a text: (text without them, the topics)."""
    tags = _HASHTAG.findall(text)
    return _HASHTAG.sub(" ", text).strip(), tags


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


# Unambiguous ways people write a day; 03/04/2026 is not one (March or April?).
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y")


def parse_event_date(ctx: Context, value: str) -> date:
    """A day not in the future (in the asker's timezone): `YYYY-MM-DD`, `today`, `yesterday`,
    `17 Feb 2026` or `Feb 17, 2026`."""
    today = ctx.now.astimezone(ctx.tz).date()
    text = " ".join(value.replace(",", " ").split()).lower()
    relative = {"today": today, "yesterday": today - timedelta(days=1)}
    day = relative.get(text)
    for layout in _DATE_FORMATS if day is None else ():
        try:
            day = datetime.strptime(text, layout).date()
            break
        except ValueError:
            continue
    if day is None:
        raise UserError(
            "Give the date it happened as YYYY-MM-DD (or `today`, `yesterday`).",
            fields={"event_date": "A date like 2026-02-17, or today or yesterday."},
        )
    if day > today or day.year < 1950:
        raise UserError(
            "The date it happened can't be in the future.",
            fields={"event_date": f"On or before {today.isoformat()}."},
        )
    return day


def parse_sensitivity(value: str) -> str:
    found = SENSITIVITY_ALIASES.get(value.strip().lower() or "org")
    if found is None:
        raise UserError(
            "Who may read it: org, community or restricted.",
            fields={"sensitivity": "Choose org, community or restricted."},
        )
    return found


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


# DOMAIN.md 5.1 required fields a quick lesson may lack (title, type, lesson and community
# always exist); "lessons captured" completeness counts lessons with all of them.
REQUIRED_LATER = (
    ("event_date", "the date it happened"),
    ("abstract", "a summary"),
    ("context", "context"),
    ("planned", "what was supposed to happen"),
    ("actual", "what happened"),
    ("why", "why it differed"),
    ("topic_list", "topics"),
)


def missing_fields(lesson: Lesson) -> list[str]:
    return [label for name, label in REQUIRED_LATER if not getattr(lesson, name)]


def lesson_form(
    form_id: str, title: str, values: Mapping[str, str | None], submit: str = "Save draft"
) -> Form:
    def initial(name: str) -> str | None:
        return values.get(name) or None

    fields = [
        FormField(
            "title",
            "Title",
            required=True,
            max_length=TITLE_MAX,
            initial=initial("title"),
            placeholder="Short subject, e.g. Backfills need a separate queue",
        ),
        FormField(
            "kind",
            "Type",
            "choice",
            required=True,
            options=tuple((label, value) for value, label in KINDS.items()),
            initial=values.get("kind") or "insight",
        ),
        FormField(
            "event_date",
            "When did it happen?",
            "date",
            required=True,
            initial=initial("event_date"),
            hint="the day (or first day) of the event the lesson comes from",
        ),
        FormField(
            "abstract",
            "Summary",
            "multiline",
            max_length=ABSTRACT_MAX,
            initial=initial("abstract"),
            placeholder="One paragraph: what happened and what we learned",
        ),
        FormField(
            "statement",
            "The lesson",
            "multiline",
            required=True,
            max_length=STATEMENT_MAX,
            initial=initial("statement"),
            placeholder="When <situation>, do <action> because <reason>",
        ),
        FormField(
            "topics",
            "Topics",
            initial=initial("topics"),
            placeholder="kubernetes, data quality",
            hint="comma-separated; they help people find the lesson and its experts",
        ),
    ]
    for name, label, placeholder in TEXT_FIELDS:
        fields.append(
            FormField(
                name,
                label,
                "multiline",
                max_length=TEXT_MAX,
                initial=initial(name),
                placeholder=placeholder,
            )
        )
    fields.append(
        FormField(
            "sensitivity",
            "Who can read it",
            "choice",
            required=True,
            options=tuple((label, value) for value, label in SENSITIVITIES.items()),
            initial=values.get("sensitivity") or "org",
        )
    )
    return Form(form_id, title, tuple(fields), submit)


LESSON_LIMITS = limits_of(lesson_form("lesson.new", "", {}).fields)


def form_values(lesson: Lesson) -> dict[str, str | None]:
    values: dict[str, str | None] = {
        name: getattr(lesson, name) for name, _label, _p in TEXT_FIELDS
    }
    values.update(
        title=lesson.title,
        kind=lesson.kind,
        statement=lesson.statement,
        topics=", ".join(lesson.topic_list.split()),
        event_date=lesson.event_date.isoformat() if lesson.event_date else None,
        abstract=lesson.abstract,
        sensitivity=lesson.sensitivity,
    )
    return values


async def clean(
    ctx: Context, values: Mapping[str, str], *, full_form: bool = True
) -> tuple[dict[str, Any], list[str]]:
    """Validated lesson fields and canonical topics, or a UserError naming each bad field.

    The form requires the date it happened; the one-line quick lesson has none.
    """
    errors: dict[str, str] = {}
    event_date: date | None = None
    raw_date = (values.get("event_date") or "").strip()
    if raw_date or full_form:
        if not raw_date:
            errors["event_date"] = "When did it happen? A date like 2026-02-17."
        else:
            try:
                event_date = parse_event_date(ctx, raw_date)
            except UserError as exc:
                errors.update(exc.fields)
    abstract = " ".join((values.get("abstract") or "").split())
    if len(abstract) > ABSTRACT_MAX:
        errors["abstract"] = f"At most {ABSTRACT_MAX} characters (now {len(abstract)})."
    sensitivity = "org"
    try:
        sensitivity = parse_sensitivity(values.get("sensitivity") or "org")
    except UserError as exc:
        errors.update(exc.fields)
    title = " ".join((values.get("title") or "").split())
    statement = (values.get("statement") or "").strip()
    if not title:
        errors["title"] = "Give the lesson a short title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"At most {TITLE_MAX} characters (now {len(title)})."
    if not statement:
        errors["statement"] = "Write the lesson: when <situation>, do <action> because <reason>."
    elif len(statement) > STATEMENT_MAX:
        errors["statement"] = f"At most {STATEMENT_MAX} characters (now {len(statement)})."
    for name, _label, _placeholder in TEXT_FIELDS:
        if len(values.get(name) or "") > TEXT_MAX:
            errors[name] = f"At most {TEXT_MAX} characters."
    kind = "insight"
    try:
        kind = parse_kind(values.get("kind") or "insight")
    except UserError as exc:
        errors.update(exc.fields)
    words = split_topics(values.get("topics") or "")
    if len(words) > MAX_TOPICS:
        errors["topics"] = f"At most {MAX_TOPICS} topics."
    if errors:
        first = next(iter(errors.values()))
        raise UserError(f"Please fix the lesson: {first}", fields=errors)
    topics = list(dict.fromkeys([await topic_for(ctx, w, create=True) for w in words]))
    cleaned: dict[str, Any] = {
        name: (values.get(name) or "").strip() for name, _l, _p in TEXT_FIELDS
    }
    cleaned.update(
        title=title,
        statement=statement,
        kind=kind,
        abstract=abstract,
        sensitivity=sensitivity,
        event_date=event_date,
    )
    return cleaned, topics


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
    page = Page(page_number, PER_PAGE, found.total)
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
