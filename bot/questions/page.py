"""Open questions on a community's dashboard page: what is waiting, for how long, on which
topics, without who asked (the page is for the people who keep questions answered)."""

from __future__ import annotations

from bot.context import Context
from bot.pages import COMMUNITY, Column, Section, Table
from bot.permissions import Capability
from bot.questions.browse import STATES, ago
from bot.questions.core import excerpt
from bot.questions.routing import topics_text
from bot.registry import page_section
from storage import questions
from storage.tables import Community

SHOWN = 20


@page_section(COMMUNITY, 40)
async def open_questions(ctx: Context, community: Community | None) -> Section | None:
    if community is None or not await ctx.can(Capability.VIEW_HEALTH, community):
        return None
    assert community.id is not None
    rows, total = await questions.open_questions(ctx.session, community.id, limit=SHOWN)
    if not rows:
        return Section(key="questions", title="Open questions", empty="No open questions.")
    counts = await questions.answer_counts(ctx.session, [q.id for q in rows if q.id])
    notes = ["Unanswered first, oldest first. In chat: `question <id>`, `answer <id> <text>`."]
    if total > SHOWN:
        notes.append(f"The {SHOWN} longest waiting of {total}; `questions` in chat lists them all.")
    return Section(
        key="questions",
        title="Open questions",
        notes=tuple(notes),
        table=Table(
            (
                Column("Id", numeric=True),
                Column("Question"),
                Column("Topics"),
                Column("State"),
                Column("Asked"),
                Column("Answers", numeric=True),
            ),
            tuple(
                (
                    question.id,
                    excerpt(question.text, 120),
                    topics_text(question),
                    STATES.get(question.state, question.state),
                    ago(ctx.now, question.asked_at),
                    counts.get(question.id or 0, 0),
                )
                for question in rows
            ),
        ),
    )
