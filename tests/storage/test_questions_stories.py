"""Storage of questions and stories: figures over a window, escalation claims, demand, stories.

Runs on SQLite and, with COPBOT_TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from storage import communities, experts, people, questions, stories
from storage.db import Database
from storage.tables import Community

T0 = datetime(2026, 3, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


async def _people(session: AsyncSession, *names: str) -> list[int]:
    ids = []
    for name in names:
        member, _ = await people.create_member(
            session, platform="console", user_id=name, display_name=name.title(), now=T0
        )
        assert member.id is not None
        ids.append(member.id)
    return ids


async def _community(session: AsyncSession, slug: str = "data-eng") -> int:
    community = await communities.create_community(
        session, Community(slug=slug, name=slug.title(), created_at=T0)
    )
    assert community.id is not None
    return community.id


async def test_question_figures_count_the_window_and_answers_by_others(
    database: Database,
) -> None:
    async with database.session() as session:
        ada, bo, cy = await _people(session, "ada", "bo", "cy")
        c = await _community(session)
        other = await _community(session, "safety")

        async def ask(at: datetime, community: int = c) -> questions.Question:
            return await questions.create_question(
                session, asker_id=ada, community_id=community, text="q", topics=["k8s"], now=at
            )

        # 1: answered by Bo after 2 hours, solved.
        q1 = await ask(T0 + HOUR)
        await questions.add_answer(session, q1, author_id=bo, text="a", now=T0 + 3 * HOUR)
        assert await questions.mark_solved(session, q1, T0 + 4 * HOUR)
        assert not await questions.mark_solved(session, q1, T0 + 5 * HOUR)
        # 2: only the asker replied, then Cy after 8 days (too late for the answer rate).
        q2 = await ask(T0 + 2 * DAY)
        await questions.add_answer(session, q2, author_id=ada, text="bump", now=T0 + 2 * DAY)
        assert q2.first_answer_at is None and q2.state == "open"
        await questions.add_answer(session, q2, author_id=cy, text="a", now=T0 + 10 * DAY)
        # 3: answered after 6 hours.
        q3 = await ask(T0 + 3 * DAY)
        await questions.add_answer(session, q3, author_id=cy, text="a", now=T0 + 3 * DAY + 6 * HOUR)
        # 4: never answered. 5: exactly at the window's end (outside). 6: another community.
        await ask(T0 + 4 * DAY)
        await ask(T0 + 31 * DAY)
        await ask(T0 + DAY, other)
        figures = await questions.question_figures(session, c, T0, T0 + 31 * DAY)
    assert figures.asked == 4
    assert figures.answered_within_7_days == 2
    assert figures.resolved == 1
    # TTFA of q1, q2, q3: 2 h, 8 days, 6 h -> median 6 h.
    assert figures.median_ttfa_seconds == 6 * 3600
    assert figures.answer_rate == 0.5 and figures.resolution_rate == 0.25


async def test_empty_window_has_no_median(database: Database) -> None:
    async with database.session() as session:
        c = await _community(session)
        figures = await questions.question_figures(session, c, T0, T0 + DAY)
    assert (figures.asked, figures.median_ttfa_seconds, figures.answer_rate) == (0, None, None)


async def test_escalation_is_claimed_once(database: Database) -> None:
    async with database.session() as session:
        ada, bo = await _people(session, "ada", "bo")
        c = await _community(session)
        due = await questions.create_question(
            session,
            asker_id=ada,
            community_id=c,
            text="q",
            topics=["k8s"],
            now=T0,
            expert_id=bo,
            escalate_at=T0 + DAY,
        )
        await questions.create_question(
            session,
            asker_id=ada,
            community_id=c,
            text="later",
            topics=[],
            now=T0,
            escalate_at=T0 + 2 * DAY,
        )
        await session.commit()
    async with database.session() as session:
        assert await questions.claim_escalations(session, T0 + HOUR) == []
        first = await questions.claim_escalations(session, T0 + DAY)
        assert [q.id for q in first] == [due.id]
        assert first[0].escalate_at is None
        assert await questions.claim_escalations(session, T0 + DAY) == []
        await session.commit()
    async with database.session() as session:
        assert await questions.claim_escalations(session, T0 + DAY + HOUR) == []


async def test_answer_stops_escalation_and_solved_is_never_escalated(database: Database) -> None:
    async with database.session() as session:
        ada, bo = await _people(session, "ada", "bo")
        c = await _community(session)
        q = await questions.create_question(
            session,
            asker_id=ada,
            community_id=c,
            text="q",
            topics=["k8s"],
            now=T0,
            expert_id=bo,
            escalate_at=T0 + DAY,
        )
        await questions.add_answer(session, q, author_id=bo, text="a", now=T0 + HOUR)
        assert q.escalate_at is None and q.state == "answered"
        await questions.escalate_now(session, q, T0 + 2 * HOUR)
        await questions.mark_solved(session, q, T0 + 2 * HOUR)
        assert await questions.claim_escalations(session, T0 + 3 * DAY) == []


async def test_offers_and_not_me(database: Database) -> None:
    async with database.session() as session:
        ada, bo, cy = await _people(session, "ada", "bo", "cy")
        c = await _community(session)
        q = await questions.create_question(
            session, asker_id=ada, community_id=c, text="q", topics=["k8s"], now=T0, expert_id=bo
        )
        assert not await questions.offer(session, q, bo, T0)
        assert await questions.offer(session, q, cy, T0 + HOUR)
        assert [o.expert_id for o in await questions.offers_of(session, q.id or 0)] == [bo, cy]
        assert await questions.decline(session, q.id or 0, bo, T0 + HOUR)
        assert not await questions.decline(session, q.id or 0, bo, T0 + HOUR)
        assert not await questions.decline(session, q.id or 0, ada, T0 + HOUR)
        same = await questions.same_question_since(session, ada, bo, "q", T0 - DAY)
        assert same is not None and same.id == q.id
        assert await questions.same_question_since(session, ada, cy, "other", T0) is None


async def test_open_questions_and_demand(
    database: Database,
) -> None:
    async with database.session() as session:
        ada, bo = await _people(session, "ada", "bo")
        c = await _community(session)
        for n, topics in enumerate((["k8s"], ["k8s", "airflow"], ["gardening"])):
            await questions.create_question(
                session,
                asker_id=ada,
                community_id=c,
                text=f"q{n}",
                topics=topics,
                now=T0 + n * HOUR,
                kind="community",
            )
        solved = await questions.create_question(
            session, asker_id=ada, community_id=c, text="done", topics=["k8s"], now=T0
        )
        await questions.mark_solved(session, solved, T0 + HOUR)
        rows, total = await questions.open_questions(session, c, limit=2)
        assert total == 3 and [q.text for q in rows] == ["q0", "q1"]
        rows, _ = await questions.open_questions(session, c, offset=2, limit=2)
        assert [q.text for q in rows] == ["q2"]
        assert await questions.asked_topics(session, c) == {"k8s": 3, "airflow": 1, "gardening": 1}
        await experts.add_expertise(session, bo, "airflow", level=2, now=T0)
        assert await questions.topics_without_experts(session, c) == [
            ("k8s", 3),
            ("gardening", 1),
        ]
        assert await questions.topics_without_experts(session, c, since=T0 + HOUR) == [
            ("gardening", 1),
            ("k8s", 1),
        ]


async def test_forget_blanks_questions_and_answers(database: Database) -> None:
    async with database.session() as session:
        ada, bo = await _people(session, "ada", "bo")
        c = await _community(session)
        q = await questions.create_question(
            session, asker_id=ada, community_id=c, text="secret", topics=[], now=T0, expert_id=bo
        )
        await questions.add_answer(session, q, author_id=bo, text="bo's answer", now=T0 + HOUR)
        await questions.erase_member(session, ada)
        await questions.erase_member(session, bo)
        await session.commit()
    async with database.session() as session:
        again = await questions.get_question(session, q.id or 0)
        assert again is not None and again.text == "(removed)" and again.expert_id is None
        answers = await questions.answers_of(session, q.id or 0)
        assert [a.text for a in answers] == ["(removed)"]
        assert await questions.offers_of(session, q.id or 0) == []
        figures = await questions.question_figures(session, c, T0, T0 + DAY)
        assert figures.asked == 1 and figures.answered_within_7_days == 1


async def test_stories_windows_featuring_and_people(database: Database) -> None:
    async with database.session() as session:
        ada, bo, lead = await _people(session, "ada", "bo", "lead")
        c = await _community(session)
        other = await _community(session, "safety")
        made = []
        for n in range(4):
            made.append(
                await stories.create_story(
                    session,
                    community_id=c,
                    author_id=ada,
                    people=[bo, bo, ada],
                    now=T0 + n * DAY,
                    title=f"story {n}",
                    result="saved 12 hours",
                    quantity=12.0,
                    unit="hours saved",
                    cycle="realised",
                    may_name=True,
                )
            )
        await stories.create_story(
            session, community_id=other, author_id=ada, people=[], now=T0, title="elsewhere"
        )
        assert await stories.people_of(session, made[0].id or 0) == sorted([ada, bo])
        window = await stories.stories_in_window(session, c, T0 + DAY, T0 + 3 * DAY)
        assert [s.title for s in window] == ["story 1", "story 2"]
        assert await stories.feature(session, made[0], by=lead, now=T0 + 5 * DAY)
        assert not await stories.feature(session, made[0], by=lead, now=T0 + 6 * DAY)
        assert made[0].featured_at == T0 + 5 * DAY
        assert await stories.feature(session, made[2], by=lead, now=T0 + 7 * DAY)
        featured = await stories.featured_stories(session, c, T0, T0 + 30 * DAY)
        assert [s.title for s in featured] == ["story 2", "story 0"]
        assert await stories.featured_stories(session, c, T0 + 8 * DAY, T0 + 30 * DAY) == []
        rows, total = await stories.stories_of(session, c, limit=3)
        assert total == 4 and [s.title for s in rows] == ["story 3", "story 2", "story 1"]
        await stories.delete_story(session, made[3], T0 + 9 * DAY)
        assert await stories.get_story(session, made[3].id or 0) is None
        assert (await stories.stories_of(session, c))[1] == 3
        assert await stories.naming(session, bo) == [s.id for s in made]
        await stories.erase_member(session, bo)
        assert await stories.people_of(session, made[0].id or 0) == [ada]


async def test_gaps_count_questions_asked(database: Database) -> None:
    async with database.session() as session:
        ada, bo = await _people(session, "ada", "bo")
        c = await _community(session)
        await communities.join(session, c, bo, T0)
        await experts.add_expertise(session, bo, "airflow", level=2, now=T0)
        for topics in (["airflow", "k8s"], ["k8s"]):
            await questions.create_question(
                session, asker_id=ada, community_id=c, text="q", topics=topics, now=T0
            )
        assert await experts.topics_without_sme(session, c) == [("airflow", 2), ("k8s", 2)]
        assert await experts.topics_without_sme(session, c, since=T0 + HOUR) == [("airflow", 1)]
