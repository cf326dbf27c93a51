"""Value stories: capture, lists, featuring, and the windows the figures and digests read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables.stories import Story, StoryPerson

TEXT_FIELDS = ("title", "situation", "activity", "gained", "used", "result", "unit", "cycle")


async def create_story(
    session: AsyncSession,
    *,
    community_id: int,
    author_id: int,
    people: Sequence[int],
    now: datetime,
    may_name: bool = False,
    quantity: float | None = None,
    **values: Any,
) -> Story:
    story = Story(
        community_id=community_id,
        author_id=author_id,
        created_at=now,
        may_name=may_name,
        quantity=quantity,
        **{k: v for k, v in values.items() if k in TEXT_FIELDS},
    )
    session.add(story)
    await session.flush()
    assert story.id is not None
    for member_id in dict.fromkeys(people):
        session.add(StoryPerson(story_id=story.id, member_id=member_id))
    await session.flush()
    return story


async def get_story(session: AsyncSession, story_id: int) -> Story | None:
    story = await session.get(Story, story_id)
    return story if story is not None and story.deleted_at is None else None


async def people_of(session: AsyncSession, story_id: int) -> list[int]:
    return list(
        (
            await session.exec(
                select(StoryPerson.member_id)
                .where(StoryPerson.story_id == story_id)
                .order_by(col(StoryPerson.member_id))
            )
        ).all()
    )


async def stories_of(
    session: AsyncSession, community_id: int, *, offset: int = 0, limit: int = 10
) -> tuple[list[Story], int]:
    """A community's stories, newest first, and how many there are."""
    where = (Story.community_id == community_id, col(Story.deleted_at).is_(None))
    total = (await session.exec(select(func.count()).select_from(Story).where(*where))).one()
    rows = (
        await session.exec(
            select(Story)
            .where(*where)
            .order_by(col(Story.created_at).desc(), col(Story.id).desc())
            .offset(offset)
            .limit(limit)
        )
    ).all()
    return list(rows), int(total)


async def feature(session: AsyncSession, story: Story, *, by: int, now: datetime) -> bool:
    """Mark a story featured for the digests; False when it already was (a double click)."""
    result = await session.exec(
        update(Story)
        .where(col(Story.id) == story.id, col(Story.featured_at).is_(None))
        .values(featured_at=now, featured_by=by)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(story)
    return bool(result.rowcount)


async def delete_story(session: AsyncSession, story: Story, now: datetime) -> None:
    story.deleted_at = now
    session.add(story)
    await session.flush()


# -- windows (figures, digests) -------------------------------------------------------------------


async def stories_in_window(
    session: AsyncSession, community_id: int, start: datetime, end: datetime
) -> list[Story]:
    """Stories captured in [start, end) (UTC bounds), oldest first: the "value stories" figure."""
    return list(
        (
            await session.exec(
                select(Story)
                .where(
                    Story.community_id == community_id,
                    col(Story.deleted_at).is_(None),
                    col(Story.created_at) >= start,
                    col(Story.created_at) < end,
                )
                .order_by(col(Story.created_at), col(Story.id))
            )
        ).all()
    )


async def featured_stories(
    session: AsyncSession,
    community_id: int,
    start: datetime,
    end: datetime,
    *,
    limit: int = 3,
) -> list[Story]:
    """Stories a leader featured in [start, end), most recently featured first (digests)."""
    return list(
        (
            await session.exec(
                select(Story)
                .where(
                    Story.community_id == community_id,
                    col(Story.deleted_at).is_(None),
                    col(Story.featured_at) >= start,
                    col(Story.featured_at) < end,
                )
                .order_by(col(Story.featured_at).desc(), col(Story.id).desc())
                .limit(limit)
            )
        ).all()
    )


# -- personal data --------------------------------------------------------------------------------


async def written_by(session: AsyncSession, member_id: int) -> list[Story]:
    return list(
        (
            await session.exec(
                select(Story).where(Story.author_id == member_id).order_by(col(Story.id))
            )
        ).all()
    )


async def naming(session: AsyncSession, member_id: int) -> list[int]:
    """Ids of the stories that thank `member_id`."""
    return list(
        (
            await session.exec(
                select(StoryPerson.story_id)
                .where(StoryPerson.member_id == member_id)
                .order_by(col(StoryPerson.story_id))
            )
        ).all()
    )


async def erase_member(session: AsyncSession, member_id: int) -> None:
    """`forget`: no story names them any more; the stories they wrote stay for the community
    (the author is the tombstone "a former member")."""
    await session.exec(delete(StoryPerson).where(col(StoryPerson.member_id) == member_id))
