"""Questions to experts and communities: asking, offers, answers, escalation and figures."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sql import insert_ignore
from storage.tables import Member
from storage.tables.experts import Expertise, SmeDesignation
from storage.tables.questions import Answer, Question, QuestionOffer, QuestionTopic

OPEN_STATES = ("open", "answered")
# DOMAIN.md 2: a question counts as answered when someone other than the asker replied within
# 7 days.
ANSWER_WINDOW = timedelta(days=7)


# -- asking ---------------------------------------------------------------------------------------


async def create_question(
    session: AsyncSession,
    *,
    asker_id: int,
    community_id: int | None,
    text: str,
    topics: Sequence[str],
    now: datetime,
    kind: str = "expert",
    expert_id: int | None = None,
    escalate_at: datetime | None = None,
) -> Question:
    """A new question with its topics; offered to `expert_id` when given."""
    topics = list(dict.fromkeys(t for t in topics if t))
    question = Question(
        community_id=community_id,
        asker_id=asker_id,
        text=text,
        kind=kind,
        topic_list=" ".join(topics),
        asked_at=now,
        expert_id=expert_id,
        escalate_at=escalate_at,
    )
    session.add(question)
    await session.flush()
    assert question.id is not None
    for topic in topics:
        session.add(QuestionTopic(question_id=question.id, topic=topic))
    if expert_id is not None:
        session.add(QuestionOffer(question_id=question.id, expert_id=expert_id, offered_at=now))
    await session.flush()
    return question


async def get_question(session: AsyncSession, question_id: int) -> Question | None:
    return await session.get(Question, question_id)


def topics_of(question: Question) -> list[str]:
    return question.topic_list.split()


async def same_question_since(
    session: AsyncSession, asker_id: int, expert_id: int, text: str, since: datetime
) -> Question | None:
    """The asker's identical question to the same expert since `since`: a
    double-click or a resubmitted form must not ask twice."""
    query = select(Question).where(
        Question.asker_id == asker_id,
        Question.text == text,
        col(Question.asked_at) >= since,
    )
    query = query.join(QuestionOffer, col(QuestionOffer.question_id) == col(Question.id)).where(
        QuestionOffer.expert_id == expert_id
    )
    return (await session.exec(query.limit(1))).first()


async def same_community_question(
    session: AsyncSession, asker_id: int, community_id: int, text: str, since: datetime
) -> Question | None:
    query = select(Question).where(
        Question.asker_id == asker_id,
        Question.community_id == community_id,
        Question.kind == "community",
        Question.text == text,
        col(Question.asked_at) >= since,
    )
    return (await session.exec(query.limit(1))).first()


# -- offers to experts ----------------------------------------------------------------------------


async def offer(session: AsyncSession, question: Question, expert_id: int, now: datetime) -> bool:
    """Offer the question to an expert (once per expert); True when it is new."""
    assert question.id is not None
    return await insert_ignore(
        session,
        QuestionOffer.__table__,  # type: ignore[attr-defined]  # SQLModel declares no __table__
        {"question_id": question.id, "expert_id": expert_id, "offered_at": now},
        ["question_id", "expert_id"],
    )


async def offers_of(session: AsyncSession, question_id: int) -> list[QuestionOffer]:
    return list(
        (
            await session.exec(
                select(QuestionOffer)
                .where(QuestionOffer.question_id == question_id)
                .order_by(col(QuestionOffer.offered_at), col(QuestionOffer.expert_id))
            )
        ).all()
    )


async def decline(session: AsyncSession, question_id: int, expert_id: int, now: datetime) -> bool:
    """ "Not me": True when the expert had the offer and had not declined it yet."""
    result = await session.exec(
        update(QuestionOffer)
        .where(
            col(QuestionOffer.question_id) == question_id,
            col(QuestionOffer.expert_id) == expert_id,
            col(QuestionOffer.declined_at).is_(None),
        )
        .values(declined_at=now)
    )
    return bool(result.rowcount)


async def hand_over(
    session: AsyncSession,
    question: Question,
    *,
    expert_id: int | None,
    escalate_at: datetime | None,
    now: datetime,
    to_channel: bool = False,
) -> None:
    """The question now waits for `expert_id` (or the channel) until `escalate_at`."""
    question.expert_id = expert_id
    question.escalate_at = escalate_at
    if to_channel and question.posted_to_channel_at is None:
        question.posted_to_channel_at = now
    session.add(question)
    await session.flush()


async def escalate_now(session: AsyncSession, question: Question, now: datetime) -> None:
    """ "Ask someone else" / "Not me": the next heartbeat moves it on."""
    question.escalate_at = now
    session.add(question)
    await session.flush()


async def claim_escalations(
    session: AsyncSession, now: datetime, *, limit: int = 100
) -> list[Question]:
    """Unsolved questions whose wait is over, each claimed by clearing `escalate_at` with a
    conditional UPDATE: two replicas never move the same question on twice."""
    due = list(
        (
            await session.exec(
                select(Question.id, Question.escalate_at)
                .where(
                    col(Question.escalate_at).is_not(None),
                    col(Question.escalate_at) <= now,
                    col(Question.state) != "solved",
                )
                .order_by(col(Question.escalate_at), col(Question.id))
                .limit(limit)
            )
        ).all()
    )
    claimed: list[Question] = []
    for question_id, escalate_at in due:
        result = await session.exec(
            update(Question)
            .where(col(Question.id) == question_id, col(Question.escalate_at) == escalate_at)
            .values(escalate_at=None)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount:
            question = await session.get(Question, question_id)
            if question is not None:
                await session.refresh(question)
                claimed.append(question)
    return claimed


# -- answers --------------------------------------------------------------------------------------


async def add_answer(
    session: AsyncSession, question: Question, *, author_id: int, text: str, now: datetime
) -> Answer:
    """Store an answer; the first one by someone other than the asker answers the question and
    stops its escalation."""
    assert question.id is not None
    answer = Answer(question_id=question.id, author_id=author_id, text=text, created_at=now)
    session.add(answer)
    if author_id != question.asker_id:
        if question.first_answer_at is None:
            question.first_answer_at = now
        if question.state == "open":
            question.state = "answered"
        question.escalate_at = None
        session.add(question)
    await session.flush()
    return answer


async def get_answer(session: AsyncSession, answer_id: int) -> Answer | None:
    return await session.get(Answer, answer_id)


async def answers_of(session: AsyncSession, question_id: int) -> list[Answer]:
    return list(
        (
            await session.exec(
                select(Answer)
                .where(Answer.question_id == question_id)
                .order_by(col(Answer.created_at), col(Answer.id))
            )
        ).all()
    )


async def answerer_ids(session: AsyncSession, question_id: int) -> set[int]:
    return set(
        (
            await session.exec(
                select(Answer.author_id).where(Answer.question_id == question_id).distinct()
            )
        ).all()
    )


async def mark_solved(
    session: AsyncSession, question: Question, now: datetime, answer: Answer | None = None
) -> bool:
    """Solved by the asker (with the answer that solved it); False when it already was."""
    if question.state == "solved":
        return False
    question.state = "solved"
    question.solved_at = now
    question.escalate_at = None
    session.add(question)
    if answer is not None:
        answer.accepted = True
        session.add(answer)
    await session.flush()
    return True


async def link_lesson(session: AsyncSession, question: Question, lesson_id: int) -> None:
    question.lesson_id = lesson_id
    session.add(question)
    await session.flush()


# -- lists ----------------------------------------------------------------------------------------


async def open_questions(
    session: AsyncSession, community_id: int, *, offset: int = 0, limit: int = 10
) -> tuple[list[Question], int]:
    """Unsolved questions of a community, oldest unanswered first, and how many there are."""
    where = (Question.community_id == community_id, col(Question.state).in_(OPEN_STATES))
    total = (await session.exec(select(func.count()).select_from(Question).where(*where))).one()
    rows = (
        await session.exec(
            select(Question)
            .where(*where)
            .order_by(col(Question.state).desc(), col(Question.asked_at), col(Question.id))
            .offset(offset)
            .limit(limit)
        )
    ).all()
    return list(rows), int(total)


async def waiting_for(session: AsyncSession, expert_id: int, *, limit: int = 3) -> list[Question]:
    """Unanswered questions waiting for this expert now, oldest first (their `home`)."""
    return list(
        (
            await session.exec(
                select(Question)
                .where(Question.expert_id == expert_id, Question.state == "open")
                .order_by(col(Question.asked_at), col(Question.id))
                .limit(limit)
            )
        ).all()
    )


async def answer_counts(session: AsyncSession, question_ids: Sequence[int]) -> dict[int, int]:
    if not question_ids:
        return {}
    rows = (
        await session.exec(
            select(Answer.question_id, func.count())
            .where(col(Answer.question_id).in_(list(question_ids)))
            .group_by(col(Answer.question_id))
        )
    ).all()
    return {int(q): int(n) for q, n in rows}


# -- demand (expert coverage, `experts gaps`) -----------------------------------------------------


async def asked_topics(
    session: AsyncSession, community_id: int, *, since: datetime | None = None
) -> dict[str, int]:
    """How many questions of a community asked about each topic (since `since`)."""
    query = (
        select(QuestionTopic.topic, func.count())
        .join(Question, col(Question.id) == col(QuestionTopic.question_id))
        .where(Question.community_id == community_id)
        .group_by(col(QuestionTopic.topic))
    )
    if since is not None:
        query = query.where(col(Question.asked_at) >= since)
    return {str(t): int(n) for t, n in (await session.exec(query)).all()}


async def topics_without_experts(
    session: AsyncSession, community_id: int, *, since: datetime | None = None, limit: int = 20
) -> list[tuple[str, int]]:
    """Topics a community's questions asked about that nobody lists as expertise and nobody is
    SME for: real demand with no expert, most asked first."""
    asked = await asked_topics(session, community_id, since=since)
    if not asked:
        return []
    names = list(asked)
    listed = set(
        (
            await session.exec(
                select(Expertise.topic)
                .join(Member, col(Member.id) == col(Expertise.member_id))
                .where(col(Expertise.topic).in_(names), col(Member.forgotten_at).is_(None))
                .distinct()
            )
        ).all()
    )
    listed |= set(
        (
            await session.exec(
                select(SmeDesignation.topic).where(col(SmeDesignation.topic).in_(names)).distinct()
            )
        ).all()
    )
    missing = [(t, n) for t, n in asked.items() if t not in listed]
    return sorted(missing, key=lambda pair: (-pair[1], pair[0]))[:limit]


# -- figures --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuestionFigures:
    """Questions asked in a window and what became of them (DOMAIN.md 2).

    `answered_within_7_days`: answered by someone other than the asker within 7 days of asking;
    `resolved`: marked solved by the asker; `median_ttfa_seconds`: median time to the first
    answer by someone else, over the questions of the window that have one (None if none).
    """

    asked: int
    answered_within_7_days: int
    resolved: int
    median_ttfa_seconds: float | None

    @property
    def answer_rate(self) -> float | None:
        return self.answered_within_7_days / self.asked if self.asked else None

    @property
    def resolution_rate(self) -> float | None:
        return self.resolved / self.asked if self.asked else None


async def question_figures(
    session: AsyncSession, community_id: int, start: datetime, end: datetime
) -> QuestionFigures:
    """Figures for the questions asked in `community_id` in [start, end) (UTC bounds)."""
    rows = (
        await session.exec(
            select(Question.asked_at, Question.first_answer_at, Question.solved_at).where(
                Question.community_id == community_id,
                col(Question.asked_at) >= start,
                col(Question.asked_at) < end,
            )
        )
    ).all()
    waits = [(first - asked) for asked, first, _solved in rows if first is not None]
    return QuestionFigures(
        asked=len(rows),
        answered_within_7_days=sum(1 for wait in waits if wait <= ANSWER_WINDOW),
        resolved=sum(1 for _a, _f, solved in rows if solved is not None),
        median_ttfa_seconds=(
            statistics.median(w.total_seconds() for w in waits) if waits else None
        ),
    )


async def unanswered_since(
    session: AsyncSession, community_id: int, before: datetime
) -> list[Question]:
    """Open questions asked before `before` that nobody else has answered (nudge N6)."""
    return list(
        (
            await session.exec(
                select(Question)
                .where(
                    Question.community_id == community_id,
                    Question.state == "open",
                    col(Question.asked_at) < before,
                )
                .order_by(col(Question.asked_at))
            )
        ).all()
    )


# -- personal data --------------------------------------------------------------------------------


async def asked_by(session: AsyncSession, member_id: int) -> list[Question]:
    return list(
        (
            await session.exec(
                select(Question).where(Question.asker_id == member_id).order_by(col(Question.id))
            )
        ).all()
    )


async def answered_by(session: AsyncSession, member_id: int) -> list[Answer]:
    return list(
        (
            await session.exec(
                select(Answer).where(Answer.author_id == member_id).order_by(col(Answer.id))
            )
        ).all()
    )


async def erase_member(session: AsyncSession, member_id: int) -> None:
    """`forget`: blank the text of their questions and answers and drop their offers.

    The rows stay (without text) so the community's figures keep their counts; the asker
    and author ids point at the tombstone member.
    """
    await session.exec(
        update(Question)
        .where(col(Question.asker_id) == member_id)
        .values(text="(removed)", escalate_at=None)
    )
    await session.exec(
        update(Answer).where(col(Answer.author_id) == member_id).values(text="(removed)")
    )
    await session.exec(
        update(Question).where(col(Question.expert_id) == member_id).values(expert_id=None)
    )
    await session.exec(delete(QuestionOffer).where(col(QuestionOffer.expert_id) == member_id))
