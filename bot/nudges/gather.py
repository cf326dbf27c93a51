"""Fill a `Facts` snapshot for one community from storage (the rules themselves stay pure)."""

from __future__ import annotations

from datetime import timedelta

from bot import activity as kinds
from bot.context import JobContext
from bot.figures.core import compute_window
from bot.figures.window import Period, Window
from bot.nudges.facts import (
    AgendaGap,
    Facts,
    LeaderCheck,
    LessonFact,
    PulseFact,
    QuestionFact,
    Session,
    StoryFact,
    SurveyFact,
)
from bot.permissions import Role
from storage import (
    communities,
    digests,
    experts,
    health,
    meetings,
    nudge_facts,
    nudges,
    questions,
    stories,
    surveys,
)
from storage.tables import Community
from storage.tables.meetings import MeetingOccurrence

QUARTER = timedelta(days=90)
# A health check speaks for the community until the next one is due (a quarter, plus the two
# weeks leaders have to answer).
CHECK_VALID = timedelta(days=105)
SIGNAL_WINDOW = timedelta(days=120)
TTFA_WINDOW = timedelta(days=30)
# Agenda gaps further ahead than this are not looked at (the N2 threshold is at most this).
AGENDA_HORIZON = timedelta(days=30)
AGENDA_GRACE = timedelta(hours=1)
# A health check is a leader's chore, not a sign of life in the community.
NOT_MEMBER_ACTIONS = (kinds.HEALTH_CHECK,)
# N14 looks at the latest few sponsor digests (its threshold is at most this many).
DIGESTS_LOOKED_AT = 6


async def gather(jctx: JobContext, community: Community) -> Facts:
    assert community.id is not None
    session, now, cid = jctx.session, jctx.now, community.id
    leaders = await communities.members_with_role(session, cid, Role.LEADER)
    last, upcoming = await meetings.meeting_rhythm(session, cid, now)
    held = await meetings.held_sessions(session, cid, community.created_at, now)
    sessions = _sessions(held)
    lessons = await _lessons(jctx, cid)
    return Facts(
        community_id=cid,
        slug=community.slug,
        name=community.name,
        now=now,
        created_at=community.created_at,
        leader_ids=frozenset(m.id for m in leaders if m.id is not None),
        last_session_at=last,
        next_session_at=upcoming,
        agenda_gaps=await _agenda_gaps(jctx, cid),
        sessions=sessions,
        members_quarter_ago=await nudge_facts.members_at(session, cid, now - QUARTER),
        members_now=await nudge_facts.members_at(session, cid, now),
        active_by_department=await nudge_facts.active_by_department(session, cid, now - QUARTER),
        departments_in_scope=await nudge_facts.member_departments(session, cid),
        topics_without_sme=tuple(
            await experts.topics_without_sme(session, cid, since=now - QUARTER, limit=5)
        ),
        contributions=await nudge_facts.contributions(session, cid, now - QUARTER),
        checks=await _checks(jctx, cid),
        drafts=lessons["drafts"],
        unused_lessons=lessons["unused"],
        reused_lessons=lessons["reused"],
        overdue_checks=await _overdue(jctx, cid),
        surveys=await _surveys(jctx, cid),
        pulse=await _pulse(jctx, cid),
        active_ratios=await _active_ratios(jctx, community),
        unanswered=await _unanswered(jctx, cid),
        median_ttfa_hours=await _median_ttfa(jctx, cid),
        stories=await _stories(jctx, cid),
        # A session nobody came to (or nobody marked) was not held in any sense that counts.
        sessions_last_two_quarters=len([s for s in sessions if s.starts_at >= now - 2 * QUARTER]),
        last_action_at=await nudge_facts.last_action_at(
            session, cid, leaving_out=NOT_MEMBER_ACTIONS
        ),
        stage=community.stage,
        leaders_since=await nudge_facts.role_granted_at(session, cid, Role.LEADER),
        has_sponsor=bool(await nudge_facts.role_granted_at(session, cid, Role.SPONSOR)),
        sponsor_last_seen_at=await nudge_facts.last_seen_of_role(session, cid, Role.SPONSOR),
        digests_built=tuple(await digests.sponsor_digest_times(session, cid, DIGESTS_LOOKED_AT)),
    )


def _sessions(held: list[tuple[MeetingOccurrence, set[int], int]]) -> tuple[Session, ...]:
    """Held sessions with attendance and first-timers; sessions nobody marked are left out
    (no attendance taken says nothing about who came)."""
    seen: set[int] = set()
    found = []
    for occurrence, came, _going in held:
        if not came:
            continue
        found.append(Session(occurrence.starts_at, len(came), len(came - seen)))
        seen |= came
    return tuple(found)


async def _agenda_gaps(jctx: JobContext, cid: int) -> tuple[AgendaGap, ...]:
    rows = await nudge_facts.agenda_gaps(
        jctx.session,
        cid,
        jctx.now,
        jctx.now + AGENDA_HORIZON,
        made_before=jctx.now - AGENDA_GRACE,
    )
    return tuple(
        AgendaGap(o.id or 0, m.id or 0, m.title, o.starts_at, m.facilitator_id) for o, m in rows
    )


