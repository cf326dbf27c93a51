"""Queries for pulse surveys: the survey's lifecycle, invitations and answers.

Nothing here returns an answer together with a person: aggregates get bare values per question
(`answer_values`), and a member's own answers are looked up by their opaque respondent token.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sql import dialect_name, insert_ignore
from storage.tables import Member
from storage.tables.surveys import Survey, SurveyAnswer, SurveyInvite


async def create_survey(session: AsyncSession, survey: Survey) -> Survey:
    session.add(survey)
    await session.flush()
    return survey


async def get_survey(session: AsyncSession, survey_id: int) -> Survey | None:
    return await session.get(Survey, survey_id)


async def claim_state(
    session: AsyncSession, survey_id: int, old: str, new: str, **values: Any
) -> bool:
    """Move a survey from `old` to `new`; False when another worker already did."""
    result = await session.exec(
        update(Survey)
        .where(col(Survey.id) == survey_id, col(Survey.state) == old)
        .values(state=new, **values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def claim_reminder(session: AsyncSession, survey_id: int) -> bool:
    result = await session.exec(
        update(Survey)
        .where(col(Survey.id) == survey_id, col(Survey.reminded).is_(False))
        .values(reminded=True)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def due_to_open(session: AsyncSession, now: datetime) -> list[Survey]:
    result = await session.exec(
        select(Survey)
        .where(Survey.state == "scheduled", col(Survey.opens_at) <= now)
        .order_by(col(Survey.id))
    )
    return list(result.all())


async def due_to_remind(session: AsyncSession, now: datetime, lead: timedelta) -> list[Survey]:
    result = await session.exec(
        select(Survey)
        .where(
            Survey.state == "open",
            col(Survey.reminded).is_(False),
            col(Survey.closes_at) <= now + lead,
            col(Survey.closes_at) > now,
        )
        .order_by(col(Survey.id))
    )
    return list(result.all())


async def due_to_close(session: AsyncSession, now: datetime) -> list[Survey]:
    result = await session.exec(
        select(Survey)
        .where(Survey.state == "open", col(Survey.closes_at) <= now)
        .order_by(col(Survey.id))
    )
    return list(result.all())


async def surveys_of(session: AsyncSession, community_id: int, *, limit: int = 10) -> list[Survey]:
    result = await session.exec(
        select(Survey)
        .where(Survey.community_id == community_id)
        .order_by(col(Survey.created_at).desc(), col(Survey.id).desc())
        .limit(limit)
    )
    return list(result.all())


async def open_for_member(session: AsyncSession, member_id: int) -> list[tuple[Survey, bool]]:
    """Open surveys the member was invited to, with whether they answered."""
    result = await session.exec(
        select(Survey, SurveyInvite.answered)
        .join(SurveyInvite, col(SurveyInvite.survey_id) == Survey.id)
        .where(SurveyInvite.member_id == member_id, Survey.state == "open")
        .order_by(col(Survey.closes_at))
    )
    return [(survey, bool(answered)) for survey, answered in result.all()]


# -- invitations -------------------------------------------------------------------------------


async def add_invite(session: AsyncSession, survey_id: int, member_id: int) -> bool:
    return await insert_ignore(
        session,
        SurveyInvite.__table__,  # type: ignore[attr-defined]  # SQLModel declares no __table__
        {"survey_id": survey_id, "member_id": member_id, "answered": False},
        ["survey_id", "member_id"],
    )


async def add_invites(session: AsyncSession, survey_id: int, member_ids: Sequence[int]) -> None:
    """`add_invite` for a whole audience in a few statements."""
    module = postgresql if dialect_name(session) == "postgresql" else sqlite
    table = SurveyInvite.__table__  # type: ignore[attr-defined]
    statement = module.insert(table).on_conflict_do_nothing(
        index_elements=["survey_id", "member_id"]
    )
    rows = [{"survey_id": survey_id, "member_id": m, "answered": False} for m in member_ids]
    for start in range(0, len(rows), 5000):
        await session.exec(statement, params=rows[start : start + 5000])


async def invite_of(session: AsyncSession, survey_id: int, member_id: int) -> SurveyInvite | None:
    result = await session.exec(
        select(SurveyInvite).where(
            SurveyInvite.survey_id == survey_id, SurveyInvite.member_id == member_id
        )
    )
    return result.first()


async def invitee_ids(
    session: AsyncSession, survey_id: int, *, answered: bool | None = None
) -> list[int]:
    query = select(SurveyInvite.member_id).where(SurveyInvite.survey_id == survey_id)
    if answered is not None:
        query = query.where(col(SurveyInvite.answered).is_(answered))
    result = await session.exec(query.order_by(col(SurveyInvite.member_id)))
    return list(result.all())


async def not_answered(session: AsyncSession, survey_id: int) -> list[Member]:
    """Invitees who have not answered (for reminders, and for leaders of named surveys)."""
    result = await session.exec(
        select(Member)
        .join(SurveyInvite, col(SurveyInvite.member_id) == Member.id)
        .where(SurveyInvite.survey_id == survey_id, col(SurveyInvite.answered).is_(False))
        .order_by(func.lower(Member.display_name), col(Member.id))
    )
    return list(result.all())


async def mark_answered(session: AsyncSession, survey_id: int, member_id: int) -> bool:
    """True when this is the member's first answer."""
    result = await session.exec(
        update(SurveyInvite)
        .where(
            col(SurveyInvite.survey_id) == survey_id,
            col(SurveyInvite.member_id) == member_id,
            col(SurveyInvite.answered).is_(False),
        )
        .values(answered=True)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def invite_counts(session: AsyncSession, survey_id: int) -> tuple[int, int]:
    """(invited, answered)."""
    result = await session.exec(
        select(SurveyInvite.answered, func.count())
        .where(SurveyInvite.survey_id == survey_id)
        .group_by(col(SurveyInvite.answered))
    )
    counts = {bool(answered): int(n) for answered, n in result.all()}
    return counts.get(True, 0) + counts.get(False, 0), counts.get(True, 0)


# -- answers -----------------------------------------------------------------------------------


async def save_answers(
    session: AsyncSession,
    survey_id: int,
    respondent: str,
    values: dict[int, str | None],
    *,
    member_id: int | None = None,
) -> None:
    """Insert or change answers; a None value removes that answer (an optional one left blank).

    The unique (survey, respondent, question) constraint makes double clicks and retries land
    on the same row.
    """
    for question, value in sorted(values.items()):
        where = (
            col(SurveyAnswer.survey_id) == survey_id,
            col(SurveyAnswer.respondent) == respondent,
            col(SurveyAnswer.question) == question,
        )
        if value is None:
            existing = await session.exec(select(SurveyAnswer).where(*where))
            for row in existing.all():
                await session.delete(row)
            continue
        inserted = await insert_ignore(
            session,
            SurveyAnswer.__table__,  # type: ignore[attr-defined]  # SQLModel declares no __table__
            {
                "survey_id": survey_id,
                "respondent": respondent,
                "member_id": member_id,
                "question": question,
                "value": value,
            },
            ["survey_id", "respondent", "question"],
        )
        if not inserted:
            await session.exec(
                update(SurveyAnswer)
                .where(*where)
                .values(value=value)
                .execution_options(synchronize_session=False)
            )


async def answers_of(session: AsyncSession, survey_id: int, respondent: str) -> dict[int, str]:
    """One respondent's own answers, found by their token (to prefill a change)."""
    result = await session.exec(
        select(SurveyAnswer.question, SurveyAnswer.value).where(
            SurveyAnswer.survey_id == survey_id, SurveyAnswer.respondent == respondent
        )
    )
    return {int(q): v for q, v in result.all()}


async def answer_values(session: AsyncSession, survey_id: int) -> dict[int, list[str]]:
    """Every answer's value per question, without who gave it, in a neutral (sorted) order."""
    result = await session.exec(
        select(SurveyAnswer.question, SurveyAnswer.value)
        .where(SurveyAnswer.survey_id == survey_id)
        .order_by(col(SurveyAnswer.question), col(SurveyAnswer.value))
    )
    found: dict[int, list[str]] = {}
    for question, value in result.all():
        found.setdefault(int(question), []).append(value)
    return found


async def respondent_count(session: AsyncSession, survey_id: int) -> int:
    result = await session.exec(
        select(func.count(func.distinct(SurveyAnswer.respondent))).where(
            SurveyAnswer.survey_id == survey_id
        )
    )
    return int(result.one())
