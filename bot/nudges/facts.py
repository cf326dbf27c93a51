"""A snapshot of what copbot knows about one community on one day: the input of every rule.

Plain frozen data, so each rule in `bot.nudges.rules` is a pure function testable without a
database; `bot.nudges.gather` fills it from storage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Session:
    """One held session: when, how many came and how many of them came for the first time."""

    starts_at: datetime
    attendees: int
    first_timers: int


@dataclass(frozen=True, slots=True)
class AgendaGap:
    """An upcoming session without an agenda (N2)."""

    occurrence_id: int
    meeting_id: int
    title: str
    starts_at: datetime
    facilitator_id: int | None = None


@dataclass(frozen=True, slots=True)
class LessonFact:
    lesson_id: int
    title: str
    at: datetime  # submitted (drafts) or validated (published)
    reuses: int = 0


@dataclass(frozen=True, slots=True)
class LeaderCheck:
    """One leader's latest answered quarterly health check (DOMAIN.md §1.5 A)."""

    leader_id: int
    quarter: str
    answered_at: datetime
    answers: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SurveyFact:
    survey_id: int
    title: str
    invited: int
    answered: int
    closed_at: datetime


@dataclass(frozen=True, slots=True)
class PulseFact:
    """The latest closed pulse survey: NPS (M1) and % favourable of M3 (relevance)."""

    survey_id: int
    closed_at: datetime
    nps: float | None
    nps_n: int
    relevance_favourable: float | None  # percent
    relevance_n: int


@dataclass(frozen=True, slots=True)
class QuestionFact:
    """A community question still waiting for its first answer (N6)."""

    question_id: int
    asked_at: datetime
    title: str = ""


@dataclass(frozen=True, slots=True)
class StoryFact:
    """A member's success story not featured yet (N9)."""

    story_id: int
    title: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Facts:
    community_id: int
    slug: str
    name: str
    now: datetime
    created_at: datetime
    leader_ids: frozenset[int] = frozenset()
    # N1
    last_session_at: datetime | None = None
    next_session_at: datetime | None = None
    # N2
    agenda_gaps: tuple[AgendaGap, ...] = ()
    # N3, N4: held sessions in the last year, oldest first
    sessions: tuple[Session, ...] = ()
    # N4: members at the start of the last quarter and now
    members_quarter_ago: int = 0
    members_now: int = 0
    # N5: active members (last 90 days) by department; departments in scope
    active_by_department: dict[str, int] = field(default_factory=dict)
    departments_in_scope: int = 0
    # N6 (needs the questions capability: None when unknown)
    unanswered: tuple[QuestionFact, ...] | None = None
    median_ttfa_hours: float | None = None
    # N7: topics used this quarter with no SME (topic, uses)
    topics_without_sme: tuple[tuple[str, int], ...] = ()
    # N8: contributions in the last 90 days by member
    contributions: dict[int, int] = field(default_factory=dict)
    # N8, N9, N13, N15, N18: each leader's latest health check (recent quarters only)
    checks: tuple[LeaderCheck, ...] = ()
    # N9: recent success stories not featured yet; lessons that reached many reuses recently
    stories: tuple[StoryFact, ...] = ()
    reused_lessons: tuple[LessonFact, ...] = ()
    # N10: drafts waiting for validation; N10b: validated lessons never reused
    drafts: tuple[LessonFact, ...] = ()
    unused_lessons: tuple[LessonFact, ...] = ()
    # N11: quarters whose health check is overdue (raised by the health capability)
    overdue_checks: tuple[str, ...] = ()
    # N12: closed surveys with their response
    surveys: tuple[SurveyFact, ...] = ()
    # N13
    pulse: PulseFact | None = None
    # N18: active-member ratio (percent) of the last two quarters, newest first
    active_ratios: tuple[float, ...] = ()
    sessions_last_two_quarters: int = 0
    # going quiet: the last member action of any kind (None: never)
    last_action_at: datetime | None = None
    # N16, N17: the stage the leaders gave in their last health check (L13), if any
    stage: str | None = None
    # N17: when each current leader was made leader
    leaders_since: dict[int, datetime] = field(default_factory=dict)
    # N14: whether the community has a sponsor, the latest time one wrote to copbot, and
    # when its latest sponsor digests were built (newest first)
    has_sponsor: bool = False
    sponsor_last_seen_at: datetime | None = None
    digests_built: tuple[datetime, ...] = ()
