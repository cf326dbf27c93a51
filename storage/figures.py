"""The raw counts behind the engagement figures (bot/figures): one query per fact, over a
half-open UTC range [since, until). The figures' rules (ratios, tiers, thresholds) live in
bot.figures.sources; this module only reads rows.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import ActivityEvent, Member, Membership
from storage.tables.experts import Expertise, ExpertRouting, SmeDesignation
from storage.tables.health import HealthCheck
from storage.tables.lessons import Lesson, LessonReuse, LessonTopic
from storage.tables.meetings import Meeting, MeetingAttendance, MeetingOccurrence, MeetingRsvp
from storage.tables.surveys import Survey, SurveyAnswer, SurveyInvite

HELD = "scheduled"  # an occurrence neither skipped, cancelled nor moved


@dataclass(frozen=True, slots=True)
class Stint:
    member_id: int
    joined_at: datetime
    left_at: datetime | None

    def covers(self, at: datetime) -> bool:
        """A member at instant `at` (joined before it, not yet left)."""
        return self.joined_at <= at and (self.left_at is None or self.left_at > at)


@dataclass(frozen=True, slots=True)
class Attendance:
    occurrence_id: int
    member_id: int
    starts_at: datetime


async def stints(session: AsyncSession, community_id: int, until: datetime) -> list[Stint]:
    """Every membership of the community that began before `until` (growth, M, invitees)."""
    result = await session.exec(
        select(Membership.member_id, Membership.joined_at, Membership.left_at).where(
            Membership.community_id == community_id, col(Membership.joined_at) < until
        )
    )
    return [Stint(m, j, left) for m, j, left in result.all()]


async def actions_by_member(
    session: AsyncSession,
    community_id: int,
    since: datetime,
    until: datetime,
    *,
    ignore_kinds: Collection[str] = (),
) -> dict[int, tuple[int, int]]:
    """member id -> (actions, contributions) in [since, until) from the activity log."""
    query = (
        select(
            ActivityEvent.member_id,
            func.count(),
            func.sum(case((col(ActivityEvent.contribution), 1), else_=0)),
        )
        .where(
            ActivityEvent.community_id == community_id,
            col(ActivityEvent.occurred_at) >= since,
            col(ActivityEvent.occurred_at) < until,
        )
        .group_by(col(ActivityEvent.member_id))
    )
    if ignore_kinds:
        query = query.where(col(ActivityEvent.kind).not_in(list(ignore_kinds)))
    result = await session.exec(query)
    return {int(m): (int(n), int(c or 0)) for m, n, c in result.all()}


async def action_times(
    session: AsyncSession,
    community_id: int,
    member_ids: Collection[int],
    since: datetime,
    until: datetime,
    *,
    ignore_kinds: Collection[str] = (),
) -> list[tuple[int, datetime]]:
    """(member id, when) of the given members' actions in [since, until) (activation)."""
    if not member_ids:
        return []
    query = select(ActivityEvent.member_id, ActivityEvent.occurred_at).where(
        ActivityEvent.community_id == community_id,
        col(ActivityEvent.member_id).in_(list(member_ids)),
        col(ActivityEvent.occurred_at) >= since,
        col(ActivityEvent.occurred_at) < until,
    )
    if ignore_kinds:
        query = query.where(col(ActivityEvent.kind).not_in(list(ignore_kinds)))
    return [(int(m), at) for m, at in (await session.exec(query)).all()]


def _held(community_id: int, since: datetime, until: datetime) -> tuple[Any, ...]:
    return (
        Meeting.community_id == community_id,
        MeetingOccurrence.state == HELD,
        col(MeetingOccurrence.starts_at) >= since,
        col(MeetingOccurrence.starts_at) < until,
    )


