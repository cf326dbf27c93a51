"""A year of data-eng history for `copbot demo`, so `stats` has figures and comparisons at once.

Everything is placed relative to the demo's `now`, so whichever day the demo starts, the last
complete month and quarter (and the ones before) have sessions, actions and newcomers:
- a fortnightly "Pipeline deep dive" that ran for the last year (it ended when the demo starts,
  so it sends no reminders), with a loyal core, occasional visitors and newcomers;
- three people from other departments joining over the last months;
- lessons (older ones reused), questions to experts, endorsements and an earlier pulse survey;
- two SME designations made months ago, so expert coverage has a history.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from bot import activity as kinds
from bot.context import JobContext
from bot.registry import demo_seeder
from bot.surveys.core import PULSE, PULSE_TITLE, respondent_token
from storage import activity, communities, experts, lessons, meetings, surveys
from storage.meetings import Planned
from storage.tables import Community, Member
from storage.tables.meetings import Meeting
from storage.tables.surveys import Survey

SLUG = "data-eng"
SESSIONS = 26  # fortnightly for a year
# Who comes to session k (0 = the oldest): a loyal core, regulars and occasional visitors.
PATTERN = {
    "ada": lambda k: k % 4 != 3,
    "grace": lambda k: k % 5 != 2,
    "omar": lambda k: k % 2 == 0,
    "linus": lambda k: k % 3 != 1,
    "maria": lambda k: k % 6 == 0,
    "priya": lambda k: k % 4 == 1,
    "kenji": lambda k: k % 2 == 1,
    "noah": lambda k: True,
    "lucia": lambda k: True,
}
# Newcomers from other departments: handle -> days before the demo starts.
# (Not sam: the README and its tests show sam joining data-eng.)
NEWCOMERS = {"kenji": 75, "noah": 40, "lucia": 12}
# Members who joined long ago and only read (every community has them).
LURKERS = {"tove": 180}
# The leaders' steady stream: a lesson and a question each month, for the last months.
MONTHLY = [
    (
        "grace",
        "Lessons from this month's data-quality incidents",
        "data-quality",
        "omar",
        "airflow",
    ),
    ("ada", "Pipeline runbook updates", "data-pipelines", "linus", "dbt"),
]
STEADY_MONTHS = 8
# (author, title, topics, days ago, helped by); lessons 90+ days old count for reuse.
LESSONS = [
    ("grace", "Row-count checks before every publish step", ["data-quality"], 250, ["linus"]),
    ("omar", "Pin Airflow provider versions per environment", ["airflow"], 200, ["ada"]),
    ("linus", "dbt snapshots need a unique key that never changes", ["dbt"], 150, []),
    ("priya", "Cache Spark lookups instead of broadcasting them", ["spark"], 100, ["grace"]),
    ("maria", "Tag every pipeline with a cost centre", ["finops"], 45, []),
    ("ada", "Alert on freshness, not only on failures", ["data-quality"], 20, []),
]
# Questions to experts: (asker, expert, topic, days ago).
QUESTIONS = [
    ("linus", "grace", "data-quality", 300), ("priya", "omar", "airflow", 210),
    ("maria", "linus", "dbt", 160), ("kenji", "grace", "data-quality", 60),
    ("noah", "omar", "airflow", 33), ("linus", "priya", "spark", 25),
    ("lucia", "grace", "data-quality", 8),
]  # fmt: skip
# The earlier pulse (a quarter before the surveys demo's): NPS, M2-M7, M8, M9.
EARLIER_PULSE: list[tuple[str | None, ...]] = [
    ("8", "4", "4", "4", "3", "4", "yes", "1-4 h", None),
    ("9", "4", "4", "4", "4", "4", "partly", "<1 h", None),
    ("6", "3", "3", "3", "3", "3", "no", None, "More newcomer sessions"),
    ("7", "3", "4", "3", "na", "3", "partly", "<1 h", None),
    ("9", "5", "4", "4", "4", "4", "yes", "1-4 h", None),
]


@demo_seeder(5)
async def seed_early_smes(jctx: JobContext, made: dict[str, Any]) -> None:
    """Two of data-eng's SMEs were named five months ago (the lessons demo names the rest)."""
    community, members = made["communities"].get(SLUG), made["members"]
    if community is None or community.id is None:
        return
    for handle, topic in (("grace", "data-quality"), ("omar", "airflow")):
        await experts.designate(
            jctx.session, community.id, members[handle].id, topic, by=None,
            now=jctx.now - timedelta(days=150),
        )  # fmt: skip


