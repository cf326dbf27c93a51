"""What of a survey's results may be shown now: the one gate every results view goes through
(chat results, the chart, the CSV export, and anything added later).

Anonymous surveys (why it is built this way): two looks at live figures differ by exactly the
answers given or changed in between, so whoever looks before and after someone answers reads
that answer. While an anonymous survey is open nobody sees more than its response rate. Once it
has closed nothing can change any more, and each question is shown only where it has at least
the anonymity threshold of answers: an optional question answered by one person stays hidden
even when the survey as a whole had enough respondents. Free-text answers come sorted by their
text (`bot.surveys.stats.stats_for`), never in the order they were given.

Named surveys keep live, complete results: their answers carry names anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.surveys.core import min_answers, questions_of
from bot.surveys.stats import QuestionStats, Withheld, stats_for
from storage import surveys
from storage.tables.surveys import Survey


@dataclass(frozen=True, slots=True)
class SurveyResults:
    respondents: int
    invited: int
    threshold: int
    # Anonymous and not closed yet: nothing is known beyond the response rate.
    sealed: bool
    # One entry per question, in survey order (empty while sealed).
    questions: tuple[QuestionStats | Withheld, ...] = ()

    @property
    def anything_shown(self) -> bool:
        return any(isinstance(q, QuestionStats) for q in self.questions)


async def survey_results(
    session: AsyncSession, survey: Survey, settings: Settings
) -> SurveyResults:
    """The figures of `survey` that anyone may see at this moment (see the module docstring)."""
    assert survey.id is not None
    respondents = await surveys.respondent_count(session, survey.id)
    invited, _answered = await surveys.invite_counts(session, survey.id)
    threshold = min_answers(settings)
    if survey.anonymous and survey.state != "closed":
        # The answers are not even read: nothing derived from them can leak.
        return SurveyResults(respondents, invited, threshold, sealed=True)
    values = await surveys.answer_values(session, survey.id)
    figures: list[QuestionStats | Withheld] = []
    for number, question in enumerate(questions_of(survey.questions)):
        given = values.get(number, [])
        if survey.anonymous and len(given) < threshold:
            figures.append(Withheld(question))
        else:
            figures.append(stats_for(question, given))
    return SurveyResults(respondents, invited, threshold, sealed=False, questions=tuple(figures))
