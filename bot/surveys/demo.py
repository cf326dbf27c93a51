"""Demo data for surveys in data-eng: a closed quarterly pulse with results to look at, and a
one-question pulse open now that waits for most members' answer (one click answers it)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.context import JobContext
from bot.registry import demo_seeder
from bot.surveys.core import PULSE, PULSE_TITLE, Question, respondent_token
from storage import communities, surveys
from storage.tables.surveys import Survey

# One row per respondent: M1-M9 (M8/M9 may be None = skipped). Six members, five answered;
# M8 has four answers, so the demo also shows a question withheld to keep answers anonymous.
ANSWERS: list[tuple[str | None, ...]] = [
    ("9", "4", "5", "4", "4", "4", "yes", "1-4 h", "More incident reviews, fewer status updates"),
    ("10", "5", "5", "5", "4", "5", "yes", "5-16 h", "Pair sessions on data-quality checks"),
    ("7", "4", "3", "4", "na", "3", "partly", "<1 h", "More hands-on workshops"),
    ("6", "3", "3", "3", "2", "3", "no", None, "Shorter meetings, please"),
    ("9", "4", "4", "5", "4", "4", "yes", "1-4 h", "A session on cost of streaming jobs"),
]


@demo_seeder(40)
async def seed_pulse(jctx: JobContext, made: dict[str, Any]) -> None:
    community = made.get("communities", {}).get("data-eng")
    if community is None or community.id is None:
        return
    leaders = await communities.members_with_role(jctx.session, community.id, "leader")
    roster = [m for m in await communities.members_of(jctx.session, community.id) if m.id]
    if not leaders or not roster:
        return
    opened = jctx.now - timedelta(days=30)
    survey = await surveys.create_survey(
        jctx.session,
        Survey(
            community_id=community.id,
            title=PULSE_TITLE,
            template="pulse",
            questions=[q.to_dict() for q in PULSE],
            audience="members",
            anonymous=True,
            created_by=leaders[0].id or 0,
            created_at=opened,
            opens_at=opened,
            closes_at=opened + timedelta(days=14),
            state="closed",
            reminded=True,
            closed_at=opened + timedelta(days=14),
        ),
    )
    assert survey.id is not None
    for position, member in enumerate(roster):
        assert member.id is not None
        await surveys.add_invite(jctx.session, survey.id, member.id)
        if position >= len(ANSWERS):
            continue
        token = respondent_token(jctx.settings, survey.id, member.id)
        row = ANSWERS[position]
        await surveys.save_answers(
            jctx.session, survey.id, token, {n: v for n, v in enumerate(row) if v is not None}
        )
        await surveys.mark_answered(jctx.session, survey.id, member.id)
    answered = {made["members"][h].id: v for h, v in OPEN_ANSWERS.items() if h in made["members"]}
    made["surveys"] = [survey, await _seed_open_pulse(jctx, community.id, leaders[0].id, answered)]


OPEN_PULSE_TITLE = "Pulse: this month's sessions"
OPEN_PULSE = (Question("a5", "This month's sessions were useful for my work."),)
# Who answered the open pulse already: too few for results, so nobody's answer shows.
OPEN_ANSWERS = {"grace": "4", "omar": "5"}


async def _seed_open_pulse(
    jctx: JobContext, community_id: int, leader_id: int | None, answered: dict[int, str]
) -> Survey:
    opened = jctx.now - timedelta(days=2)
    survey = await surveys.create_survey(
        jctx.session,
        Survey(
            community_id=community_id,
            title=OPEN_PULSE_TITLE,
            template="",
            questions=[q.to_dict() for q in OPEN_PULSE],
            audience="members",
            anonymous=True,
            created_by=leader_id or 0,
            created_at=opened,
            opens_at=opened,
            closes_at=jctx.now + timedelta(days=5),
            state="open",
            reminded=False,
        ),
    )
    assert survey.id is not None
    for member in await communities.members_of(jctx.session, community_id):
        assert member.id is not None
        await surveys.add_invite(jctx.session, survey.id, member.id)
        if member.id not in answered:
            continue
        token = respondent_token(jctx.settings, survey.id, member.id)
        await surveys.save_answers(jctx.session, survey.id, token, {0: answered[member.id]})
        await surveys.mark_answered(jctx.session, survey.id, member.id)
    return survey
