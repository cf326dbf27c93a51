"""Reading and describing expertise: levels, topics, people, availability, member tokens."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import Context, zone
from bot.errors import UserError
from bot.people import find_person
from bot.topics import canonical, normalise, resolve
from storage import communities, experts, people
from storage.tables import Member

LEVELS = {1: "aware", 2: "practitioner", 3: "advanced", 4: "expert"}
LEVEL_WORDS = {
    **{name: n for n, name in LEVELS.items()},
    "beginner": 1,
    "intermediate": 2,
    "teach": 4,
}
DEFAULT_WEEKLY_CAP = 5
WEEK = timedelta(days=7)
CANDIDATES = 50  # how far down the ranking `expert <topic>` looks
_LEVEL = re.compile(r"\s*\(?\blevel\s*[:=]?\s*(?P<level>[-+]?\d+(?:[.,]\d+)?|[a-z]+)\)?\s*$", re.I)


# -- helpers --------------------------------------------------------------------------------------


def level_text(level: int | None) -> str:
    return f"level {level} ({LEVELS[level]})" if level in LEVELS else "no level given"


def parse_level(args: str) -> tuple[str, int | None]:
    found = _LEVEL.search(args)
    if not found:
        return args, None
    word = found["level"].lower()
    # "level 9" or "level 2.5" is a mistyped level, never part of a topic's name.
    level = int(word) if word.isdigit() else LEVEL_WORDS.get(word)
    if level not in LEVELS:
        raise UserError("Levels are 1 aware, 2 practitioner, 3 advanced, 4 expert, e.g. `level 3`.")
    return args[: found.start()].strip(), level


async def topic_for(ctx: Context, text: str, *, create: bool = False) -> str:
    """The canonical topic for what someone typed; new topics only when `create`."""
    word = normalise(text)
    if not word:
        raise UserError("Which topic? E.g. `kubernetes` or `data quality`.")
    if await experts.topic_exists(ctx.session, word):
        return word
    known = await experts.known_topics(ctx.session)
    if create:
        return resolve(text, known)
    return canonical(text, known) or word


def local_time(ctx: Context, member: Member) -> str:
    if not member.timezone:
        return ""
    return ctx.now.astimezone(zone(member.timezone)).strftime("%H:%M")


def describe_person(ctx: Context, member: Member) -> str:
    parts = [p for p in (member.title, member.department) if p]
    if member.timezone:
        parts.append(f"{member.timezone}, {local_time(ctx, member)} there")
    return ", ".join(parts)


def weekly_cap(availability: object | None) -> int:
    cap = getattr(availability, "weekly_cap", None)
    return cap if cap else DEFAULT_WEEKLY_CAP


def availability_word(availability: object | None) -> str:
    if availability is None:
        return "open"
    if getattr(availability, "do_not_route", False):
        return "do-not-route"
    if not getattr(availability, "open_to_questions", True):
        return "busy"
    return "mentor" if getattr(availability, "mentor", False) else "open"


async def shares_community(ctx: Context, member_id: int) -> bool:
    mine = {c.id for c in await communities.communities_of(ctx.session, ctx.member_id)}
    theirs = {c.id for c in await communities.communities_of(ctx.session, member_id)}
    return bool(mine & theirs)


# -- endorsements ---------------------------------------------------------------------------------


async def resolve_member_token(ctx: Context, token: str) -> Member:
    """`<member:12>` (buttons) or any way of naming a person."""
    found = re.fullmatch(r"<member:(\d{1,12})>", token.strip())
    if found:
        member = await people.get_member(ctx.session, int(found[1]))
        if member is None or member.forgotten_at is not None:
            raise UserError("I can't find that person any more.")
        return member
    return await find_person(ctx, token)


# -- ranking with capacity ------------------------------------------------------------------------


async def ranked_candidates(
    session: AsyncSession,
    topic: str,
    *,
    asker_id: int,
    community_ids: Sequence[int],
    now: datetime,
) -> list[tuple[experts.ExpertScore, str | None]]:
    """Ranked people for `topic` with a reason each one cannot take a question now (None = can).

    Busy people stay in the list, after everyone who can take a question.
    """
    rows = await experts.rank_experts(
        session,
        topic,
        asker_id=asker_id,
        asker_communities=list(community_ids),
        limit=CANDIDATES,
    )
    ids = [r.member_id for r in rows]
    settings = await experts.availabilities(session, ids)
    routed = await experts.routed_since(session, ids, now - WEEK)
    ranked = []
    for row in rows:
        state = settings.get(row.member_id)
        busy: str | None = None
        if availability_word(state) == "busy":
            busy = "busy: not taking questions now"
        elif routed.get(row.member_id, 0) >= weekly_cap(state):
            busy = "busy: enough questions this week"
        ranked.append((row, busy))
    ranked.sort(key=lambda pair: pair[1] is not None)
    return ranked


async def available_ranking(
    ctx: Context, topic: str
) -> list[tuple[experts.ExpertScore, str | None]]:
    """`ranked_candidates` for the asker, people of their communities first."""
    if ctx.named_community is not None:  # `expert <topic> in <community>` puts it first
        mine = [ctx.named_community.id]
    else:
        mine = [c.id for c in await communities.communities_of(ctx.session, ctx.member_id)]
    return await ranked_candidates(
        ctx.session,
        topic,
        asker_id=ctx.member_id,
        community_ids=[c for c in mine if c is not None],
        now=ctx.now,
    )
