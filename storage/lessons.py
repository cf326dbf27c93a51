"""Lessons learned: create, edit, publish, soft delete, topics, reuse log and counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.experts import ensure_topics, refresh_stats
from storage.search import Reader, readable_clause
from storage.sql import insert_ignore
from storage.tables.lessons import Lesson, LessonReuse, LessonTopic

TEXT_FIELDS = (
    "title",
    "kind",
    "context",
    "planned",
    "actual",
    "why",
    "sustain",
    "improve",
    "statement",
    "source",
    "abstract",
    "sensitivity",
    "event_date",
)


async def _refresh_ranking(
    session: AsyncSession, lesson: Lesson, topics: Sequence[str], now: datetime
) -> None:
    """Authors and validators rank as experts on a lesson's topics: keep their evidence exact."""
    people = [m for m in (lesson.author_id, lesson.validated_by) if m is not None]
    await refresh_stats(session, [(m, t) for m in people for t in topics], now)


async def create_lesson(
    session: AsyncSession,
    *,
    community_id: int,
    author_id: int,
    topics: Sequence[str],
    now: datetime,
    **values: Any,
) -> Lesson:
    lesson = Lesson(
        community_id=community_id,
        author_id=author_id,
        topic_list=" ".join(topics),
        created_at=now,
        updated_at=now,
        **{k: v for k, v in values.items() if k in TEXT_FIELDS},
    )
    session.add(lesson)
    await session.flush()
    await _set_topics(session, lesson, topics, now)
    return lesson


async def update_lesson(
    session: AsyncSession, lesson: Lesson, *, topics: Sequence[str], now: datetime, **values: Any
) -> Lesson:
    for name, value in values.items():
        if name in TEXT_FIELDS:
            setattr(lesson, name, value)
    before = lesson.topic_list.split()
    lesson.topic_list = " ".join(topics)
    lesson.updated_at = now
    session.add(lesson)
    await session.flush()
    await _set_topics(session, lesson, topics, now)
    if lesson.status == "published":
        await _refresh_ranking(session, lesson, [*before, *topics], now)
    return lesson


async def _set_topics(
    session: AsyncSession, lesson: Lesson, topics: Sequence[str], now: datetime
) -> None:
    assert lesson.id is not None
    await ensure_topics(session, topics, now)
    current = set(await topics_of(session, lesson.id))
    wanted = list(dict.fromkeys(topics))
    for topic in current - set(wanted):
        row = await session.get(LessonTopic, (lesson.id, topic))
        if row is not None:
            await session.delete(row)
    reused = sum((await reuse_counts(session, lesson.id)).values()) if current else 0
    for topic in wanted:
        if topic not in current:
            session.add(LessonTopic(lesson_id=lesson.id, topic=topic, reuse_count=reused))
    await session.flush()


async def topics_of(session: AsyncSession, lesson_id: int) -> list[str]:
    result = await session.exec(
        select(LessonTopic.topic)
        .where(LessonTopic.lesson_id == lesson_id)
        .order_by(LessonTopic.topic)
    )
    return list(result.all())


async def get_lesson(
    session: AsyncSession, lesson_id: int, *, include_deleted: bool = False
) -> Lesson | None:
    lesson = await session.get(Lesson, lesson_id)
    if lesson is None or (lesson.deleted_at is not None and not include_deleted):
        return None
    return lesson


async def publish(session: AsyncSession, lesson: Lesson, *, by: int, now: datetime) -> None:
    lesson.status = "published"
    lesson.validated_by = by
    lesson.validated_at = now
    lesson.updated_at = now
    session.add(lesson)
    await session.flush()
    await _refresh_ranking(session, lesson, lesson.topic_list.split(), now)


async def soft_delete(session: AsyncSession, lesson: Lesson, now: datetime) -> None:
    lesson.deleted_at = now
    session.add(lesson)
    await session.flush()
    await _refresh_ranking(session, lesson, lesson.topic_list.split(), now)


async def restore(session: AsyncSession, lesson: Lesson, now: datetime) -> None:
    lesson.deleted_at = None
    lesson.updated_at = now
    session.add(lesson)
    await session.flush()
    await _refresh_ranking(session, lesson, lesson.topic_list.split(), now)


