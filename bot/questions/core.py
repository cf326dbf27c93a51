"""Rules of a question: who may see and answer it, who may see who asked, who is asked next."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.context import Context
from bot.errors import UserError
from bot.experts.lookup import ranked_candidates
from bot.permissions import Capability, Role, allows
from storage import communities, questions
from storage.tables import Community
from storage.tables.questions import Question

QUESTION_MAX = 2000
ANSWER_MAX = 3000
_ID = re.compile(r"^\s*#?(\d{1,12})\b\s*(.*)$", re.S)
_HASHTAG = re.compile(r"(?<![\w&])#([A-Za-z0-9][\w.+-]{0,63})")


def question_number(args: str, usage: str) -> tuple[int, str]:
    """`12 rest…` -> (12, "rest…"), or a friendly error showing `usage`."""
    found = _ID.match(args)
    if not found:
        raise UserError(f"Which question? Give its number, e.g. `{usage}`.")
    return int(found[1]), found[2].strip()


def take_hashtags(text: str) -> tuple[str, list[str]]:
    """The text without its `#topic` tags, and the tags in order."""
    tags = [m[1] for m in _HASHTAG.finditer(text)]
    return " ".join(_HASHTAG.sub(" ", text).split()), tags


def excerpt(text: str, length: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def escalate_at(settings: Settings, now: datetime) -> datetime:
    return now + timedelta(hours=settings.question_escalate_hours)


async def community_of(session: AsyncSession, question: Question) -> Community | None:
    if question.community_id is None:
        return None
    return await communities.get_community(session, question.community_id)


async def offered_to(session: AsyncSession, question: Question) -> list[int]:
    assert question.id is not None
    return [o.expert_id for o in await questions.offers_of(session, question.id)]


async def _community_roles(ctx: Context, question: Question) -> set[Role]:
    community = await community_of(ctx.session, question)
    if community is None:
        return {Role.COORDINATOR} if ctx.member.is_coordinator else set()
    return await ctx.roles(community)


async def may_see(ctx: Context, question: Question) -> bool:
    """The asker, the experts it was offered to, people who answered, and the community."""
    if ctx.member_id == question.asker_id:
        return True
    if ctx.member_id in await offered_to(ctx.session, question):
        return True
    assert question.id is not None
    if ctx.member_id in await questions.answerer_ids(ctx.session, question.id):
        return True
    roles = await _community_roles(ctx, question)
    return Role.COORDINATOR in roles or allows(roles, Capability.ASK_AND_ANSWER)


async def may_answer(ctx: Context, question: Question) -> bool:
    """Anyone who may see it, except the asker (whose replies are not answers)."""
    return ctx.member_id != question.asker_id and await may_see(ctx, question)


async def may_see_asker(ctx: Context, question: Question) -> bool:
    """Asker privacy: only the asker, people who answered and the community's leaders (and
    coordinators) see who asked; so does the expert the asker chose in `expert <topic>`, whom
    they wrote to by name. Experts reached by escalation and the channel read "a member"."""
    if ctx.member_id == question.asker_id:
        return True
    assert question.id is not None
    if ctx.member_id in await questions.answerer_ids(ctx.session, question.id):
        return True
    offered = await offered_to(ctx.session, question)
    if question.kind == "expert" and offered and offered[0] == ctx.member_id:
        return True
    roles = await _community_roles(ctx, question)
    return bool(roles & {Role.LEADER, Role.COORDINATOR})


async def may_save_lesson(ctx: Context, question: Question) -> bool:
    """The asker, an answerer or a leader may turn the answer into a lesson."""
    if ctx.member_id == question.asker_id:
        return True
    assert question.id is not None
    if ctx.member_id in await questions.answerer_ids(ctx.session, question.id):
        return True
    roles = await _community_roles(ctx, question)
    return bool(roles & {Role.LEADER, Role.COORDINATOR})


async def visible_question(ctx: Context, number: int) -> Question:
    """A question the asker may see; the same answer as for a missing one otherwise."""
    question = await questions.get_question(ctx.session, number)
    if question is not None and await may_see(ctx, question):
        return question
    raise UserError(f"I can't find question {number}. Type `questions` to see open ones.")


async def next_expert(session: AsyncSession, question: Question, now: datetime) -> int | None:
    """The best expert on the question's topics who has not been offered it yet and can take a
    question now (availability and weekly cap); None when nobody is left."""
    skip = {question.asker_id, *await offered_to(session, question)}
    community_ids = [question.community_id] if question.community_id is not None else []
    for topic in questions.topics_of(question):
        for row, busy in await ranked_candidates(
            session, topic, asker_id=question.asker_id, community_ids=community_ids, now=now
        ):
            if busy is None and row.member_id not in skip:
                return row.member_id
    return None
