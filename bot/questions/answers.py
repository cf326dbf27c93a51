"""Answering: the Answer form, `answer <id> <text>`, "Not me", "Solved", "Ask someone else"
and saving an answer as a draft lesson in one step."""

from __future__ import annotations

from collections.abc import Mapping

from bot import activity
from bot.context import Context
from bot.errors import UserError
from bot.form_limits import FieldLimit, required, within
from bot.messages import Choice, Form, FormField, Reply, Visibility
from bot.questions.core import (
    ANSWER_MAX,
    excerpt,
    may_answer,
    may_save_lesson,
    question_number,
    visible_question,
)
from bot.questions.routing import topics_text
from bot.registry import command, form
from storage import lessons, questions
from storage.tables.questions import Answer, Question

GROUP = "Questions"
LESSON_TITLE_MAX = 120


def answer_form(question: Question) -> Form:
    return Form(
        f"question.answer:{question.id}",
        f"Answer question {question.id}"[:24],
        (
            FormField(
                "answer",
                "Your answer",
                "multiline",
                required=True,
                max_length=ANSWER_MAX,
                placeholder="What worked for you, and why? Link a lesson with `lesson show <id>`.",
                hint=excerpt(question.text, 150),
            ),
        ),
        "Send answer",
    )


async def _answerable(ctx: Context, number: int) -> Question:
    question = await visible_question(ctx, number)
    if question.asker_id == ctx.member_id:
        raise UserError(
            f"You asked question {number}: answers come from others. When one helps, press "
            f"*Solved* or type `question solved {number}`."
        )
    if not await may_answer(ctx, question):
        raise UserError(f"I can't find question {number}. Type `questions` to see open ones.")
    if question.state == "solved":
        raise UserError(f"Question {number} is already solved. Thanks for wanting to help!")
    return question


@command(
    "question answer",
    usage="question answer <id>",
    summary="Answer a question (opens a form)",
    group=GROUP,
    hidden=True,
)
async def answer_button(ctx: Context, args: str) -> Reply:
    number, text = question_number(args, "question answer 12")
    if text:
        return await _answer(ctx, number, text)
    question = await _answerable(ctx, number)
    return Reply(
        f"Question {number} about {topics_text(question)}:\n\n{question.text}",
        form=answer_form(question),
    )


@command(
    "answer",
    usage="answer <id> <your answer>",
    summary="Answer a question",
    group=GROUP,
    details="The asker gets your answer as a message and can mark it solved. "
    "`questions` lists the open ones.",
    examples=("answer 12 Set requests to the p95 of usage and limits 1.5x higher.",),
)
async def answer_typed(ctx: Context, args: str) -> Reply:
    number, text = question_number(args, "answer 12 <your answer>")
    if not text:
        question = await _answerable(ctx, number)
        return Reply(f"What is your answer to question {number}?", form=answer_form(question))
    return await _answer(ctx, number, text)


@form("question.answer", limits={"answer": FieldLimit("Your answer", ANSWER_MAX)})
async def answer_submitted(ctx: Context, values: Mapping[str, str]) -> Reply:
    arg = values.get("_arg", "")
    if not arg.isdigit():
        raise UserError("That form has expired. Type `questions` to find the question again.")
    return await _answer(ctx, int(arg), required(values.get("answer"), "answer"))


async def _answer(ctx: Context, number: int, text: str) -> Reply:
    within(text, "answer", ANSWER_MAX)
    question = await _answerable(ctx, number)
    assert question.id is not None
    answer = await questions.add_answer(
        ctx.session, question, author_id=ctx.member_id, text=text, now=ctx.now
    )
    assert answer.id is not None
    if question.community_id is not None:
        await ctx.record_activity(
            question.community_id,
            ctx.member_id,
            activity.ANSWER,
            contribution=True,
            ref=f"answer:{answer.id}",
        )
    await ctx.notify_member(
        question.asker_id,
        Reply(
            f"*{ctx.member.display_name}* answered your question {question.id} "
            f"({excerpt(question.text, 80)}):\n\n{text}",
            title=f"An answer about {topics_text(question)}",
            visibility=Visibility.DIRECT,
            context="Did it solve your problem? Mark it solved, or I can ask someone else.",
            choices=(
                Choice("Solved", f"question solved {question.id} {answer.id}", style="primary"),
                Choice("Ask someone else", f"question another {question.id}"),
                Choice("Save as lesson", f"question lesson {question.id}"),
            ),
        ),
        key=f"question:{question.id}:answer:{answer.id}",
        community_id=question.community_id,
    )
    return Reply(
        f"Thanks! I sent your answer to the person who asked question {question.id}.",
        choices=(Choice("Save as lesson", f"question lesson {question.id}"),),
    )


# -- the expert's and the asker's buttons ---------------------------------------------------------