async def _checks(jctx: JobContext, cid: int) -> tuple[LeaderCheck, ...]:
    quarters = await health.answered_quarters(jctx.session, cid)
    if not quarters:
        return ()
    found = []
    for check in await health.checks_for(jctx.session, cid, quarters[0]):
        if check.answered_at is None or check.answers is None:
            continue
        if check.answered_at < jctx.now - CHECK_VALID:
            continue
        found.append(LeaderCheck(check.leader_id, check.quarter, check.answered_at, check.answers))
    return tuple(found)


async def _lessons(jctx: JobContext, cid: int) -> dict[str, tuple[LessonFact, ...]]:
    drafts = tuple(
        LessonFact(d.id or 0, d.title, d.created_at)
        for d in await nudge_facts.drafts(jctx.session, cid)
    )
    unused, reused = [], []
    for lesson, n, latest in await nudge_facts.published_with_reuse(jctx.session, cid):
        at = lesson.validated_at or lesson.updated_at
        if n == 0:
            unused.append(LessonFact(lesson.id or 0, lesson.title, at, 0))
        elif latest is not None and latest >= jctx.now - QUARTER:
            reused.append(LessonFact(lesson.id or 0, lesson.title, at, n))
    reused.sort(key=lambda lesson: -lesson.reuses)
    return {"drafts": drafts, "unused": tuple(unused), "reused": tuple(reused)}


async def _overdue(jctx: JobContext, cid: int) -> tuple[str, ...]:
    """Quarters whose check the health capability flagged (N11) and nobody answered since."""
    found = []
    for signal in await nudges.signals_for(
        jctx.session, cid, "N11", since=jctx.now - SIGNAL_WINDOW
    ):
        quarter = (signal.ref or "").removeprefix("health:")
        checks = await health.checks_for(jctx.session, cid, quarter)
        if quarter and not any(c.answered_at is not None for c in checks):
            found.append(quarter)
    return tuple(dict.fromkeys(found))


async def _surveys(jctx: JobContext, cid: int) -> tuple[SurveyFact, ...]:
    found = []
    for survey in await nudge_facts.closed_surveys(jctx.session, cid, jctx.now - QUARTER):
        assert survey.id is not None and survey.closed_at is not None
        invited, answered = await surveys.invite_counts(jctx.session, survey.id)
        found.append(SurveyFact(survey.id, survey.title, invited, answered, survey.closed_at))
    return tuple(found)


async def _pulse(jctx: JobContext, cid: int) -> PulseFact | None:
    """NPS and relevance of the latest closed pulse, only with enough answers to show."""
    threshold = jctx.settings.anonymity_threshold
    for survey in await nudge_facts.closed_surveys(jctx.session, cid, jctx.now - 2 * QUARTER):
        if survey.template != "pulse":
            continue
        assert survey.id is not None and survey.closed_at is not None
        values = await surveys.answer_values(jctx.session, survey.id)
        kinds_of = [str(q.get("kind", "")) for q in survey.questions]
        scores = [int(v) for v in values.get(_index(kinds_of, "nps"), []) if v.isdigit()]
        a5 = [i for i, kind in enumerate(kinds_of) if kind == "a5"]
        # M3 (relevance) is the pulse's second agreement item.
        relevance = [int(v) for v in values.get(a5[1], []) if v.isdigit()] if len(a5) > 1 else []
        nps = None
        if len(scores) >= threshold:
            promoters = sum(1 for s in scores if s >= 9)
            detractors = sum(1 for s in scores if s <= 6)
            nps = 100.0 * (promoters - detractors) / len(scores)
        favourable = (
            100.0 * sum(1 for s in relevance if s >= 4) / len(relevance)
            if len(relevance) >= threshold
            else None
        )
        return PulseFact(survey.id, survey.closed_at, nps, len(scores), favourable, len(relevance))
    return None


def _index(kinds_of: list[str], kind: str) -> int:
    return kinds_of.index(kind) if kind in kinds_of else -1


async def _active_ratios(jctx: JobContext, community: Community) -> tuple[float, ...]:
    """Active-member ratio (%) of the last two complete quarters, newest first (the figures'
    definition); a quarter without the data to tell is left out."""
    window = Window.last_complete(Period.QUARTER, jctx.now, jctx.community_zone(community))
    ratios = []
    for quarter in (window, window.previous()):
        measures = await compute_window(
            jctx.session,
            community,
            quarter,
            settings=jctx.settings,
            now=jctx.now,
            keys=frozenset({"active_ratio"}),
        )
        value = measures["active_ratio"].value if "active_ratio" in measures else None
        if value is None:
            break
        ratios.append(100.0 * value)
    return tuple(ratios)


async def _unanswered(jctx: JobContext, cid: int) -> tuple[QuestionFact, ...]:
    waiting = await questions.unanswered_since(jctx.session, cid, jctx.now)
    return tuple(QuestionFact(q.id or 0, q.asked_at, q.text[:80]) for q in waiting)


async def _median_ttfa(jctx: JobContext, cid: int) -> float | None:
    """Median hours to a first answer over the questions asked in the last 30 days."""
    found = await questions.question_figures(jctx.session, cid, jctx.now - TTFA_WINDOW, jctx.now)
    seconds = found.median_ttfa_seconds
    return seconds / 3600 if seconds is not None else None


async def _stories(jctx: JobContext, cid: int) -> tuple[StoryFact, ...]:
    recent = await stories.stories_in_window(jctx.session, cid, jctx.now - QUARTER, jctx.now)
    return tuple(
        StoryFact(s.id or 0, s.title, s.created_at)
        for s in reversed(recent)
        if s.featured_at is None
    )
