"""The kinds of activity the log records; engagement figures are computed from them.

"Contribution" kinds are authored content (DOMAIN.md §2: post, answer, lesson); the others are
lighter actions that still make a member active (RSVP, attendance, survey answer, vote).
"""

from __future__ import annotations

JOIN = "join"
LESSON_SUBMITTED = "lesson_submitted"
LESSON_VALIDATED = "lesson_validated"
LESSON_REUSED = "lesson_reused"  # "this helped" / "I applied this"
# Rows before stored questions (an expert was asked through copbot); new ones are QUESTION_ASKED.
EXPERT_QUESTION = "expert_question"
QUESTION_ASKED = "question_asked"  # asked an expert or the community (bot.questions)
ANSWER = "answer"  # answered someone else's question
ENDORSEMENT = "endorsement"
RSVP = "rsvp"
ATTENDANCE = "attendance"
SURVEY_RESPONSE = "survey_response"
HEALTH_CHECK = "health_check"
STORY = "story"

CONTRIBUTIONS = frozenset({LESSON_SUBMITTED, EXPERT_QUESTION, QUESTION_ASKED, ANSWER, STORY})