@command(
    "question pass",
    usage="question pass <id>",
    summary='"Not me": pass a question you were asked on to the next expert',
    group=GROUP,
    hidden=True,
)
async def not_me(ctx: Context, args: str) -> Reply:
    number, _rest = question_number(args, "question pass 12")
    question = await visible_question(ctx, number)
    assert question.id is not None
    if not await questions.decline(ctx.session, question.id, ctx.member_id, ctx.now):
        return Reply(f"Question {number} is not waiting for you. Nothing to do.")
    if question.expert_id == ctx.member_id and question.state != "solved":
        await questions.escalate_now(ctx.session, question, ctx.now)
    return Reply(f"No problem: I'll offer question {number} to someone else.")


async def _own(ctx: Context, args: str, usage: str) -> tuple[Question, str]:
    number, rest = question_number(args, usage)
    question = await visible_question(ctx, number)
    if question.asker_id != ctx.member_id:
        raise UserError(f"Only the person who asked question {number} can do that.")
    return question, rest


@command(
    "question solved",
    usage="question solved <id>",
    summary="Mark your question solved",
    group=GROUP,
)
async def solved(ctx: Context, args: str) -> Reply:
    question, rest = await _own(ctx, args, "question solved 12")
    assert question.id is not None
    answer: Answer | None = None
    if rest.split() and rest.split()[0].isdigit():
        answer = await questions.get_answer(ctx.session, int(rest.split()[0]))
        if answer is None or answer.question_id != question.id:
            answer = None
    if not await questions.mark_solved(ctx.session, question, ctx.now, answer):
        return Reply(f"Question {question.id} is already marked solved.")
    if answer is not None and answer.author_id != ctx.member_id:
        await ctx.notify_member(
            answer.author_id,
            Reply(
                f"Your answer to question {question.id} solved it. Thank you!",
                visibility=Visibility.DIRECT,
                choices=(Choice("Save as lesson", f"question lesson {question.id}"),),
            ),
            key=f"question:{question.id}:solved",
            community_id=question.community_id,
        )
    return Reply(
        f"Marked question {question.id} solved. Worth keeping for others? Save it as a lesson.",
        choices=(Choice("Save as lesson", f"question lesson {question.id}"),),
    )


@command(
    "question another",
    usage="question another <id>",
    summary="Ask someone else: offer your question to the next expert",
    group=GROUP,
)
async def ask_someone_else(ctx: Context, args: str) -> Reply:
    question, _rest = await _own(ctx, args, "question another 12")
    if question.state == "solved":
        raise UserError(f"Question {question.id} is solved. Ask a new one with `ask`.")
    await questions.escalate_now(ctx.session, question, ctx.now)
    return Reply(
        f"I'll offer question {question.id} to the next expert on {topics_text(question)} "
        "(or the community's channel) in a moment."
    )


# -- save as lesson -------------------------------------------------------------------------------


@command(
    "question lesson",
    usage="question lesson <id>",
    summary="Save a question and its answer as a draft lesson",
    group=GROUP,
    details="The asker, the people who answered and leaders can do this; the lesson is a "
    "draft until a leader or SME publishes it.",
)
async def save_as_lesson(ctx: Context, args: str) -> Reply:
    number, _rest = question_number(args, "question lesson 12")
    question = await visible_question(ctx, number)
    assert question.id is not None
    if question.lesson_id is not None:
        return Reply(
            f"Question {number} is already saved as lesson {question.lesson_id}.",
            choices=(Choice("Read it", f"lesson show {question.lesson_id}"),),
        )
    if not await may_save_lesson(ctx, question):
        raise UserError(
            f"The person who asked question {number}, those who answered it and leaders can "
            "save it as a lesson."
        )
    if question.community_id is None:
        raise UserError(f"Question {number} belongs to no community, so it has no lesson home.")
    found = await questions.answers_of(ctx.session, question.id)
    others = [a for a in found if a.author_id != question.asker_id]
    if not others:
        raise UserError(f"Question {number} has no answer yet: save it once someone answers.")
    best = next((a for a in others if a.accepted), others[-1])
    title = excerpt(question.text.splitlines()[0], LESSON_TITLE_MAX)
    lesson = await lessons.create_lesson(
        ctx.session,
        community_id=question.community_id,
        author_id=ctx.member_id,
        topics=questions.topics_of(question),
        now=ctx.now,
        title=title,
        statement=best.text,
        context=f"Question {question.id}: {question.text}",
        kind="insight",
        sensitivity="community",
        source=f"question {question.id}",
    )
    assert lesson.id is not None
    await questions.link_lesson(ctx.session, question, lesson.id)
    await ctx.record_activity(
        question.community_id,
        ctx.member_id,
        activity.LESSON_SUBMITTED,
        contribution=True,
        ref=f"lesson:{lesson.id}",
    )
    return Reply(
        f"Saved question {question.id} as draft lesson {lesson.id} (readable in the community). "
        "Add what happened and why with *Edit*; a leader or SME publishes it.",
        choices=(
            Choice("Edit", f"lesson edit {lesson.id}", style="primary"),
            Choice("Read it", f"lesson show {lesson.id}"),
        ),
    )
