"""Handing a question to someone: an expert's DM, the community's channel, the asker's news.

Shared by asking (a person's request) and escalation (a due job), so both take a JobContext.
Everything goes through the outbox under a key made from the question and the person.
"""

from __future__ import annotations

from bot.context import JobContext
from bot.messages import Choice, Reply, Visibility
from bot.questions.core import escalate_at, excerpt
from storage import experts, questions
from storage.tables import Community, Member
from storage.tables.questions import Question


def topics_text(question: Question) -> str:
    topics = questions.topics_of(question)
    return ", ".join(topics) if topics else "no topic"


def answer_choices(question: Question) -> tuple[Choice, ...]:
    return (
        Choice("Answer", f"question answer {question.id}", style="primary"),
        Choice("Not me", f"question pass {question.id}"),
    )


async def offer_to(
    jctx: JobContext,
    question: Question,
    expert_id: int,
    *,
    asker: Member | None,
    community: Community | None,
) -> bool:
    """Offer `question` to an expert: a DM with Answer / Not me, counted against their weekly
    cap. `asker` is named only when the asker chose this expert themselves."""
    assert question.id is not None
    await questions.offer(jctx.session, question, expert_id, jctx.now)
    topic = questions.topics_of(question)[0] if question.topic_list else ""
    await experts.record_routing(
        jctx.session,
        asker_id=question.asker_id,
        expert_id=expert_id,
        topic=topic,
        community_id=question.community_id,
        question=question.text[:2000],
        now=jctx.now,
    )
    who = (
        asker.display_name
        if asker is not None
        else "A member" + (f" of {community.name}" if community is not None else "")
    )
    wait = jctx.settings.question_escalate_hours
    choices = answer_choices(question)
    if asker is not None:
        choices += (Choice(f"Profile of {asker.display_name}", f"profile <member:{asker.id}>"),)
    return await jctx.notify_member(
        expert_id,
        Reply(
            f"{who} asks you about *{topics_text(question)}* (question {question.id}):\n\n"
            f"{question.text}",
            title=f"A question about {topics_text(question)}",
            visibility=Visibility.DIRECT,
            context=f"copbot asked you because you are listed for {topics_text(question)}. "
            f"If nobody answers within {wait:g} hours it goes to the next expert. "
            "Type `availability` to change how many questions reach you.",
            choices=choices,
        ),
        key=f"question:{question.id}:offer:{expert_id}",
        community_id=question.community_id,
    )


async def post_to_channel(jctx: JobContext, question: Question, community: Community) -> int:
    """The question in the community's channel(s), without the asker's name."""
    assert question.id is not None
    return await jctx.post_to_community(
        community,
        Reply(
            f"A member of {community.name} asks about *{topics_text(question)}*:\n\n"
            f"{question.text}",
            title=f"Question {question.id}: can you help?",
            visibility=Visibility.CHANNEL,
            context=f"Answer with the button or type `answer {question.id} <your answer>`.",
            choices=(Choice("Answer", f"question answer {question.id}", style="primary"),),
        ),
        key=f"question:{question.id}:channel",
    )


async def move_on(
    jctx: JobContext, question: Question, community: Community | None, expert_id: int | None
) -> str:
    """Offer the question to `expert_id`, or (None) to the channel once; returns where it went:
    "expert", "channel" or "" (nowhere left)."""
    if expert_id is not None:
        await offer_to(jctx, question, expert_id, asker=None, community=community)
        await questions.hand_over(
            jctx.session,
            question,
            expert_id=expert_id,
            escalate_at=escalate_at(jctx.settings, jctx.now),
            now=jctx.now,
        )
        return "expert"
    if community is not None and question.posted_to_channel_at is None:
        await questions.hand_over(
            jctx.session, question, expert_id=None, escalate_at=None, now=jctx.now, to_channel=True
        )
        if await post_to_channel(jctx, question, community):
            return "channel"
        return ""
    await questions.hand_over(
        jctx.session, question, expert_id=None, escalate_at=None, now=jctx.now
    )
    return ""


async def tell_asker(
    jctx: JobContext, question: Question, where: str, expert: Member | None, *, step: str
) -> None:
    """Let the asker know their question moved on (or that nobody is left to ask)."""
    assert question.id is not None
    if where == "expert" and expert is not None:
        text = (
            f"Nobody has answered your question {question.id} yet, so I asked "
            f"*{expert.display_name}* too."
        )
    elif where == "channel":
        text = (
            f"I posted your question {question.id} to the community's channel (without your "
            "name): anyone there can answer."
        )
    else:
        text = (
            f"I have nobody else to ask about your question {question.id}. Try "
            f"`ask {excerpt(question.text, 60)} #topic in <community>` or `lessons <words>`."
        )
    await jctx.notify_member(
        question.asker_id,
        Reply(
            text,
            visibility=Visibility.DIRECT,
            choices=(Choice("My question", f"question {question.id}"),),
        ),
        key=f"question:{question.id}:moved:{step}",
        community_id=question.community_id,
    )
