"""The catalogue of nudge rules: each rule's code, title, thresholds and check, in priority
order, and the evaluation of them all for one community's facts.

`RULES` is in priority order: when several rules fire for a leader on the same day, the first
one is sent and the others wait (one a week). Thresholds are *defaults*; a community may set its
own with `nudges set <rule> <threshold> <value>`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.nudges.facts import Facts
from bot.nudges.rules import (
    Check,
    Finding,
    Threshold,
    attendance_down,
    check_overdue,
    early_days,
    future_in_question,
    going_quiet,
    keep_fresh,
    leader_stretched,
    lesson_unused,
    lesson_waiting,
    load_on_few,
    low_response,
    missing_agenda,
    narrow_reach,
    needs_renewal,
    no_newcomers,
    no_rhythm,
    sponsor_distant,
    topic_without_expert,
    value_to_celebrate,
    waiting_questions,
)


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    title: str
    thresholds: tuple[Threshold, ...]
    check: Check
    needs: str = ""  # a capability this build may lack ("questions"): then never fires

    def defaults(self) -> dict[str, float]:
        return {t.name: t.default for t in self.thresholds}


def repeat_after(days: int) -> Threshold:
    """How long before the same nudge about the same thing may come again."""
    return Threshold(
        "repeat-days", days, "days before the same nudge about the same thing comes again"
    )


# Every rule also has these, so a community can tune how it is nudged, not only when.
COMMON = (
    Threshold("silence-days", 90, 'days a rule stays quiet after "Not relevant"'),
    repeat_after(28),
)


def _rule(code: str, title: str, check: Check, *thresholds: Threshold, needs: str = "") -> Rule:
    """A rule with its own thresholds, then the common ones it does not set itself."""
    own = {t.name for t in thresholds}
    return Rule(code, title, (*thresholds, *(c for c in COMMON if c.name not in own)), check, needs)


T = Threshold
RULES: tuple[Rule, ...] = (
    _rule("N2", "Session soon without an agenda", missing_agenda, T("days", 7, "days ahead")),
    _rule(
        "N6",
        "Questions waiting for an answer",
        waiting_questions,
        T("hours", 48, "hours a question may wait"),
        T("ttfa-hours", 24, "median hours to a first answer"),
        needs="questions",
    ),
    _rule(
        "N18",
        "The community's future",
        future_in_question,
        T("active-pct", 5, "active members, % (two quarters)"),
    ),
    _rule("QUIET", "Gone quiet", going_quiet, T("weeks", 4, "weeks without any member action")),
    _rule("N11", "Health check overdue", check_overdue),
    _rule(
        "N1",
        "No meeting rhythm",
        no_rhythm,
        T("days", 30, "days since the last session"),
        T("ahead-days", 30, "days ahead with nothing scheduled"),
    ),
    _rule("N10", "Lesson waiting for validation", lesson_waiting, T("days", 14, "days waiting")),
    _rule("N15", "Leader capacity low", leader_stretched, T("l11", 2, "L11 score at or below")),
    _rule(
        "N14",
        "Sponsor at a distance",
        sponsor_distant,
        T("l10", 2, "L10 score at or below"),
        T("digests", 2, "digests in a row with no word from the sponsor"),
        repeat_after(90),
    ),
    _rule(
        "N3",
        "Attendance falling",
        attendance_down,
        T("drop-pct", 30, "% below the mean of the 3 sessions before"),
    ),
    _rule(
        "N13",
        "Time for renewal",
        needs_renewal,
        T("nps", 0, "NPS below"),
        T("relevance-pct", 50, "% favourable on relevance (M3) below"),
        T("l1", 2, "L1 score at or below"),
    ),
    _rule(
        "N8",
        "Load on few shoulders",
        load_on_few,
        T("leader-share-pct", 50, "% of contributions by leaders above"),
        T("top3-share-pct", 70, "% of contributions by the top 3 above"),
        T("min-contributions", 10, "contributions before the shares count"),
        T("l3", 2, "L3 score at or below"),
    ),
    _rule(
        "N4",
        "Few newcomers",
        no_newcomers,
        T("new-share-pct", 10, "% first-time attendees over 3 sessions below"),
        T("growth", 0, "net new members in 90 days at or below"),
    ),
    _rule(
        "N5",
        "Narrow reach",
        narrow_reach,
        T("top-share-pct", 60, "% of active members from one department above"),
        T("reach-pct", 30, "% of departments in scope below"),
    ),
    _rule("N7", "Topic without an expert", topic_without_expert, T("uses", 5, "uses this quarter")),
    _rule(
        "N12",
        "Low survey response",
        low_response,
        T("rate-pct", 20, "response rate below, %"),
        T("days", 30, "days since the survey closed"),
    ),
    _rule("N10b", "Lesson nobody reused", lesson_unused, T("days", 90, "days since validation")),
    _rule(
        "N9",
        "Value to celebrate",
        value_to_celebrate,
        T("reuses", 3, "people a lesson helped"),
        T("story-days", 30, "days a success story waits to be featured"),
    ),
    # The stage rules fire for months on end: once a quarter is enough.
    _rule(
        "N16",
        "A new community",
        early_days,
        T("days", 90, "days old, when the leaders have not given a stage"),
        repeat_after(90),
    ),
    _rule(
        "N17",
        "Keep it fresh",
        keep_fresh,
        T("years", 2, "years old, or years under one leader"),
        repeat_after(180),
    ),
)
BY_CODE = {rule.code: rule for rule in RULES}


def find_rule(code: str) -> Rule | None:
    return BY_CODE.get(code.strip().upper().replace("N10B", "N10b"))


def limits_for(rule: Rule, overrides: Mapping[str, float]) -> dict[str, float]:
    return rule.defaults() | {k: v for k, v in overrides.items() if k in rule.defaults()}


def evaluate(
    facts: Facts,
    overrides: Mapping[str, Mapping[str, float]],
    *,
    skip: frozenset[str] = frozenset(),
    capabilities: frozenset[str] = frozenset(),
) -> list[Finding]:
    """Every rule that fires for these facts, in priority order (`skip`: silenced rules)."""
    found = []
    for rule in RULES:
        if rule.code in skip or (rule.needs and rule.needs not in capabilities):
            continue
        finding = rule.check(facts, limits_for(rule, overrides.get(rule.code, {})))
        if finding is not None:
            found.append(finding)
    return found
