"""Asking: an expert chosen in `expert <topic>` (the Ask button's form), or the community."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from bot import activity
from bot.context import Context
from bot.errors import UserError
from bot.experts.lookup import (
    WEEK,
    availability_word,
    available_ranking,
    describe_person,
    topic_for,
    weekly_cap,
)
from bot.form_limits import FieldLimit, required, within
from bot.messages import Choice, Form, FormField, Reply
from bot.permissions import Capability
from bot.questions.core import QUESTION_MAX, community_of, escalate_at, take_hashtags
from bot.questions.routing import offer_to, post_to_channel
from bot.registry import command, form
from bot.topics import normalise
from storage import communities, experts, people, questions
from storage.tables import Community, Member

GROUP = "Questions"
# The same question to the same person (or community) within a day is a double submission.
DUPLICATE_WINDOW = timedelta(days=1)


def ask_form(expert_member: Member, topic: str) -> Form:
    return Form(
        f"expert.ask:{expert_member.id}:{topic}",
        f"Ask {expert_member.display_name}"[:24],
        (
            FormField(
                "question",
                f"Your question about {topic}",
                "multiline",
                required=True,
                max_length=QUESTION_MAX,
                placeholder="What are you trying to do, what have you tried, what went wrong?",
            ),
        ),
        "Send",
    )


@command(
    "expert ask",
    usage="expert ask <person-id> <topic> [question]",
    summary="Send a question to an expert (from the Ask button)",
    group=GROUP,
    hidden=True,
)
async def expert_ask(ctx: Context, args: str) -> Reply:
    parts = args.split(maxsplit=2)
    if len(parts) < 2 or not parts[0].isdigit():
        raise UserError("Find someone first with `expert <topic>`, then press *Ask*.")
    member = await people.get_member(ctx.session, int(parts[0]))
    if member is None or member.forgotten_at is not None:
        raise UserError("I can't find that person. Try `expert <topic>` again.")
    topic = normalise(parts[1])
    question = within(parts[2].strip(), "question", QUESTION_MAX) if len(parts) > 2 else ""
    if not question:
        await _check_can_ask(ctx, member, topic)
        return Reply(
            f"What would you like to ask {member.display_name} about {topic}?",
            form=ask_form(member, topic),
        )
    return await _route(ctx, member, topic, question)


@form("expert.ask", limits={"question": FieldLimit("Your question", QUESTION_MAX)})
async def expert_ask_form(ctx: Context, values: Mapping[str, str]) -> Reply:
    member_id, _, topic = values.get("_arg", "").partition(":")
    member = await people.get_member(ctx.session, int(member_id)) if member_id.isdigit() else None
    if member is None or member.forgotten_at is not None or not topic:
        raise UserError("That form has expired. Find the expert again with `expert <topic>`.")
    question = within(required(values.get("question"), "question"), "question", QUESTION_MAX)
    return await _route(ctx, member, normalise(topic), question)


async def _check_can_ask(ctx: Context, member: Member, topic: str) -> None:
    assert member.id is not None
    if member.id == ctx.member_id:
        raise UserError("That's you! Try `expert <topic>` to find someone else.")
    state = await experts.availability_of(ctx.session, member.id)
    word = availability_word(state)
    if word in ("busy", "do-not-route"):
        raise UserError(
            f"{member.display_name} is not taking questions right now. "
            + await _next_person_hint(ctx, topic, member.id)
        )
    routed = await experts.routed_since(ctx.session, [member.id], ctx.now - WEEK)
    if routed.get(member.id, 0) >= weekly_cap(state):
        raise UserError(
            f"{member.display_name} already had their {weekly_cap(state)} questions this week. "
            + await _next_person_hint(ctx, topic, member.id)
        )


async def _next_person_hint(ctx: Context, topic: str, skip: int) -> str:
    for row, busy in await available_ranking(ctx, topic):
        if busy is None and row.member_id != skip:
            other = await people.get_member(ctx.session, row.member_id)
            if other is not None:
                return (
                    f"Next best for {topic}: *{other.display_name}* — type "
                    f"`expert ask {row.member_id} {topic}`."
                )
    return f"Try `lessons #{topic}` for what others already learned."


async def _route(ctx: Context, member: Member, topic: str, text: str) -> Reply:
    """Store the question, offer it to `member` and start its escalation clock."""
    assert member.id is not None
    text = text.strip()
    if await questions.same_question_since(
        ctx.session, ctx.member_id, member.id, text, ctx.now - DUPLICATE_WINDOW
    ):
        return Reply(
            f"Your question already went to {member.display_name}. Give them a little time; "
            "type `questions` to see where it stands."
        )
    await _check_can_ask(ctx, member, topic)
    community_id = await _question_community(ctx, member.id)
    question = await questions.create_question(
        ctx.session,
        asker_id=ctx.member_id,
        community_id=community_id,
        text=text,
        topics=[topic],
        now=ctx.now,
        kind="expert",
        expert_id=member.id,
        escalate_at=escalate_at(ctx.settings, ctx.now),
    )
    assert question.id is not None
    community = await community_of(ctx.session, question)
    await offer_to(ctx, question, member.id, asker=ctx.member, community=community)
    if community_id is not None:
        await ctx.record_activity(
            community_id,
            ctx.member_id,
            activity.QUESTION_ASKED,
            contribution=True,
            ref=f"question:{question.id}",
        )
    hours = ctx.settings.question_escalate_hours
    return Reply(
        f"I sent your question to *{member.display_name}* "
        f"({describe_person(ctx, member) or 'no profile details'}) as question {question.id}. "
        "I'll send you their answer "
        f"here; if nobody answers within {hours:g} hours I'll ask the next expert on {topic}.",
        choices=(
            Choice("My question", f"question {question.id}"),
            Choice(f"Lessons on {topic}", f"lessons #{topic}"),
        ),
    )


async def _question_community(ctx: Context, expert_id: int) -> int | None:
    """The community a question counts for: the asker's current one, else a shared one."""
    mine = await communities.communities_of(ctx.session, ctx.member_id)
    if ctx.member.current_community_id in {c.id for c in mine}:
        return ctx.member.current_community_id
    theirs = {c.id for c in await communities.communities_of(ctx.session, expert_id)}
    for community in mine:
        if community.id in theirs:
            return community.id
    return mine[0].id if mine else None


