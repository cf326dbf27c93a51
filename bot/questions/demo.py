"""Demo questions: answered, solved and open ones in the demo communities, dated from now."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot import activity
from bot.context import JobContext
from bot.registry import demo_seeder
from storage import activity as activity_log
from storage import questions

HOUR = timedelta(hours=1)
# asker, community, topics, question, days ago, answers as (who, hours after asking, text),
# solved, expert asked (None: asked the community).
QUESTIONS: list[dict[str, Any]] = [
    {
        "asker": "linus",
        "community": "data-eng",
        "topics": ["airflow"],
        "text": "Our backfill of three months blocks the daily DAGs. How do you isolate it?",
        "days": 76,
        "answers": [("omar", 1, "Give backfills their own pool with 2 slots; see lesson 1.")],
        "solved": True,
        "expert": "omar",
    },
    {
        "asker": "priya",
        "community": "data-eng",
        "topics": ["data-quality"],
        "text": "Which data-quality checks catch schema drift before a model trains on it?",
        "days": 45,
        "answers": [("grace", 5, "Row counts, null rates and a schema hash per partition.")],
        "solved": True,
        "expert": "grace",
    },
    {
        "asker": "maria",
        "community": "data-eng",
        "topics": ["finops", "spark"],
        "text": "How do you attribute Spark cluster cost to the teams that use it?",
        "days": 9,
        "answers": [("priya", 30, "Tag jobs with the team and export the billing by tag.")],
        "solved": False,
        "expert": None,
    },
    {
        "asker": "omar",
        "community": "data-eng",
        "topics": ["dbt"],
        "text": "Is anyone running dbt tests in CI on every pull request? Worth the minutes?",
        "days": 2,
        "answers": [],
        "solved": False,
        "expert": None,
    },
    {
        "asker": "noah",
        "community": "safety",
        "topics": ["permit-to-work"],
        "text": "Does a permit need a new signature when the shift changes mid-job?",
        "days": 20,
        "answers": [("tove", 3, "Yes: the incoming lead signs the handover section.")],
        "solved": True,
        "expert": "tove",
    },
    {
        "asker": "kenji",
        "community": "safety",
        "topics": ["confined-spaces"],
        "text": "What gas-test interval do other sites use for long confined-space entries?",
        "days": 1,
        "answers": [],
        "solved": False,
        "expert": None,
    },
]


@demo_seeder(30)
async def seed_questions(jctx: JobContext, made: dict[str, Any]) -> None:
    session, now = jctx.session, jctx.now
    members, places = made["members"], made["communities"]
    for spec in QUESTIONS:
        community = places[spec["community"]]
        asked = now - timedelta(days=spec["days"])
        asker = members[spec["asker"]]
        expert = members[spec["expert"]] if spec["expert"] else None
        question = await questions.create_question(
            session,
            asker_id=asker.id,
            community_id=community.id,
            text=spec["text"],
            topics=spec["topics"],
            now=asked,
            kind="expert" if expert else "community",
            expert_id=expert.id if expert else None,
        )
        if expert is None:
            # Community questions were posted to the channel when asked.
            await questions.hand_over(
                session, question, expert_id=None, escalate_at=None, now=asked, to_channel=True
            )
        await activity_log.record(
            session,
            community_id=community.id,
            member_id=asker.id,
            kind=activity.QUESTION_ASKED,
            contribution=True,
            ref=f"question:{question.id}",
            now=asked,
        )
        for handle, hours, text in spec["answers"]:
            at = asked + hours * HOUR
            answer = await questions.add_answer(
                session, question, author_id=members[handle].id, text=text, now=at
            )
            await activity_log.record(
                session,
                community_id=community.id,
                member_id=members[handle].id,
                kind=activity.ANSWER,
                contribution=True,
                ref=f"answer:{answer.id}",
                now=at,
            )
            if spec["solved"]:
                await questions.mark_solved(session, question, at + 2 * HOUR, answer)
