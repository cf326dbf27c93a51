"""Every engagement figure, defined once (DOMAIN.md §2): the table `help stats`, the README,
`stats`, the chart and the digests all read.

A figure's value is a number in its `unit`:
- `share`: a fraction 0..1, shown as a percentage ("42%");
- `count`: a whole number ("7"); `signed` shows its sign ("+3");
- `nps`: -100..+100 ("+25");
- `index`: 0..100 ("72/100");
- `hours`: a duration in hours ("5.5 h").

To add a figure: add a `FigureDef` here (its place is its place in `stats`) and compute it in
`bot.figures.sources` (a source returns measures for the keys it knows). A figure whose data
copbot does not record yet stays here with `pending` set: it is listed in `help stats` and
reported as "no data" with that reason, never as 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal["share", "count", "signed", "nps", "index", "hours"]


@dataclass(frozen=True, slots=True)
class FigureDef:
    key: str
    label: str
    definition: str
    unit: Unit
    section: str
    # Higher is better (True), worse (False) or neither (None): colours a trend, never hides it.
    better: bool | None = True
    # Shown only to roles that may view health (leaders, sponsors, coordinators).
    leaders_only: bool = False
    # Not computed yet: why (the figure reports "no data: <pending>").
    pending: str | None = None


PARTICIPATION = "Participation"
MEETINGS = "Meetings"
REACH = "Reach and growth"
KNOWLEDGE = "Knowledge"
QUESTIONS = "Questions"
SURVEYS = "Surveys and health"

FIGURES: tuple[FigureDef, ...] = (
    FigureDef("active_ratio", "Active members",
              "members with at least one action in the period (lesson, question, RSVP, "
              "attendance, survey answer, vote, endorsement, health check) / members at its end",
              "share", PARTICIPATION),
    FigureDef("contributor_ratio", "Contributors",
              "members who authored something (lesson, question, story) / members at the "
              "period's end", "share", PARTICIPATION),
    FigureDef("tier_core", "Tier: core",
              "members with 5+ contributions in a quarter (2+ in a month) who came to at "
              "least half the period's sessions / members", "share", PARTICIPATION),
    FigureDef("tier_active", "Tier: active",
              "members (not core) with 1+ contribution or 2+ meetings / members",
              "share", PARTICIPATION),
    FigureDef("tier_peripheral", "Tier: peripheral",
              "members with lighter actions only (RSVP, one meeting, survey, vote) / members",
              "share", PARTICIPATION, better=None),
    FigureDef("tier_inactive", "Tier: inactive", "members with no action in the period / members",
              "share", PARTICIPATION, better=False),
    FigureDef("attendance_rate", "Meeting attendance",
              "mean over the period's sessions of attendees / members at the session's start",
              "share", MEETINGS),
    FigureDef("sessions_held", "Sessions held", "sessions held (not skipped or cancelled)",
              "count", MEETINGS),
    FigureDef("rsvp_show_rate", "RSVP show rate",
              "people who said they were going and came / people who said they were going",
              "share", MEETINGS),
    FigureDef("repeat_attendance", "Repeat attendance",
              "attendees of the 12 months to the period's end with 5+ sessions / all "
              "attendees of those 12 months", "share", MEETINGS),
    FigureDef("new_attendee_share", "New attendees",
              "attendances that were the person's first session of the community / all "
              "attendances in the period", "share", MEETINGS),
    FigureDef("department_reach", "Departmental reach",
              "departments with at least one attendee in the period / departments of the "
              "members", "share", REACH),
    FigureDef("largest_department", "Largest department",
              "the biggest department's share of the period's attendees (above 60% the "
              "community depends on one department)", "share", REACH, better=False),
    FigureDef("joins", "Joined", "members who joined in the period", "count", REACH),
    FigureDef("leaves", "Left", "members who left in the period", "count", REACH, better=False),
    FigureDef("net_growth", "Net growth", "joined - left", "signed", REACH),
    FigureDef("activation", "New-member activation",
              "members who joined in the period and took an action within 30 days of "
              "joining / members who joined", "share", REACH),
    FigureDef("questions_asked", "Questions asked", "questions asked in the period",
              "count", QUESTIONS),
    FigureDef("answer_rate", "Answer rate",
              "questions answered by someone else within 7 days / questions", "share",
              QUESTIONS),
    FigureDef("time_to_first_answer", "Time to first answer",
              "median time from a question to its first answer", "hours", QUESTIONS,
              better=False),
    FigureDef("lessons_captured", "Lessons captured",
              "lessons submitted in the period (drafts and published, not deleted)",
              "count", KNOWLEDGE),
    FigureDef("lesson_reuse_rate", "Lesson reuse",
              "published lessons at least 90 days old with a \"this helped\" or \"I applied "
              "this\" by the period's end / published lessons at least 90 days old",
              "share", KNOWLEDGE),
    FigureDef("expert_coverage", "Expert coverage",
              "topics the community uses (lessons, members' expertise, questions) with a "
              "designated SME / topics it uses", "share", KNOWLEDGE),
    FigureDef("value_stories", "Value stories", "success stories captured in the period",
              "count", KNOWLEDGE),
    FigureDef("survey_response_rate", "Survey response rate",
              "invitees who answered / invitees, over surveys opened in the period",
              "share", SURVEYS),
    FigureDef("nps", "NPS",
              "% promoters (9-10) - % detractors (0-6) of the recommend question in surveys "
              "opened in the period; hidden below the anonymity threshold", "nps", SURVEYS),
    FigureDef("leader_health_index", "Leader Health Index",
              "mean of the leaders' health-check items L1-L11 rescaled to 0-100, from the "
              "latest check of a quarter ended by the period's end", "index", SURVEYS,
              leaders_only=True),
)  # fmt: skip

BY_KEY = {figure.key: figure for figure in FIGURES}


def help_text() -> str:
    """Every figure with its definition, by section: the body of `help stats`."""
    lines: list[str] = []
    section = ""
    for figure in FIGURES:
        if figure.section != section:
            section = figure.section
            lines.append(f"*{section}*")
        note = f" (not yet: {figure.pending})" if figure.pending else ""
        who = " (leaders, sponsors, coordinators)" if figure.leaders_only else ""
        lines.append(f"• {figure.label}{who}: {figure.definition}{note}.")
    return "\n".join(lines)