# -- asking the community -------------------------------------------------------------------------


@command(
    "ask",
    usage="ask <question> #topic [in community]",
    summary="Ask your community a question (posted to its channel)",
    group=GROUP,
    details="Anyone in the community can answer with the button or `answer <id> <text>`; "
    "you get each answer as a message and can mark it solved. Your name is not shown in the "
    "channel. Tag topics with #, e.g. #kubernetes, so the right experts can find it.",
    examples=("ask How do you size pod requests for Spark? #kubernetes",),
)
async def ask_community(ctx: Context, args: str) -> Reply:
    body, tags = take_hashtags(args)
    community = await ctx.community()
    await ctx.require(Capability.ASK_AND_ANSWER, community)
    if not body:
        return Reply(
            f"What would you like to ask {community.name}?",
            form=community_ask_form(community.slug, ", ".join(tags)),
        )
    return await _ask_community(ctx, community, body, tags)


def community_ask_form(slug: str, topics: str = "") -> Form:
    return Form(
        f"question.ask:{slug}",
        "Ask the community",
        (
            FormField(
                "question",
                "Your question",
                "multiline",
                required=True,
                max_length=QUESTION_MAX,
                placeholder="What are you trying to do, what have you tried, what went wrong?",
            ),
            FormField(
                "topics",
                "Topics",
                initial=topics or None,
                max_length=300,
                placeholder="kubernetes, airflow",
                hint="comma-separated; they help experts find your question",
            ),
        ),
        "Ask",
    )


@form(
    "question.ask",
    limits={
        "question": FieldLimit("Your question", QUESTION_MAX),
        "topics": FieldLimit("Topics", 300),
    },
)
async def ask_community_form(ctx: Context, values: Mapping[str, str]) -> Reply:
    community = await ctx.community(values.get("_arg") or None)
    await ctx.require(Capability.ASK_AND_ANSWER, community)
    body = required(values.get("question"), "question")
    tags = [t.strip().lstrip("#") for t in (values.get("topics") or "").split(",") if t.strip()]
    return await _ask_community(ctx, community, body, tags)


async def _ask_community(ctx: Context, community: Community, body: str, tags: list[str]) -> Reply:
    within(body, "question", QUESTION_MAX)
    assert community.id is not None
    topics = [await topic_for(ctx, tag, create=True) for tag in tags[:5]]
    if await questions.same_community_question(
        ctx.session, ctx.member_id, community.id, body, ctx.now - DUPLICATE_WINDOW
    ):
        return Reply(f"You already asked that in {community.name}. Type `questions` to see it.")
    if topics:
        await experts.ensure_topics(ctx.session, topics, ctx.now)
    question = await questions.create_question(
        ctx.session,
        asker_id=ctx.member_id,
        community_id=community.id,
        text=body,
        topics=topics,
        now=ctx.now,
        kind="community",
    )
    assert question.id is not None
    await questions.hand_over(
        ctx.session, question, expert_id=None, escalate_at=None, now=ctx.now, to_channel=True
    )
    posted = await post_to_channel(ctx, question, community)
    await ctx.record_activity(
        community.id,
        ctx.member_id,
        activity.QUESTION_ASKED,
        contribution=True,
        ref=f"question:{question.id}",
    )
    where = (
        f"to {community.name}'s channel (without your name)"
        if posted
        else f"to {community.name}: it has no linked channel yet, so members find it in "
        f"`questions in {community.slug}`"
    )
    return Reply(
        f"I posted your question {question.id} {where}. I'll send you each answer here.",
        choices=(
            Choice("My question", f"question {question.id}"),
            *(Choice(f"Experts on {t}", f"expert {t}") for t in topics[:1]),
        ),
    )