@demo_seeder(50)
async def seed_history(jctx: JobContext, made: dict[str, Any]) -> None:
    community = made["communities"].get(SLUG)
    if community is None or community.id is None:
        return
    members: dict[str, Member] = made["members"]
    ids = {handle: m.id for handle, m in members.items() if m.id is not None}
    for handle, days in NEWCOMERS.items():
        when = jctx.now - timedelta(days=days)
        await communities.join(jctx.session, community.id, ids[handle], when)
        await _act(jctx, community, ids[handle], kinds.JOIN, when)
    for handle, days in LURKERS.items():
        await communities.join(
            jctx.session, community.id, ids[handle], jctx.now - timedelta(days=days)
        )
    await _deep_dives(jctx, community, ids)
    await _knowledge(jctx, community, ids)
    await _earlier_pulse(jctx, community, ids)


async def _act(
    jctx: JobContext, community: Community, member_id: int, kind: str, when: datetime,
    ref: str | None = None,
) -> None:  # fmt: skip
    assert community.id is not None
    await activity.record(
        jctx.session, community_id=community.id, member_id=member_id, kind=kind,
        contribution=kind in kinds.CONTRIBUTIONS, now=when, ref=ref,
    )  # fmt: skip


async def _deep_dives(jctx: JobContext, community: Community, ids: dict[str, int]) -> None:
    assert community.id is not None
    zone = jctx.community_zone(community)
    # Wednesdays at 16:00 local, the latest one at least a day before now.
    day = (jctx.now - timedelta(days=1)).astimezone(zone).date()
    day -= timedelta(days=(day.weekday() - 2) % 7)
    starts = [
        datetime.combine(day - timedelta(days=14 * n), time(16), tzinfo=zone)
        for n in range(SESSIONS)
    ][::-1]
    first = starts[0]
    meeting = await meetings.create_meeting(
        jctx.session,
        Meeting(
            community_id=community.id,
            title="Pipeline deep dive",
            start_local=first.replace(tzinfo=None).isoformat(timespec="minutes"),
            timezone=community.timezone,
            duration_minutes=60,
            rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
            agenda="One pipeline, end to end, presented by the team that runs it.",
            created_by=ids["grace"],
            created_at=first - timedelta(days=7),
            # The season is over: no more sessions, so no reminders in the demo.
            cancelled_at=jctx.now - timedelta(hours=1),
        ),
    )
    assert meeting.id is not None
    hour = timedelta(hours=1)
    await meetings.plan(
        jctx.session, meeting, [Planned(s, s + hour, None, None) for s in starts], starts[-1] + hour
    )
    held = await meetings.occurrences_of(jctx.session, meeting.id, until=jctx.now)
    roster = await communities.members_of(jctx.session, community.id)
    joined = {
        m.id: jctx.now - timedelta(days=NEWCOMERS.get(_handle(ids, m.id), 300)) for m in roster
    }
    for k, occurrence in enumerate(held):
        assert occurrence.id is not None
        await meetings.claim_follow_up(jctx.session, occurrence.id)
        for handle, comes in PATTERN.items():
            member_id = ids[handle]
            if member_id not in joined or joined[member_id] > occurrence.starts_at:
                continue
            said_yes = comes(k) or (handle == "maria" and k % 3 == 0)
            if said_yes:
                before = occurrence.starts_at - timedelta(days=2)
                await meetings.set_rsvp(jctx.session, occurrence.id, member_id, "going", before)
                await _act(
                    jctx, community, member_id, kinds.RSVP, before, f"occurrence:{occurrence.id}"
                )
            if comes(k):
                await meetings.record_attendance(
                    jctx.session, occurrence.id, member_id, source="check-in",
                    recorded_by=member_id, now=occurrence.starts_at,
                )  # fmt: skip
                await _act(
                    jctx, community, member_id, kinds.ATTENDANCE, occurrence.starts_at,
                    f"occurrence:{occurrence.id}",
                )  # fmt: skip


