"""Reading questions: `question <id>` with its answers, and `questions` (open ones, paged)."""

from __future__ import annotations

from datetime import datetime

from bot.context import Context
from bot.messages import Choice, Reply
from bot.paging import Page, take_page
from bot.permissions import Capability
from bot.questions.core import (
    excerpt,
    may_answer,
    may_save_lesson,
    may_see_asker,
    question_number,
    visible_question,
)
from bot.questions.routing import topics_text
from bot.registry import command, home_section
from storage import people, questions
from storage.tables.questions import Question

GROUP = "Questions"
PER_PAGE = 5
STATES = {
    "open": "waiting for an answer",
    "answered": "answered, not marked solved yet",
    "solved": "solved",
}


def ago(now: datetime, then: datetime) -> str:
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 3600:
        return f"{max(1, seconds // 60)} min ago"
    if seconds < 86400:
        hours = seconds // 3600
        return f"{hours} hour{'s' * (hours != 1)} ago"
    days = seconds // 86400
    return f"{days} day{'s' * (days != 1)} ago"


@command(
    "question",
    usage="question <id>",
    summary="Show a question and its answers",
    group=GROUP,
    examples=("question 12",),
)
async def show(ctx: Context, args: str) -> Reply:
    number, _rest = question_number(args, "question 12")
    question = await visible_question(ctx, number)
    return await question_reply(ctx, question)


async def question_reply(ctx: Context, question: Question) -> Reply:
    assert question.id is not None
    found = await questions.answers_of(ctx.session, question.id)
    names = await people.members_by_ids(
        ctx.session, [question.asker_id, *(a.author_id for a in found)]
    )
    fields: list[tuple[str, str]] = [
        ("Topics", topics_text(question)),
        ("Status", STATES.get(question.state, question.state)),
    ]
    if await may_see_asker(ctx, question):
        asker = names.get(question.asker_id)
        fields.append(("Asked by", asker.display_name if asker else "a former member"))
    fields.append(("Asked", ago(ctx.now, question.asked_at)))
    lines = [question.text, ""]
    for answer in found:
        who = names.get(answer.author_id)
        mark = " ✓" if answer.accepted else ""
        lines.append(
            f"*{who.display_name if who else 'someone'}*{mark} ({ago(ctx.now, answer.created_at)}):"
            f" {answer.text}"
        )
    if not found:
        lines.append("No answers yet.")
    choices: list[Choice] = []
    if question.state != "solved" and await may_answer(ctx, question):
        choices.append(Choice("Answer", f"question answer {question.id}", style="primary"))
    if question.asker_id == ctx.member_id and question.state != "solved":
        if found:
            choices.append(Choice("Solved", f"question solved {question.id}", style="primary"))
        choices.append(Choice("Ask someone else", f"question another {question.id}"))
    if question.lesson_id is not None:
        choices.append(Choice("Lesson", f"lesson show {question.lesson_id}"))
    elif found and await may_save_lesson(ctx, question):
        choices.append(Choice("Save as lesson", f"question lesson {question.id}"))
    return Reply(
        "\n".join(lines).strip(),
        title=f"Question {question.id}",
        fields=tuple(fields),
        choices=tuple(choices),
    )


@command(
    "questions",
    usage="questions [community] [page N]",
    summary="Open questions of your community: help answer them",
    group=GROUP,
    details="Unanswered questions come first, oldest first. `question <id>` shows one, "
    "`answer <id> <text>` answers it.",
    examples=("questions", "questions data-eng", "questions page 2"),
)
async def list_open(ctx: Context, args: str) -> Reply:
    rest, number = take_page(args)
    community = await ctx.community(rest.split()[0] if rest.strip() else None)
    await ctx.require(Capability.ASK_AND_ANSWER, community)
    assert community.id is not None
    total = (await questions.open_questions(ctx.session, community.id, limit=0))[1]
    page = Page(min(number, max(1, -(-total // PER_PAGE))), PER_PAGE, total)
    rows, _ = await questions.open_questions(
        ctx.session, community.id, offset=page.offset, limit=PER_PAGE
    )
    if not rows:
        return Reply(
            f"No open questions in {community.name}. Ask one with `ask <question> #topic`.",
            choices=(Choice("Ask a question", "ask"),),
        )
    counts = await questions.answer_counts(ctx.session, [q.id for q in rows if q.id])
    lines: list[str] = []
    choices: list[Choice] = []
    for question in rows:
        assert question.id is not None
        n = counts.get(question.id, 0)
        lines.append(
            f"*{question.id}.* {excerpt(question.text, 120)}\n"
            f"    {topics_text(question)} · {ago(ctx.now, question.asked_at)} · "
            + (f"{n} answer{'s' * (n != 1)}" if n else "no answers yet")
        )
        if question.asker_id != ctx.member_id and len(choices) < 3:
            choices.append(Choice(f"Answer {question.id}", f"question answer {question.id}"))
    return Reply(
        "\n".join(lines),
        title=f"Open questions in {community.name}",
        choices=(*choices, *page.more(f"questions {community.slug}")),
        context=page.footer() + " · `question <id>` shows one",
    )


@home_section(25)
async def waiting_for_you(ctx: Context) -> list[Reply]:
    """Questions an expert was asked and has not answered yet."""
    rows = await questions.waiting_for(ctx.session, ctx.member_id)
    if not rows:
        return []
    lines = [
        f"*{q.id}.* {excerpt(q.text, 100)} ({topics_text(q)}, {ago(ctx.now, q.asked_at)})"
        for q in rows
    ]
    return [
        Reply(
            "\n".join(lines),
            title="Questions waiting for your answer",
            choices=tuple(Choice(f"Answer {q.id}", f"question answer {q.id}") for q in rows),
        )
    ]