async def pending(
    session: AsyncSession,
    community_ids: Sequence[int],
    *,
    topic_filter: dict[int, list[str]] | None,
) -> list[Lesson]:
    """Drafts waiting for validation in these communities, oldest first.

    `topic_filter` maps a community to the topics the viewer may validate there (SMEs); a
    community missing from it means every draft there (leaders).
    """
    if not community_ids:
        return []
    result = await session.exec(
        select(Lesson)
        .where(
            col(Lesson.community_id).in_(list(community_ids)),
            Lesson.status == "draft",
            col(Lesson.deleted_at).is_(None),
        )
        .order_by(col(Lesson.created_at), col(Lesson.id))
        .limit(200)
    )
    drafts = list(result.all())
    if not topic_filter:
        return drafts
    kept = []
    for lesson in drafts:
        allowed = topic_filter.get(lesson.community_id)
        if allowed is None or set(lesson.topic_list.split()) & set(allowed):
            kept.append(lesson)
    return kept


async def log_reuse(
    session: AsyncSession, lesson_id: int, member_id: int, kind: str, now: datetime
) -> bool:
    """True when this is the member's first `kind` vote on the lesson (double clicks count once)."""
    new = await insert_ignore(
        session,
        LessonReuse.__table__,  # type: ignore[attr-defined]  # SQLModel declares no __table__
        {"lesson_id": lesson_id, "member_id": member_id, "kind": kind, "at": now},
        ["lesson_id", "member_id", "kind"],
    )
    if new:
        await session.exec(
            update(LessonTopic)
            .where(col(LessonTopic.lesson_id) == lesson_id)
            .values(reuse_count=LessonTopic.reuse_count + 1)
        )
    lesson = await session.get(Lesson, lesson_id)
    if new and lesson is not None and lesson.status == "published":
        pairs = [(lesson.author_id, t) for t in lesson.topic_list.split()]
        await refresh_stats(session, pairs, now)
    return new


async def reuse_counts(session: AsyncSession, lesson_id: int) -> dict[str, int]:
    result = await session.exec(
        select(LessonReuse.kind, func.count())
        .where(LessonReuse.lesson_id == lesson_id)
        .group_by(LessonReuse.kind)
    )
    return {kind: int(n) for kind, n in result.all()}


# How many of a topic's most reused lessons `top_lessons_for_topic` reads before filtering.
TOP_WINDOW = 100


async def top_lessons_for_topic(
    session: AsyncSession,
    topic: str,
    *,
    reader: Reader | None,
    community_ids: Sequence[int] | None = None,
    limit: int = 3,
) -> list[tuple[Lesson, int]]:
    """Published lessons on a topic that `reader` may see, with their reuse count, most reused
    then newest first.

    Reads the TOP_WINDOW most reused of the topic first (one index range; a common topic has
    thousands of lessons and the planner, misjudging the visibility filter, would otherwise
    walk every published lesson), and every one of them only when too few of those remain.
    """
    found = await _top_lessons(session, topic, reader, community_ids, limit, TOP_WINDOW)
    if len(found) < limit and await _more_than(session, topic, TOP_WINDOW):
        found = await _top_lessons(session, topic, reader, community_ids, limit, None)
    return found


async def _more_than(session: AsyncSession, topic: str, n: int) -> bool:
    """Whether more than `n` lessons carry the topic (the window did not see them all)."""
    some = select(LessonTopic.lesson_id).where(LessonTopic.topic == topic).limit(n + 1).subquery()
    return int((await session.exec(select(func.count()).select_from(some))).one()) > n


async def _top_lessons(
    session: AsyncSession,
    topic: str,
    reader: Reader | None,
    community_ids: Sequence[int] | None,
    limit: int,
    window: int | None,
) -> list[tuple[Lesson, int]]:
    ranked = (
        select(LessonTopic.lesson_id, LessonTopic.reuse_count)
        .where(LessonTopic.topic == topic)
        .order_by(col(LessonTopic.reuse_count).desc(), col(LessonTopic.lesson_id).desc())
    )
    if window is not None:
        ranked = ranked.limit(window)
    best = ranked.subquery("best")
    query = (
        select(Lesson, best.c.reuse_count)
        .join(best, best.c.lesson_id == Lesson.id)
        .where(
            Lesson.status == "published",
            col(Lesson.deleted_at).is_(None),
            text(readable_clause(reader, alias="lesson")),
        )
    )
    if community_ids:
        query = query.where(col(Lesson.community_id).in_(list(community_ids)))
    result = await session.exec(
        query.order_by(best.c.reuse_count.desc(), best.c.lesson_id.desc()).limit(limit)
    )
    return [(lesson, int(n)) for lesson, n in result.all()]


async def community_names(session: AsyncSession, ids: Sequence[int]) -> dict[int, str]:
    """Names of the communities lessons belong to, in one query (search result lines)."""
    from storage.tables import Community

    if not ids:
        return {}
    result = await session.exec(
        select(Community.id, Community.name).where(col(Community.id).in_(list(ids)))
    )
    return {int(i): str(name) for i, name in result.all() if i is not None}
