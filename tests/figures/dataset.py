"""A hand-built community whose every figure is worked out by hand in test_compute.py.

`ops` runs in America/New_York, so March 2026 (the window) starts at 05:00 UTC (EST) and ends
at 04:00 UTC on 1 April (EDT, after the 8 March change); sessions and actions sit on both
sides of those instants. Members (department):
  ann (A), ben (A), cat (B), dan (C), eve (unknown): since 2025;
  hal (B): since 2025, left 15 March; fay (D): joined 10 March; gus (D): joined 25 March.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import activity
from storage import activity as activity_log
from storage import communities, people
from storage import questions as asked_questions
from storage import stories as told_stories
from storage.tables import Community
from storage.tables.experts import Expertise, ExpertRouting, SmeDesignation
from storage.tables.health import HealthCheck
from storage.tables.lessons import Lesson, LessonReuse, LessonTopic
from storage.tables.meetings import Meeting, MeetingAttendance, MeetingOccurrence, MeetingRsvp
from storage.tables.surveys import Survey, SurveyAnswer, SurveyInvite

NOW = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)
ZONE = "America/New_York"
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)

MEMBERS = {
    "ann": "A",
    "ben": "A",
    "cat": "B",
    "dan": "C",
    "eve": None,
    "hal": "B",
    "fay": "D",
    "gus": "D",
}


def at(text: str) -> datetime:
    """ "2026-03-01 04:30" in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (start in UTC, state, attendees, going, maybe)
SESSIONS = [
    ("2025-03-15 15:00", "scheduled", ["cat"], [], []),  # more than 12 months before March's end
    ("2025-06-10 15:00", "scheduled", ["ann"], [], []),
    ("2025-09-10 15:00", "scheduled", ["ann"], [], []),
    ("2025-12-10 15:00", "scheduled", ["ann", "ben"], [], []),
    ("2026-02-10 15:00", "scheduled", ["ann", "ben", "cat"], [], []),
    ("2026-03-01 04:30", "scheduled", ["ann", "hal"], [], []),  # 28 Feb 23:30 in New York
    ("2026-03-05 15:00", "scheduled", ["ann", "ben", "cat"], ["ann", "ben", "dan"], ["eve"]),
    ("2026-03-12 15:00", "skipped", [], ["eve"], []),
    ("2026-03-20 14:00", "scheduled", ["ann", "dan", "fay"], ["ann", "fay"], []),
    ("2026-04-01 03:30", "scheduled", ["ann", "ben"], [], []),  # 31 March 23:30 in New York
    ("2026-04-01 04:30", "scheduled", ["ann", "ben", "cat", "dan"], [], []),  # 1 April local
]

# (member, kind, when): the activity log (contribution follows the kind)
ACTIONS = [
    *[("ann", activity.LESSON_SUBMITTED, f"2026-03-0{d} 12:00") for d in range(2, 7)],
    ("ben", activity.LESSON_SUBMITTED, "2026-03-09 12:00"),
    ("dan", activity.RSVP, "2026-03-04 12:00"),
    ("eve", activity.SURVEY_RESPONSE, "2026-03-11 12:00"),
    ("fay", activity.JOIN, "2026-03-10 12:00"),
    ("fay", activity.RSVP, "2026-03-18 12:00"),
    ("gus", activity.JOIN, "2026-03-25 12:00"),
    ("gus", activity.ENDORSEMENT, "2026-04-01 04:00"),  # the first instant of April locally
    ("hal", activity.LESSON_SUBMITTED, "2026-03-03 12:00"),  # left before March's end
    ("ben", activity.LESSON_SUBMITTED, "2026-02-12 12:00"),
    ("dan", activity.ENDORSEMENT, "2026-03-01 04:59"),  # still 28 February in New York
]


async def build(session: AsyncSession) -> tuple[Community, Community, dict[str, int]]:
    """The `ops` community and a neighbour whose data must never leak into ops' figures."""
    ids: dict[str, int] = {}
    for handle, department in MEMBERS.items():
        member, _ = await people.create_member(
            session,
            platform="console",
            user_id=handle,
            display_name=handle.title(),
            now=LONG_AGO,
            department=department,
        )
        assert member.id is not None
        ids[handle] = member.id
    ops = await communities.create_community(
        session, Community(slug="ops", name="Operations", timezone=ZONE, created_at=LONG_AGO)
    )
    other = await communities.create_community(
        session, Community(slug="other", name="Other", timezone="UTC", created_at=LONG_AGO)
    )
    assert ops.id is not None and other.id is not None
    for handle in ("ann", "ben", "cat", "dan", "eve", "hal"):
        await communities.join(session, ops.id, ids[handle], LONG_AGO)
    await communities.join(session, ops.id, ids["fay"], at("2026-03-10 12:00"))
    await communities.join(session, ops.id, ids["gus"], at("2026-03-25 12:00"))
    await communities.leave(session, ops.id, ids["hal"], at("2026-03-15 12:00"))
    for handle in ("ann", "ben"):
        await communities.join(session, other.id, ids[handle], LONG_AGO)
    await _meetings(session, ops.id, other.id, ids)
    for handle, kind, when in ACTIONS:
        await activity_log.record(
            session,
            community_id=ops.id,
            member_id=ids[handle],
            kind=kind,
            contribution=kind in activity.CONTRIBUTIONS,
            now=at(when),
        )
    await activity_log.record(
        session,
        community_id=other.id,
        member_id=ids["ben"],
        kind=activity.LESSON_SUBMITTED,
        contribution=True,
        now=at("2026-03-10 12:00"),
    )
    await _knowledge(session, ops.id, other.id, ids)
    await _surveys(session, ops.id, other.id, ids)
    await _health(session, ops.id, ids)
    await _questions_and_stories(session, ops.id, other.id, ids)
    return ops, other, ids


