"""Read-only queries behind the nudge rules' facts (see bot.nudges.gather)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import ActivityEvent, Member, MemberRole, Membership
from storage.tables.lessons import Lesson, LessonReuse
from storage.tables.meetings import Meeting, MeetingOccurrence
from storage.tables.surveys import Survey

SCHEDULED = "scheduled"


async def agenda_gaps(
    session: AsyncSession,
    community_id: int,
    after: datetime,
    until: datetime,
    *,
    made_before: datetime,
) -> list[tuple[MeetingOccurrence, Meeting]]:
    """Scheduled sessions starting in (after, until] whose agenda (own or series') is empty,
    of meetings made before `made_before` (organisers get a moment to add one)."""
    result = await session.exec(
        select(MeetingOccurrence, Meeting)
        .join(Meeting, col(Meeting.id) == MeetingOccurrence.meeting_id)
        .where(
            Meeting.community_id == community_id,
            col(Meeting.cancelled_at).is_(None),
            col(Meeting.created_at) <= made_before,
            MeetingOccurrence.state == SCHEDULED,
            col(MeetingOccurrence.starts_at) > after,
            col(MeetingOccurrence.starts_at) <= until,
            func.trim(MeetingOccurrence.agenda) == "",
            func.trim(Meeting.agenda) == "",
        )
        .order_by(col(MeetingOccurrence.starts_at))
    )
    return list(result.all())


async def drafts(session: AsyncSession, community_id: int) -> list[Lesson]:
    """Lessons submitted and waiting for validation, oldest first."""
    result = await session.exec(
        select(Lesson)
        .where(
            Lesson.community_id == community_id,
            Lesson.status == "draft",
            col(Lesson.deleted_at).is_(None),
        )
        .order_by(col(Lesson.created_at), col(Lesson.id))
        .limit(50)
    )
    return list(result.all())


async def published_with_reuse(
    session: AsyncSession, community_id: int
) -> list[tuple[Lesson, int, datetime | None]]:
    """Published lessons with how many reuse votes they have and when the latest came."""
    reuse = (
        select(
            LessonReuse.lesson_id,
            func.count().label("n"),
            func.max(LessonReuse.at).label("latest"),
        )
        .group_by(col(LessonReuse.lesson_id))
        .subquery()
    )
    result = await session.exec(
        select(Lesson, reuse.c.n, reuse.c.latest)
        .outerjoin(reuse, reuse.c.lesson_id == Lesson.id)
        .where(
            Lesson.community_id == community_id,
            Lesson.status == "published",
            col(Lesson.deleted_at).is_(None),
        )
        .order_by(col(Lesson.validated_at), col(Lesson.id))
    )
    return [(lesson, int(n or 0), latest) for lesson, n, latest in result.all()]


async def last_action_at(
    session: AsyncSession, community_id: int, *, leaving_out: Collection[str]
) -> datetime | None:
    """When a member last did anything in the community (any kind but `leaving_out`)."""
    result = await session.exec(
        select(func.max(ActivityEvent.occurred_at)).where(
            ActivityEvent.community_id == community_id,
            col(ActivityEvent.kind).not_in(list(leaving_out)),
        )
    )
    latest = result.one()
    return latest


async def contributions(
    session: AsyncSession, community_id: int, since: datetime
) -> dict[int, int]:
    result = await session.exec(
        select(ActivityEvent.member_id, func.count())
        .where(
            ActivityEvent.community_id == community_id,
            col(ActivityEvent.contribution).is_(True),
            col(ActivityEvent.occurred_at) >= since,
        )
        .group_by(col(ActivityEvent.member_id))
    )
    return {int(member): int(n) for member, n in result.all()}


async def active_by_department(
    session: AsyncSession, community_id: int, since: datetime
) -> dict[str, int]:
    """Distinct members active since `since`, by their department (unknown left out)."""
    result = await session.exec(
        select(Member.department, func.count(func.distinct(ActivityEvent.member_id)))
        .join(Member, col(Member.id) == ActivityEvent.member_id)
        .where(
            ActivityEvent.community_id == community_id,
            col(ActivityEvent.occurred_at) >= since,
            col(Member.department).is_not(None),
            col(Member.forgotten_at).is_(None),
        )
        .group_by(col(Member.department))
    )
    return {str(department): int(n) for department, n in result.all() if department}


async def member_departments(session: AsyncSession, community_id: int) -> int:
    """How many departments the community's current members come from (its scope)."""
    result = await session.exec(
        select(func.count(func.distinct(Member.department)))
        .join(Membership, col(Membership.member_id) == Member.id)
        .where(
            Membership.community_id == community_id,
            col(Membership.left_at).is_(None),
            col(Member.department).is_not(None),
        )
    )
    return int(result.one())


async def members_at(session: AsyncSession, community_id: int, at: datetime) -> int:
    """Members of the community at one moment (joined by then, not yet left)."""
    result = await session.exec(
        select(func.count(func.distinct(Membership.member_id))).where(
            Membership.community_id == community_id,
            col(Membership.joined_at) <= at,
            or_(col(Membership.left_at).is_(None), col(Membership.left_at) > at),
        )
    )
    return int(result.one())


async def closed_surveys(session: AsyncSession, community_id: int, since: datetime) -> list[Survey]:
    """Surveys closed since `since`, newest first."""
    result = await session.exec(
        select(Survey)
        .where(
            Survey.community_id == community_id,
            Survey.state == "closed",
            col(Survey.closed_at) >= since,
        )
        .order_by(col(Survey.closed_at).desc())
    )
    return list(result.all())


async def role_granted_at(
    session: AsyncSession, community_id: int, role: str
) -> dict[int, datetime]:
    """When each current holder of `role` in the community was given it (N17: leader
    unchanged for years)."""
    result = await session.exec(
        select(MemberRole.member_id, MemberRole.granted_at).where(
            MemberRole.community_id == community_id, MemberRole.role == role
        )
    )
    return {member_id: granted_at for member_id, granted_at in result.all()}


async def last_seen_of_role(session: AsyncSession, community_id: int, role: str) -> datetime | None:
    """The latest time any current holder of `role` wrote to copbot (N14: a sponsor who
    never answers a digest)."""
    result = await session.exec(
        select(func.max(Member.last_seen_at))
        .join(MemberRole, col(MemberRole.member_id) == Member.id)
        .where(
            MemberRole.community_id == community_id,
            MemberRole.role == role,
            col(Member.forgotten_at).is_(None),
        )
    )
    return result.one()
