"""Each rule on hand-built facts: fires exactly when its condition holds, boundary included."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.nudges import catalogue, rules
from bot.nudges.catalogue import RULES, evaluate, find_rule, limits_for
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

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
LEADER, OTHER = 1, 2


def facts(**changes: Any) -> Facts:
    """A healthy, busy community: no rule fires."""
    base = Facts(
        community_id=7,
        slug="data-eng",
        name="Data Engineering",
        now=NOW,
        created_at=NOW - 400 * DAY,
        leader_ids=frozenset({LEADER}),
        last_session_at=NOW - 10 * DAY,
        next_session_at=NOW + 20 * DAY,
        sessions=(
            Session(NOW - 70 * DAY, 10, 2),
            Session(NOW - 40 * DAY, 11, 2),
            Session(NOW - 10 * DAY, 10, 2),
        ),
        members_quarter_ago=20,
        members_now=24,
        active_by_department={"A": 3, "B": 3, "C": 2},
        departments_in_scope=4,
        contributions={LEADER: 2, OTHER: 2, 3: 2, 4: 2, 5: 2, 6: 2},
        active_ratios=(40.0, 35.0),
        sessions_last_two_quarters=3,
        last_action_at=NOW - 2 * DAY,
    )
    return replace(base, **changes)


def fire(code: str, f: Facts, **limits: float) -> rules.Finding | None:
    rule = find_rule(code)
    assert rule is not None
    return rule.check(f, limits_for(rule, limits))


def check(leader: int = LEADER, **answers: Any) -> LeaderCheck:
    return LeaderCheck(leader, "2026Q1", NOW - 20 * DAY, answers)


def test_a_healthy_community_gets_no_nudge() -> None:
    assert evaluate(facts(), {}, capabilities=frozenset({"questions"})) == []


def test_n1_no_session_in_30_days_and_none_in_the_next_30() -> None:
    quiet = facts(last_session_at=NOW - 31 * DAY, next_session_at=None)
    found = fire("N1", quiet)
    assert found is not None and found.action == "meeting new in data-eng"
    assert fire("N1", replace(quiet, last_session_at=NOW - 30 * DAY)) is None  # boundary
    assert fire("N1", replace(quiet, next_session_at=NOW + 30 * DAY)) is None
    assert fire("N1", replace(quiet, next_session_at=NOW + 31 * DAY)) is not None
    assert fire("N1", replace(quiet, last_session_at=None)) is not None
    assert fire("N1", quiet, days=45) is None  # the community's own threshold


def test_n2_session_within_7_days_without_agenda() -> None:
    gap = AgendaGap(31, 4, "Clinic", NOW + 7 * DAY, facilitator_id=9)
    found = fire("N2", facts(agenda_gaps=(gap,)))
    assert found is not None
    assert found.action == "meeting edit 4" and found.also == frozenset({9})
    assert found.subject == "occurrence:31"
    assert found.not_after == gap.starts_at  # held past the session, the nudge is dropped
    later = replace(gap, starts_at=NOW + 7 * DAY + timedelta(minutes=1))
    assert fire("N2", facts(agenda_gaps=(later,))) is None
    assert fire("N2", facts(agenda_gaps=(later,)), days=8) is not None
    past = replace(gap, starts_at=NOW - timedelta(minutes=1))
    assert fire("N2", facts(agenda_gaps=(past,))) is None


def test_n3_attendance_down_30_percent_or_two_drops() -> None:
    base = (Session(NOW - 90 * DAY, 10, 1), Session(NOW - 60 * DAY, 10, 1))
    steady = (*base, Session(NOW - 30 * DAY, 10, 1), Session(NOW - DAY, 7, 0))
    assert fire("N3", facts(sessions=steady)) is not None  # exactly 30% below 10
    eight = (*base, Session(NOW - 30 * DAY, 10, 1), Session(NOW, 8, 0))  # 20% below
    assert fire("N3", facts(sessions=eight)) is None
    drops = (Session(NOW - 60 * DAY, 10, 1), Session(NOW - 30 * DAY, 9, 1), Session(NOW, 8, 0))
    found = fire("N3", facts(sessions=drops))
    assert found is not None and "twice in a row" in found.detail
    assert fire("N3", facts(sessions=drops[1:])) is None  # too few sessions to tell


def test_n4_few_first_timers_or_no_growth() -> None:
    stale = tuple(Session(NOW - d * DAY, 10, 0) for d in (60, 30, 1))
    assert fire("N4", facts(sessions=stale)) is not None
    fresh = (*stale[:2], Session(NOW - DAY, 10, 3))  # 3 of 30 = 10%: not below
    assert fire("N4", facts(sessions=fresh)) is None
    assert fire("N4", facts(members_quarter_ago=24, members_now=24)) is not None
    assert fire("N4", facts(members_quarter_ago=24, members_now=25)) is None
    young = facts(members_quarter_ago=0, members_now=0, created_at=NOW - 30 * DAY)
    assert fire("N4", young) is None  # a quarter must have passed


def test_n5_one_department_dominates_or_reach_is_narrow() -> None:
    assert fire("N5", facts(active_by_department={"A": 6, "B": 4}, departments_in_scope=2)) is None
    dominated = facts(active_by_department={"A": 7, "B": 3}, departments_in_scope=2)
    assert fire("N5", dominated) is not None
    narrow = facts(active_by_department={"A": 1, "B": 1}, departments_in_scope=7)  # 28.6%
    assert fire("N5", narrow) is not None
    assert fire("N5", replace(narrow, departments_in_scope=6)) is None  # 33%
    assert fire("N5", facts(active_by_department={})) is None


def test_n6_needs_questions_and_fires_after_48_hours() -> None:
    waiting = QuestionFact(5, NOW - timedelta(hours=48))
    assert fire("N6", facts(unanswered=(waiting,))) is not None
    recent = QuestionFact(5, NOW - timedelta(hours=47))
    assert fire("N6", facts(unanswered=(recent,))) is None
    assert fire("N6", facts(unanswered=(), median_ttfa_hours=25)) is not None
    assert fire("N6", facts(unanswered=None)) is None  # no questions capability: unknown
    # Without the questions capability in the build the rule is never evaluated.
    assert evaluate(facts(unanswered=(waiting,)), {}) == []


def test_n7_topic_used_five_times_without_sme() -> None:
    assert fire("N7", facts(topics_without_sme=(("dbt", 5),))) is not None
    assert fire("N7", facts(topics_without_sme=(("dbt", 4),))) is None


def test_n8_leaders_carry_the_load_or_a_thin_core() -> None:
    assert fire("N8", facts(contributions={LEADER: 6, OTHER: 4})) is not None  # leader 60%
    # Leader exactly 50%, top three exactly 70%: neither is above its threshold.
    assert fire("N8", facts(contributions={LEADER: 5, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1})) is None
    few = {LEADER: 1, 2: 3, 3: 3, 4: 2, 5: 1}  # top 3 = 9 of 10 = 90%
    assert fire("N8", facts(contributions=few)) is not None
    assert fire("N8", facts(contributions={LEADER: 3, OTHER: 1})) is None  # too few to tell
    assert fire("N8", facts(checks=(check(L3=2),))) is not None
    assert fire("N8", facts(checks=(check(L3=3),))) is None


def test_n9_value_story_or_lesson_helping_many() -> None:
    found = fire("N9", facts(checks=(check(L15="It saved us a week"),)))
    assert found is not None and found.action == "health in data-eng"
    assert fire("N9", facts(checks=(check(L15="  "),))) is None
    lesson = LessonFact(3, "Backfills", NOW - 40 * DAY, reuses=3)
    assert fire("N9", facts(reused_lessons=(lesson,))) is not None
    assert fire("N9", facts(reused_lessons=(replace(lesson, reuses=2),))) is None


def test_n9_a_story_not_yet_featured_comes_first() -> None:
    story = StoryFact(8, "Backfills fixed", NOW - 30 * DAY)
    found = fire("N9", facts(stories=(story,), checks=(check(L15="Also a story"),)))
    assert found is not None and found.action == "story feature 8"
    older = replace(story, created_at=NOW - 30 * DAY - timedelta(minutes=1))
    found = fire("N9", facts(stories=(older,), checks=(check(L15="Also a story"),)))
    assert found is not None and found.subject == "story:2026Q1:1"  # the health-check story
    assert fire("N9", facts(stories=(older,))) is None


def test_n10_lesson_waiting_14_days_for_validation() -> None:
    draft = LessonFact(12, "Retry storms", NOW - 14 * DAY)
    found = fire("N10", facts(drafts=(draft,)))
    assert found is not None and found.action == "lessons pending in data-eng"
    assert fire("N10", facts(drafts=(replace(draft, at=NOW - 14 * DAY + DAY / 24),))) is None


def test_n10b_validated_lesson_nobody_reused_in_90_days() -> None:
    idle = LessonFact(12, "Retry storms", NOW - 90 * DAY)
    assert fire("N10b", facts(unused_lessons=(idle,))) is not None
    assert fire("N10b", facts(unused_lessons=(replace(idle, at=NOW - 89 * DAY),))) is None


def test_n11_health_check_overdue() -> None:
    found = fire("N11", facts(overdue_checks=("2026Q1",)))
    assert found is not None and found.action == "health check in data-eng"
    assert fire("N11", facts()) is None


def test_n12_response_rate_below_20_percent() -> None:
    low = SurveyFact(4, "Pulse", invited=20, answered=3, closed_at=NOW - DAY)
    assert fire("N12", facts(surveys=(low,))) is not None
    assert fire("N12", facts(surveys=(replace(low, answered=4),))) is None  # exactly 20%
    assert fire("N12", facts(surveys=(replace(low, closed_at=NOW - 31 * DAY),))) is None


def test_n13_low_nps_low_relevance_or_l1() -> None:
    pulse = PulseFact(1, NOW - DAY, nps=-5, nps_n=8, relevance_favourable=70, relevance_n=8)
    assert fire("N13", facts(pulse=pulse)) is not None
    assert fire("N13", facts(pulse=replace(pulse, nps=0))) is None
    assert fire("N13", facts(pulse=replace(pulse, nps=10, relevance_favourable=49))) is not None
    assert fire("N13", facts(pulse=replace(pulse, nps=10, relevance_favourable=50))) is None
    assert fire("N13", facts(checks=(check(L1=2),))) is not None
    assert fire("N13", facts(checks=(check(L1=None),))) is None  # N/A


def test_n15_only_the_stretched_leader_is_told() -> None:
    found = fire("N15", facts(checks=(check(OTHER, L11=2), check(LEADER, L11=4))))
    assert found is not None and found.only == frozenset({OTHER})
    assert fire("N15", facts(checks=(check(L11=3),))) is None


def test_n14_low_sponsor_score_or_a_sponsor_silent_through_two_digests() -> None:
    found = fire("N14", facts(checks=(check(L10=2),)))
    assert found is not None and found.action == "stories in data-eng"
    assert "invite your sponsor" in found.text.lower()
    assert fire("N14", facts(checks=(check(L10=3),))) is None
    digests = (NOW - 5 * DAY, NOW - 95 * DAY, NOW - 185 * DAY)
    silent = facts(has_sponsor=True, digests_built=digests, sponsor_last_seen_at=NOW - 96 * DAY)
    found = fire("N14", silent)
    assert found is not None and "last 2 digests" in found.detail
    # A word from the sponsor since the older of the two latest digests: no nudge.
    assert fire("N14", replace(silent, sponsor_last_seen_at=NOW - 95 * DAY)) is None
    assert fire("N14", replace(silent, sponsor_last_seen_at=None)) is not None
    assert fire("N14", replace(silent, digests_built=digests[:1])) is None  # one digest only
    assert fire("N14", replace(silent, has_sponsor=False)) is None
    assert fire("N14", silent, digests=3) is None  # seen since the third digest back
    assert fire("N14", replace(silent, sponsor_last_seen_at=NOW - 200 * DAY), digests=3) is not None


def test_n16_a_new_community_or_leaders_who_say_it_is_early() -> None:
    young = facts(created_at=NOW - 89 * DAY)
    found = fire("N16", young)
    assert found is not None and "89 days old" in found.detail
    assert found.action == "charter in data-eng"
    assert fire("N16", facts(created_at=NOW - 90 * DAY)) is None  # boundary
    assert fire("N16", facts(stage="coalescing")) is not None  # 400 days old, but they say so
    assert fire("N16", replace(young, stage="maturing")) is None  # their word wins over age


def test_n17_stewardship_or_the_same_leader_for_two_years() -> None:
    assert fire("N17", facts(created_at=NOW - 731 * DAY)) is not None
    assert fire("N17", facts(created_at=NOW - 730 * DAY)) is None  # boundary
    assert fire("N17", facts(stage="stewardship")) is not None
    assert fire("N17", facts(created_at=NOW - 900 * DAY, stage="maturing")) is None
    long_led = facts(stage="maturing", leaders_since={LEADER: NOW - 731 * DAY})
    found = fire("N17", long_led)
    assert found is not None and "since" in found.detail and found.action == "roles in data-eng"
    # Someone who no longer leads does not count.
    assert fire("N17", replace(long_led, leader_ids=frozenset({OTHER}))) is None
    assert fire("N17", long_led, years=3) is None


def test_rules_that_fire_for_months_repeat_at_most_once_a_quarter() -> None:
    for code in ("N14", "N16", "N17"):
        rule = find_rule(code)
        assert rule is not None and rule.defaults()["repeat-days"] >= 90


def test_n18_dormant_and_unhappy_or_a_proposal_to_close() -> None:
    dormant = facts(active_ratios=(4.0, 4.9), sessions_last_two_quarters=0)
    assert fire("N18", dormant) is None  # dormant alone is not enough
    assert fire("N18", replace(dormant, checks=(check(L14="close"),))) is not None
    unhappy = PulseFact(1, NOW - DAY, nps=-20, nps_n=6, relevance_favourable=None, relevance_n=0)
    assert fire("N18", replace(dormant, pulse=unhappy)) is not None
    assert fire("N18", replace(dormant, pulse=unhappy, active_ratios=(4.0, 5.0))) is None
    assert fire("N18", replace(dormant, pulse=unhappy, sessions_last_two_quarters=1)) is None


def test_going_quiet_after_four_weeks_without_any_member_action() -> None:
    quiet = facts(last_action_at=NOW - 28 * DAY)
    found = fire("QUIET", quiet)
    assert found is not None and "gone quiet" in found.detail and "4 weeks" in found.detail
    assert "Try a low-effort restart first" in found.text
    assert fire("QUIET", facts(last_action_at=NOW - 28 * DAY + timedelta(minutes=1))) is None
    assert fire("QUIET", quiet, weeks=6) is None
    never = facts(last_action_at=None, created_at=NOW - 29 * DAY)
    assert fire("QUIET", never) is not None


def test_findings_come_in_priority_order_and_silenced_rules_are_skipped() -> None:
    many = facts(
        last_session_at=None,
        next_session_at=None,
        drafts=(LessonFact(12, "Retry storms", NOW - 20 * DAY),),
        checks=(check(L15="A story"),),
    )
    assert [f.rule for f in evaluate(many, {})] == ["N1", "N10", "N9"]
    assert [f.rule for f in evaluate(many, {}, skip=frozenset({"N1"}))] == ["N10", "N9"]
    assert [f.rule for f in evaluate(many, {"N10": {"days": 30}})] == ["N1", "N9"]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_every_rule_has_the_common_thresholds(rule: catalogue.Rule) -> None:
    names = [t.name for t in rule.thresholds]
    assert "silence-days" in names and "repeat-days" in names
    assert len(names) == len(set(names))