async def _questions_and_stories(
    session: AsyncSession, ops: int, other: int, ids: dict[str, int]
) -> None:
    # (community, asker, asked at, [(answerer, answered at)])
    asked = [
        (ops, "ann", "2026-03-02 12:00", [("ben", "2026-03-02 14:00")]),  # 2 h
        (ops, "cat", "2026-03-10 12:00", [("dan", "2026-03-19 12:00")]),  # 9 days: too late
        (ops, "eve", "2026-03-20 12:00", [("eve", "2026-03-21 12:00")]),  # only the asker's own
        (ops, "ann", "2026-03-01 04:00", [("ben", "2026-03-01 10:00")]),  # 28 Feb local; 6 h
        (other, "ben", "2026-03-05 12:00", [("ann", "2026-03-05 12:30")]),
    ]
    for community, asker, when, answers in asked:
        question = await asked_questions.create_question(
            session, asker_id=ids[asker], community_id=community, text="How?", topics=["spark"],
            kind="community", now=at(when),
        )  # fmt: skip
        for author, answered in answers:
            await asked_questions.add_answer(
                session, question, author_id=ids[author], text="Like so.", now=at(answered)
            )
    for community, when, deleted in [
        (ops, "2026-03-03 12:00", False), (ops, "2026-03-25 12:00", False),
        (ops, "2026-03-04 12:00", True), (ops, "2026-02-20 12:00", False),
        (other, "2026-03-06 12:00", False),
    ]:  # fmt: skip
        story = await told_stories.create_story(
            session, community_id=community, author_id=ids["ann"], people=[ids["ben"]],
            now=at(when), title="Saved a week",
        )  # fmt: skip
        if deleted:
            await told_stories.delete_story(session, story, at(when))


async def _meetings(session: AsyncSession, ops: int, other: int, ids: dict[str, int]) -> None:
    series = Meeting(
        community_id=ops,
        title="Ops sync",
        start_local="2025-03-15T11:00",
        timezone=ZONE,
        created_by=ids["ann"],
        created_at=LONG_AGO,
    )
    elsewhere = Meeting(
        community_id=other,
        title="Other sync",
        start_local="2026-03-10T10:00",
        timezone="UTC",
        created_by=ids["ann"],
        created_at=LONG_AGO,
    )
    session.add_all([series, elsewhere])
    await session.flush()
    assert series.id is not None and elsewhere.id is not None
    for start, state, came, going, maybe in SESSIONS:
        occurrence = MeetingOccurrence(
            meeting_id=series.id,
            starts_at=at(start),
            ends_at=at(start) + timedelta(hours=1),
            state=state,
        )
        session.add(occurrence)
        await session.flush()
        assert occurrence.id is not None
        for handle in came:
            session.add(
                MeetingAttendance(
                    occurrence_id=occurrence.id,
                    member_id=ids[handle],
                    source="leader",
                    recorded_at=at(start),
                )
            )
        for status, who in (("going", going), ("maybe", maybe)):
            for handle in who:
                session.add(
                    MeetingRsvp(
                        occurrence_id=occurrence.id,
                        member_id=ids[handle],
                        status=status,
                        updated_at=LONG_AGO,
                    )
                )
    # Another community's session with ops members: not ops' attendance.
    foreign = MeetingOccurrence(
        meeting_id=elsewhere.id, starts_at=at("2026-03-10 10:00"), ends_at=at("2026-03-10 11:00")
    )
    session.add(foreign)
    await session.flush()
    assert foreign.id is not None
    session.add(
        MeetingAttendance(
            occurrence_id=foreign.id,
            member_id=ids["eve"],
            source="leader",
            recorded_at=at("2026-03-10 10:00"),
        )
    )
    await session.flush()