async def sessions_held(
    session: AsyncSession, community_id: int, since: datetime, until: datetime
) -> list[tuple[int, datetime]]:
    """(occurrence id, start) of the sessions held in [since, until), in order."""
    result = await session.exec(
        select(MeetingOccurrence.id, MeetingOccurrence.starts_at)
        .join(Meeting, col(Meeting.id) == MeetingOccurrence.meeting_id)
        .where(*_held(community_id, since, until))
        .order_by(col(MeetingOccurrence.starts_at))
    )
    return [(int(i), at) for i, at in result.all() if i is not None]


async def attendances(
    session: AsyncSession, community_id: int, since: datetime, until: datetime
) -> list[Attendance]:
    """Who attended which session held in [since, until)."""
    result = await session.exec(
        select(
            MeetingAttendance.occurrence_id,
            MeetingAttendance.member_id,
            MeetingOccurrence.starts_at,
        )
        .join(MeetingOccurrence, col(MeetingOccurrence.id) == MeetingAttendance.occurrence_id)
        .join(Meeting, col(Meeting.id) == MeetingOccurrence.meeting_id)
        .where(*_held(community_id, since, until))
    )
    return [Attendance(int(o), int(m), at) for o, m, at in result.all()]


async def first_attendances(
    session: AsyncSession, community_id: int, member_ids: Collection[int], until: datetime
) -> dict[int, datetime]:
    """member id -> start of the first session of the community they attended (before until)."""
    if not member_ids:
        return {}
    result = await session.exec(
        select(MeetingAttendance.member_id, func.min(MeetingOccurrence.starts_at))
        .join(MeetingOccurrence, col(MeetingOccurrence.id) == MeetingAttendance.occurrence_id)
        .join(Meeting, col(Meeting.id) == MeetingOccurrence.meeting_id)
        .where(
            Meeting.community_id == community_id,
            MeetingOccurrence.state == HELD,
            col(MeetingOccurrence.starts_at) < until,
            col(MeetingAttendance.member_id).in_(list(member_ids)),
        )
        .group_by(col(MeetingAttendance.member_id))
    )
    return {int(m): at for m, at in result.all()}


async def going_rsvps(
    session: AsyncSession, occurrence_ids: Sequence[int]
) -> list[tuple[int, int]]:
    """(occurrence id, member id) of every "going" RSVP to the given sessions."""
    if not occurrence_ids:
        return []
    result = await session.exec(
        select(MeetingRsvp.occurrence_id, MeetingRsvp.member_id).where(
            col(MeetingRsvp.occurrence_id).in_(list(occurrence_ids)),
            MeetingRsvp.status == "going",
        )
    )
    return [(int(o), int(m)) for o, m in result.all()]


async def departments(session: AsyncSession, member_ids: Collection[int]) -> dict[int, str]:
    """member id -> department, for the members whose department is known."""
    if not member_ids:
        return {}
    result = await session.exec(
        select(Member.id, Member.department).where(
            col(Member.id).in_(list(member_ids)),
            col(Member.department).is_not(None),
            Member.department != "",
        )
    )
    return {int(m): str(d).strip() for m, d in result.all() if m is not None and d}


async def lessons_created(
    session: AsyncSession, community_id: int, since: datetime, until: datetime
) -> int:
    result = await session.exec(
        select(func.count()).where(
            Lesson.community_id == community_id,
            col(Lesson.created_at) >= since,
            col(Lesson.created_at) < until,
            col(Lesson.deleted_at).is_(None),
        )
    )
    return int(result.one())


async def lesson_reuse(
    session: AsyncSession, community_id: int, created_before: datetime, reused_before: datetime
) -> tuple[int, int]:
    """(published lessons created before `created_before`, those reused before `reused_before`)."""
    eligible = (
        select(Lesson.id)
        .where(
            Lesson.community_id == community_id,
            Lesson.status == "published",
            col(Lesson.deleted_at).is_(None),
            col(Lesson.created_at) < created_before,
        )
        .subquery()
    )
    total = (await session.exec(select(func.count()).select_from(eligible))).one()
    reused = (
        await session.exec(
            select(func.count(func.distinct(LessonReuse.lesson_id))).where(
                col(LessonReuse.lesson_id).in_(select(eligible.c.id)),
                col(LessonReuse.at) < reused_before,
            )
        )
    ).one()
    return int(total), int(reused)


