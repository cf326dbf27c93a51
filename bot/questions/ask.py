"""Asking the experts: the question form and routing a question to people who can answer."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from bot import activity
from bot.context import Context
from bot.errors import UserError
from bot.experts.lookup import (
    WEEK,
    availability_word,
    available_ranking,
    describe_person,
    weekly_cap,
)
from bot.form_limits import FieldLimit
from bot.messages import Choice, Form, FormField, Reply, Visibility
from bot.registry import command, form
from bot.topics import normalise
from storage import communities, experts, people
from storage.tables import Member

GROUP = "Experts"
QUESTION_MAX = 2000


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
    question = parts[2].strip() if len(parts) > 2 else ""
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
    question = values.get("question", "")
    if not question:
        raise UserError("Write your question.", fields={"question": "Write your question."})
    if len(question) > 2000:
        raise UserError(
            "Please keep the question under 2,000 characters.",
            fields={"question": "At most 2,000 characters."},
        )
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


async def _route(ctx: Context, member: Member, topic: str, question: str) -> Reply:
    assert member.id is not None
    digest = hashlib.sha256(question.strip().encode()).hexdigest()[:16]
    key = f"expert-ask:{ctx.member_id}:{member.id}:{topic}:{digest}"
    await _check_can_ask(ctx, member, topic)
    community_id = await _question_community(ctx, member.id)
    queued = await ctx.notify_member(
        member.id,
        Reply(
            f"{ctx.member.display_name} ({describe_person(ctx, ctx.member) or 'no profile'}) "
            f"asks you about *{topic}*:\n\n{question.strip()}\n\n"
            f"Please answer {ctx.member.display_name} directly.",
            title=f"A question about {topic}",
            visibility=Visibility.DIRECT,
            context=f"copbot routed this because you are listed for {topic}. "
            "Type `availability` to change how many questions reach you.",
            choices=(
                Choice(
                    f"Profile of {ctx.member.display_name}", f"profile <member:{ctx.member_id}>"
                ),
                Choice("I'm busy", "availability busy"),
            ),
        ),
        key=key,
        community_id=community_id,
    )
    if not queued:
        return Reply(
            f"Your question already went to {member.display_name} (or I can't reach them in "
            "chat). Give them a little time."
        )
    await experts.record_routing(
        ctx.session,
        asker_id=ctx.member_id,
        expert_id=member.id,
        topic=topic,
        community_id=community_id,
        question=question,
        now=ctx.now,
    )
    if community_id is not None:
        await ctx.record_activity(
            community_id,
            ctx.member_id,
            activity.EXPERT_QUESTION,
            contribution=True,
            ref=f"expert:{member.id}:{topic}"[:64],
        )
    return Reply(
        f"I sent your question to *{member.display_name}* "
        f"({describe_person(ctx, member) or 'no profile details'}). They will answer you "
        "directly.",
        choices=(Choice(f"Lessons on {topic}", f"lessons #{topic}"),),
    )


async def _question_community(ctx: Context, expert_id: int) -> int | None:
    """The community a routed question counts for: the asker's current one, else a shared one."""
    mine = await communities.communities_of(ctx.session, ctx.member_id)
    if ctx.member.current_community_id in {c.id for c in mine}:
        return ctx.member.current_community_id
    theirs = {c.id for c in await communities.communities_of(ctx.session, expert_id)}
    for community in mine:
        if community.id in theirs:
            return community.id
    return mine[0].id if mine else None