async def _knowledge(session: AsyncSession, ops: int, other: int, ids: dict[str, int]) -> None:
    def lesson(
        community: int, title: str, created: str, status: str, deleted: str | None = None
    ) -> Lesson:
        return Lesson(
            community_id=community,
            author_id=ids["ann"],
            title=title,
            status=status,
            created_at=at(created),
            updated_at=at(created),
            deleted_at=at(deleted) if deleted else None,
        )

    lessons = [
        lesson(ops, "Spark joins", "2025-10-01 12:00", "published"),
        lesson(ops, "Airflow retries", "2025-11-01 12:00", "published"),
        lesson(ops, "A draft", "2025-12-15 12:00", "draft"),
        lesson(ops, "February lesson", "2026-02-20 12:00", "draft"),
        lesson(ops, "March draft", "2026-03-03 12:00", "draft"),
        lesson(ops, "March published", "2026-03-31 12:00", "published"),
        lesson(ops, "Deleted in March", "2026-03-04 12:00", "draft", "2026-03-05 12:00"),
        lesson(other, "Elsewhere", "2026-03-04 12:00", "published"),
    ]
    session.add_all(lessons)
    await session.flush()
    spark, airflow = lessons[0].id, lessons[1].id
    assert spark is not None and airflow is not None and lessons[-1].id is not None
    session.add_all(
        [
            LessonTopic(lesson_id=spark, topic="spark"),
            LessonTopic(lesson_id=airflow, topic="airflow"),
            LessonTopic(lesson_id=lessons[-1].id, topic="cobol"),  # the other community's topic
            LessonReuse(
                lesson_id=spark, member_id=ids["ben"], kind="helped", at=at("2026-03-15 12:00")
            ),
            Expertise(member_id=ids["cat"], topic="dbt", updated_at=LONG_AGO),
            ExpertRouting(
                asker_id=ids["ben"],
                expert_id=ids["cat"],
                topic="kafka",
                community_id=ops,
                asked_at=at("2026-03-10 12:00"),
            ),
            SmeDesignation(
                community_id=ops,
                member_id=ids["ann"],
                topic="spark",
                designated_at=at("2025-12-01 12:00"),
            ),
            SmeDesignation(
                community_id=ops,
                member_id=ids["cat"],
                topic="kafka",
                designated_at=at("2026-03-20 12:00"),
            ),
            SmeDesignation(
                community_id=other, member_id=ids["cat"], topic="airflow", designated_at=LONG_AGO
            ),
        ]
    )
    await session.flush()


NPS = {"kind": "nps", "text": "How likely are you to recommend this community?"}
A5 = {"kind": "a5", "text": "Good use of my time."}


async def _surveys(session: AsyncSession, ops: int, other: int, ids: dict[str, int]) -> None:
    async def survey(
        community: int,
        opens: str,
        state: str,
        questions: list[dict[str, str]],
        invited: list[str],
        answered: list[str],
        scores: list[str],
    ) -> None:
        row = Survey(
            community_id=community,
            title="Pulse",
            questions=questions,
            created_by=ids["ann"],
            created_at=at(opens),
            opens_at=at(opens),
            closes_at=at(opens) + timedelta(days=7),
            state=state,
        )
        session.add(row)
        await session.flush()
        assert row.id is not None
        for handle in invited:
            session.add(
                SurveyInvite(survey_id=row.id, member_id=ids[handle], answered=handle in answered)
            )
        for n, score in enumerate(scores):
            session.add(SurveyAnswer(survey_id=row.id, respondent=f"t{n}", question=0, value=score))
            session.add(SurveyAnswer(survey_id=row.id, respondent=f"t{n}", question=1, value="4"))
        await session.flush()

    everyone = ["ann", "ben", "cat", "dan", "eve", "fay"]
    await survey(
        ops,
        "2026-03-10 12:00",
        "closed",
        [NPS, A5],
        everyone,
        everyone[:5],
        ["10", "9", "8", "6", "10"],
    )
    await survey(
        ops, "2026-02-15 12:00", "closed", [NPS, A5], everyone[:4], everyone[:3], ["9", "7", "3"]
    )
    await survey(ops, "2026-03-28 12:00", "scheduled", [NPS, A5], [], [], [])
    await survey(other, "2026-03-10 12:00", "closed", [NPS, A5], ["ann", "ben"], ["ann"], ["0"])


async def _health(session: AsyncSession, ops: int, ids: dict[str, int]) -> None:
    def answers(score: int) -> dict[str, object]:
        return {f"L{n}": score for n in range(1, 12)} | {"L12": "green"}

    rows = [
        ("2025Q4", "ann", answers(3)),
        ("2026Q1", "ann", answers(4)),
        ("2026Q1", "ben", answers(5)),
        ("2026Q1", "cat", None),  # prompted, not answered
    ]
    for quarter, handle, given in rows:
        session.add(
            HealthCheck(
                community_id=ops,
                quarter=quarter,
                leader_id=ids[handle],
                prompted_at=LONG_AGO,
                answers=given,
                answered_at=NOW - timedelta(days=5) if given else None,
            )
        )
    await session.flush()