async def topics_used(session: AsyncSession, community_id: int, until: datetime) -> set[str]:
    """Topics the community used before `until`: its lessons' topics, its members' declared
    expertise and questions routed in it (as `experts gaps` counts them)."""
    lesson_topics = await session.exec(
        select(LessonTopic.topic)
        .join(Lesson, col(Lesson.id) == LessonTopic.lesson_id)
        .where(
            Lesson.community_id == community_id,
            col(Lesson.deleted_at).is_(None),
            col(Lesson.created_at) < until,
        )
    )
    declared = await session.exec(
        select(Expertise.topic)
        .join(Membership, col(Membership.member_id) == Expertise.member_id)
        .where(
            Membership.community_id == community_id,
            col(Membership.joined_at) < until,
            or_(col(Membership.left_at).is_(None), col(Membership.left_at) >= until),
            col(Expertise.updated_at) < until,
        )
    )
    routed = await session.exec(
        select(ExpertRouting.topic).where(
            ExpertRouting.community_id == community_id, col(ExpertRouting.asked_at) < until
        )
    )
    return {*lesson_topics.all(), *declared.all(), *routed.all()}


async def sme_topics(session: AsyncSession, community_id: int, until: datetime) -> set[str]:
    """Topics with an SME designated in the community before `until`."""
    result = await session.exec(
        select(SmeDesignation.topic).where(
            SmeDesignation.community_id == community_id,
            col(SmeDesignation.designated_at) < until,
        )
    )
    return set(result.all())


async def surveys_opened(
    session: AsyncSession, community_id: int, since: datetime, until: datetime
) -> list[Survey]:
    """Surveys of the community that opened in [since, until) (not merely scheduled)."""
    result = await session.exec(
        select(Survey).where(
            Survey.community_id == community_id,
            Survey.state != "scheduled",
            col(Survey.opens_at) >= since,
            col(Survey.opens_at) < until,
        )
    )
    return list(result.all())


async def invite_totals(session: AsyncSession, survey_ids: Sequence[int]) -> tuple[int, int]:
    """(invitees still known, of whom answered) over the given surveys; forgotten people are
    no longer eligible."""
    if not survey_ids:
        return 0, 0
    result = await session.exec(
        select(func.count(), func.sum(case((col(SurveyInvite.answered), 1), else_=0)))
        .join(Member, col(Member.id) == SurveyInvite.member_id)
        .where(
            col(SurveyInvite.survey_id).in_(list(survey_ids)), col(Member.forgotten_at).is_(None)
        )
    )
    invited, answered = result.one()
    return int(invited or 0), int(answered or 0)


async def answers_to(session: AsyncSession, questions: Sequence[tuple[int, int]]) -> list[str]:
    """The stored values of every answer to the given (survey id, question index) pairs."""
    found: list[str] = []
    for survey_id, index in questions:
        result = await session.exec(
            select(SurveyAnswer.value).where(
                SurveyAnswer.survey_id == survey_id, SurveyAnswer.question == index
            )
        )
        found.extend(result.all())
    return found


async def latest_health_checks(
    session: AsyncSession, community_id: int, quarter_at_most: str
) -> tuple[str | None, list[HealthCheck]]:
    """The answered checks of the latest quarter reviewed up to `quarter_at_most` ("2026Q3")."""
    latest = (
        await session.exec(
            select(func.max(HealthCheck.quarter)).where(
                HealthCheck.community_id == community_id,
                col(HealthCheck.answered_at).is_not(None),
                col(HealthCheck.quarter) <= quarter_at_most,
            )
        )
    ).one()
    if latest is None:
        return None, []
    result = await session.exec(
        select(HealthCheck).where(
            HealthCheck.community_id == community_id,
            HealthCheck.quarter == latest,
            col(HealthCheck.answered_at).is_not(None),
        )
    )
    return str(latest), list(result.all())