def _handle(ids: dict[str, int], member_id: int | None) -> str:
    return next((h for h, i in ids.items() if i == member_id), "")


async def _knowledge(jctx: JobContext, community: Community, ids: dict[str, int]) -> None:
    assert community.id is not None
    for author, title, topics, days, helped in LESSONS:
        when = jctx.now - timedelta(days=days)
        lesson = await lessons.create_lesson(
            jctx.session, community_id=community.id, author_id=ids[author], topics=topics,
            now=when, title=title, kind="insight", statement=title + ".",
        )  # fmt: skip
        assert lesson.id is not None
        await _act(
            jctx, community, ids[author], kinds.LESSON_SUBMITTED, when, f"lesson:{lesson.id}"
        )
        await lessons.publish(jctx.session, lesson, by=ids["grace"], now=when + timedelta(days=2))
        for handle in helped:
            at = when + timedelta(days=30)
            await lessons.log_reuse(jctx.session, lesson.id, ids[handle], "helped", at)
            await _act(jctx, community, ids[handle], kinds.LESSON_REUSED, at, f"lesson:{lesson.id}")
    for asker, expert, topic, days in QUESTIONS:
        when = jctx.now - timedelta(days=days)
        await experts.record_routing(
            jctx.session, asker_id=ids[asker], expert_id=ids[expert], topic=topic,
            community_id=community.id, question=f"A question about {topic}", now=when,
        )  # fmt: skip
        await _act(jctx, community, ids[asker], kinds.EXPERT_QUESTION, when)
    for month in range(STEADY_MONTHS):
        for n, (author, title, topic, expert, asked) in enumerate(MONTHLY):
            when = jctx.now - timedelta(days=12 + 30 * month + 9 * n)
            lesson = await lessons.create_lesson(
                jctx.session, community_id=community.id, author_id=ids[author], topics=[topic],
                now=when, title=f"{title} ({when:%B %Y})", kind="insight",
                statement=f"{title}: what we changed in {when:%B %Y}.",
            )  # fmt: skip
            await lessons.publish(jctx.session, lesson, by=ids["grace"], now=when)
            await _act(
                jctx, community, ids[author], kinds.LESSON_SUBMITTED, when, f"lesson:{lesson.id}"
            )
            await experts.record_routing(
                jctx.session, asker_id=ids[author], expert_id=ids[expert], topic=asked,
                community_id=community.id, question=f"A question about {asked}",
                now=when + timedelta(days=3),
            )  # fmt: skip
            await _act(
                jctx, community, ids[author], kinds.EXPERT_QUESTION, when + timedelta(days=3)
            )
    for n, (endorser, member) in enumerate(
        (("linus", "omar"), ("kenji", "grace"), ("noah", "ada"))
    ):
        await _act(jctx, community, ids[endorser], kinds.ENDORSEMENT,
                   jctx.now - timedelta(days=20 + 25 * n), f"member:{ids[member]}")  # fmt: skip


async def _earlier_pulse(jctx: JobContext, community: Community, ids: dict[str, int]) -> None:
    assert community.id is not None
    opened = jctx.now - timedelta(days=120)
    survey = await surveys.create_survey(
        jctx.session,
        Survey(
            community_id=community.id, title=PULSE_TITLE, template="pulse",
            questions=[q.to_dict() for q in PULSE], audience="members", anonymous=True,
            created_by=ids["grace"], created_at=opened, opens_at=opened,
            closes_at=opened + timedelta(days=14), state="closed", reminded=True,
            closed_at=opened + timedelta(days=14),
        ),
    )  # fmt: skip
    assert survey.id is not None
    invited = ["ada", "grace", "linus", "maria", "omar", "priya"]
    for handle, row in zip(invited, [*EARLIER_PULSE, None], strict=True):
        await surveys.add_invite(jctx.session, survey.id, ids[handle])
        if row is None:
            continue
        token = respondent_token(jctx.settings, survey.id, ids[handle])
        answers: dict[int, str | None] = {n: v for n, v in enumerate(row) if v is not None}
        await surveys.save_answers(jctx.session, survey.id, token, answers)
        await surveys.mark_answered(jctx.session, survey.id, ids[handle])
        await _act(jctx, community, ids[handle], kinds.SURVEY_RESPONSE, opened + timedelta(days=1))
