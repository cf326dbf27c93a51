"""The kinds of activity the log records; engagement figures are computed from them.

"Contribution" kinds are authored content (DOMAIN.md §2: post, answer, lesson); the others are
lighter actions that still make a member active (RSVP, attendance, survey answer, vote).
"""

from __future__ import annotations

JOIN = "join"
LESSON_SUBMITTED = "lesson_submitted"
LESSON_VALIDATED = "lesson_validated"
LESSON_REUSED = "lesson_reused"  # "this helped" / "I applied this"
EXPERT_QUESTION = "expert_question"  # asked an expert through copbot
ENDORSEMENT = "endorsement"
RSVP = "rsvp"
ATTENDANCE = "attendance"
SURVEY_RESPONSE = "survey_response"
HEALTH_CHECK = "health_check"
STORY = "story"

CONTRIBUTIONS = frozenset({LESSON_SUBMITTED, EXPERT_QUESTION, STORY})
